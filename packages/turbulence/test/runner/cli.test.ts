/**
 * The `turbulence run` CLI end to end: real HTTP servers, real processes, real signals, the real ledger.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { procState, runScratch } from './helpers.js';

const scratch = runScratch('turb-cli-');
const { work, home, write, track, ledgerEntries } = scratch;
const sleeper = () => scratch.sleeper(60);
let server: Server;
let healthy = true;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/break') healthy = false;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ healthy }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterEach(() => {
  scratch.killChildren();
  healthy = true;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  scratch.remove();
});

const hypothesis = () => ({
  title: 'the service answers 200',
  probes: [{ type: 'probe', name: 'service-ok', tolerance: 200, provider: { type: 'http', url, timeout: 2 } }],
});

/** The built CLI (what ships), with this file's TURBULENCE_HOME. */
const turbulence = (args: string[]) => runCli(args, { built: true, env: { ...process.env, TURBULENCE_HOME: home } });

describe('turbulence run', () => {
  it('exits 0 and writes a Chaos Toolkit journal and JUnit when the steady state holds', async () => {
    const file = write('holds.json', {
      title: 'holds',
      description: 'a run that holds',
      'steady-state-hypothesis': hypothesis(),
      method: [{ type: 'action', name: 'say-hi', provider: { type: 'process', path: 'echo', arguments: 'hi' } }],
    });
    const journal = join(work, 'holds-journal.json');
    const junit = join(work, 'holds.xml');
    const r = await turbulence(['run', file, '--journal-path', journal, '--junit', junit, '--seed', '5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('steady state met');
    const j = JSON.parse(readFileSync(journal, 'utf8'));
    expect(j).toMatchObject({ status: 'completed', deviated: false, seed: 5, 'chaoslib-version': expect.any(String) });
    expect(j.run[0].output).toMatchObject({ status: 0, stdout: 'hi\n' });
    expect(readFileSync(junit, 'utf8')).toContain('<testcase name="service-ok"');
  });

  it('exits 1 when the method makes the steady state deviate', async () => {
    const file = write('deviates.json', {
      title: 'deviates',
      description: 'the method breaks the service',
      'steady-state-hypothesis': hypothesis(),
      method: [{ type: 'action', name: 'break', provider: { type: 'http', url: `${url}break`, timeout: 2 } }],
    });
    const r = await turbulence(['run', file, '--journal-path', join(work, 'dev.json')]);
    expect(r.code).toBe(1);
    const j = JSON.parse(readFileSync(join(work, 'dev.json'), 'utf8'));
    expect(j.deviated).toBe(true);
    expect(j.steady_states.after.probes[0].tolerance_met).toBe(false);
  });

  it('exits 2 with file:line:col for an invalid experiment', async () => {
    const file = join(work, 'bad.json');
    writeFileSync(file, '{\n  "title": "no method",\n  "description": "x"\n}\n');
    const r = await turbulence(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json');
    expect(r.stderr).toMatch(/method/);
  });

  it('reverts a fault and exits 130 with status interrupted when SIGINT arrives mid-method', async () => {
    const victim = sleeper();
    const file = write('interrupt.json', {
      title: 'interrupted',
      description: 'pause a process, then wait long',
      'steady-state-hypothesis': hypothesis(),
      method: [
        {
          type: 'action',
          name: 'pause-victim',
          provider: { type: 'fault', kind: 'process.stop', target: { pid: victim.pid } },
        },
        { type: 'action', name: 'wait', provider: { type: 'process', path: 'sleep', arguments: '30' } },
      ],
    });
    const journal = join(work, 'int.json');
    const run = spawnCli(['run', file, '--journal-path', journal], {
      built: true,
      env: { ...process.env, TURBULENCE_HOME: home },
    });
    const { child } = run;
    track(child);
    await waitFor(() => run.stdout().includes('process.stop') && procState(victim.pid!) === 'T');
    expect(ledgerEntries()).toHaveLength(1);
    child.kill('SIGINT');
    const code = await run.exit;
    expect(code).toBe(130);
    expect(procState(victim.pid!)).not.toBe('T');
    expect(ledgerEntries()).toHaveLength(0);
    const j = JSON.parse(readFileSync(journal, 'utf8'));
    expect(j.status).toBe('interrupted');
    expect(j.faults[0]).toMatchObject({ kind: 'process.stop', reverted_by: 'interrupt' });
    expect(j.faults[0]).toHaveProperty('state');
  });

  it('leaves a SIGKILLed run’s fault in the ledger, and `turbulence recover` reverts it', async () => {
    const victim = sleeper();
    const file = write('crash.json', {
      title: 'crash',
      description: 'the runner dies mid-fault',
      method: [
        {
          type: 'action',
          name: 'pause-victim',
          provider: { type: 'fault', kind: 'process.stop', target: { pid: victim.pid } },
          pauses: { after: 30 },
        },
      ],
    });
    const run = spawnCli(['run', file, '--journal-path', join(work, 'crash-j.json')], {
      built: true,
      env: { ...process.env, TURBULENCE_HOME: home },
    });
    track(run.child);
    await waitFor(() => procState(victim.pid!) === 'T' && ledgerEntries().length === 1);
    run.child.kill('SIGKILL');
    await run.exit;
    expect(procState(victim.pid!)).toBe('T');
    const list = await turbulence(['fault', 'list']);
    expect(list.stdout).toContain('process.stop');
    const rec = await turbulence(['recover']);
    expect(rec.code).toBe(0);
    expect(procState(victim.pid!)).not.toBe('T');
    expect(ledgerEntries()).toHaveLength(0);
  });

  it('shows what would run with --dry actions, without running actions', async () => {
    const victim = sleeper();
    const file = write('dry.json', {
      title: 'dry',
      description: 'dry run',
      'steady-state-hypothesis': hypothesis(),
      method: [
        {
          type: 'action',
          name: 'pause',
          provider: { type: 'fault', kind: 'process.stop', target: { pid: victim.pid } },
        },
      ],
    });
    // (the CLI runs async: this process serves the hypothesis's HTTP probe meanwhile)
    const r = await turbulence(['run', file, '--dry', 'actions', '--journal-path', join(work, 'dry-j.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('skipped (dry run)');
    expect(procState(victim.pid!)).not.toBe('T');
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const met = await eventually(
    () => {
      try {
        return cond();
      } catch {
        return false; // not yet
      }
    },
    timeoutMs,
    50,
  );
  if (!met) throw new Error('condition not met in time');
}
