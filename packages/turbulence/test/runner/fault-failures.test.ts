/**
 * Issue 13 §2 through the real CLI: a fault action that fails at run time (unknown kind, bad duration, refused
 * target) never ends "steady state held" with exit 0, and a blast-radius refusal aborts the run with nothing
 * injected. The bad values arrive through `--var` placeholders: written literally, `validate` refuses them first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/turbulence.js');
const work = mkdtempSync(join(tmpdir(), 'turb-fault-fail-'));
const children: ChildProcess[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(work, { recursive: true, force: true });
});

function experiment(name: string, provider: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = join(work, `${name}.json`);
  const doc = {
    title: name,
    description: 'a fault action that cannot be injected',
    'steady-state-hypothesis': {
      title: 'the service answers',
      probes: [{ type: 'probe', name: 'ok', tolerance: 200, provider: { type: 'http', url, timeout: 2 } }],
    },
    method: [{ type: 'action', name: 'inject', provider: { type: 'fault', ...provider } }],
    ...extra,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

interface Outcome {
  code: number | null;
  stdout: string;
  journal: { status: string; faults: unknown[]; abort: { reason: string } | null };
}

function run(file: string, args: string[] = []): Promise<Outcome> {
  const journalPath = `${file}.journal.json`;
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, 'run', file, '--journal-path', journalPath, ...args], {
      env: { ...process.env, TURBULENCE_HOME: join(work, 'home'), NO_COLOR: '1' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) =>
      res({ code, stdout, journal: JSON.parse(readFileSync(journalPath, 'utf8')) as Outcome['journal'] }),
    );
  });
}

function sleeper(marker: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', marker], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] as string;
}

describe('a fault action that fails at run time', () => {
  it.each([
    ['an unknown kind', { kind: '${k}', target: { name: 'x' } }, ['--var', 'k=no.such']],
    ['a bad duration', { kind: 'process.stop', target: { name: 'x' }, duration: '${d}' }, ['--var', 'd=5x']],
    ['a refused target (PID 1)', { kind: 'process.stop', target: { pid: '${p}' } }, ['--var', 'p=1']],
  ])(
    'fails the run (exit 1, status failed), never "steady state held": %s',
    async (name, provider, args) => {
      const r = await run(experiment(name.replace(/\W+/g, '-'), provider), args);
      expect(r.code).toBe(1);
      expect(r.journal.status).toBe('failed');
      expect(r.journal.faults).toEqual([]);
      expect(r.stdout).not.toContain('steady state held');
    },
    60_000,
  );
});

describe('a blast-radius refusal', () => {
  it('aborts the run (exit 1, status aborted) and injects nothing', async () => {
    const marker = `tb-blast-${process.pid}-${Date.now()}`;
    const a = sleeper(marker);
    const b = sleeper(marker);
    const file = experiment(
      'blast',
      { kind: 'process.stop', target: { cmdline: marker }, duration: '5s' },
      { 'blast-radius': { 'max-targets': 1 } },
    );
    const r = await run(file);
    expect(r.code).toBe(1);
    expect(r.journal.status).toBe('aborted');
    expect(r.journal.abort?.reason).toMatch(/blast radius/);
    expect(r.journal.faults).toEqual([]);
    expect([procState(a.pid as number), procState(b.pid as number)]).toEqual(['S', 'S']);
  }, 60_000);
});
