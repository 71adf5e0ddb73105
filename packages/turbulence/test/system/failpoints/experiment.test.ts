/**
 * An experiment sets a failpoint in a live process through `failpoint.set`: the hypothesis deviates while it is
 * set, the run reverts it at the end, and the process answers normally again. Runs the built CLI
 * (`npm run build`) against a real service process; no root needed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailpointsClient, readAnnouncement } from '@turbulence/failpoints/control';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli as runBuiltCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';

// A service whose handler has a failpoint: any error there becomes a 500.
const SERVICE = `
import { createServer } from 'node:http';
import { renameSync, writeFileSync } from 'node:fs';
import { failpoint } from '@turbulence/failpoints';
const server = createServer((req, res) => {
  try {
    failpoint('svc.handle');
    res.end('ok');
  } catch (err) {
    res.writeHead(500).end(err.code);
  }
});
// Written to a temporary name and renamed, so the test never reads a half-written (empty) port file.
server.listen(0, '127.0.0.1', () => {
  writeFileSync(process.env.PORT_FILE + '.tmp', String(server.address().port));
  renameSync(process.env.PORT_FILE + '.tmp', process.env.PORT_FILE);
});`;

let dir: string;
let service: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fp-experiment-'));
});
afterEach(async () => {
  if (service && service.exitCode === null && service.signalCode === null) {
    const exited = new Promise((r) => service!.once('exit', r));
    service.kill('SIGKILL');
    await exited;
  }
  service = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(file: string): Promise<void> {
  if (!(await eventually(() => existsSync(file), 10_000))) throw new Error(`${file} never appeared`);
}

/** The built CLI (what ships), with this file's TURBULENCE_HOME. */
const runCli = (args: string[]) =>
  runBuiltCli(args, { built: true, env: { ...process.env, TURBULENCE_HOME: join(dir, 'home'), NO_COLOR: '1' } });

describe('an experiment with failpoint.set', () => {
  it('deviates while the failpoint is set, then the run removes it and the process recovers', async () => {
    const announce = join(dir, 'svc.failpoints.json');
    const portFile = join(dir, 'port');
    service = spawn(process.execPath, ['--input-type=module', '-e', SERVICE], {
      env: {
        ...process.env,
        PORT_FILE: portFile,
        TURBULENCE_FAILPOINTS_ADDR: '127.0.0.1:0',
        TURBULENCE_FAILPOINTS_ANNOUNCE: announce,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(portFile);
    await waitFor(announce);
    const url = `http://127.0.0.1:${readFileSync(portFile, 'utf8')}/`;
    expect((await fetch(url)).status).toBe(200);

    const experiment = {
      title: 'The service answers while its handler fails',
      description: 'Sets svc.handle to error(EIO) inside the live process.',
      'steady-state-hypothesis': {
        title: 'the service answers 200',
        probes: [
          { type: 'probe', name: 'service answers', tolerance: 200, provider: { type: 'http', url, timeout: 3 } },
        ],
      },
      method: [
        {
          type: 'action',
          name: 'fail the handler',
          provider: {
            type: 'fault',
            kind: 'failpoint.set',
            target: { announce },
            params: { name: 'svc.handle', actions: 'error(EIO)' },
          },
        },
      ],
      rollbacks: [],
    };
    const file = join(dir, 'experiment.json');
    const journalPath = join(dir, 'journal.json');
    writeFileSync(file, JSON.stringify(experiment, null, 2));

    const r = await runCli(['run', file, '--journal-path', journalPath, '--seed', '7']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
      deviated: boolean;
      steady_states: { after: { steady_state_met: boolean; probes: { output: { status: number } }[] } };
      faults?: { kind: string; reverted_by?: string }[];
    };
    expect(journal.deviated).toBe(true);
    expect(journal.steady_states.after.steady_state_met).toBe(false);
    expect(journal.steady_states.after.probes[0]?.output.status).toBe(500);
    expect(journal.faults?.map((f) => [f.kind, f.reverted_by])).toEqual([['failpoint.set', 'run-end']]);

    // Reverted: the failpoint is off in the live process, which answers normally again.
    const client = new FailpointsClient(readAnnouncement(announce).address);
    expect((await client.get('svc.handle'))?.actions ?? null).toBeNull();
    const after = await fetch(url);
    expect([after.status, await after.text()]).toEqual([200, 'ok']);
  }, 90_000);
});
