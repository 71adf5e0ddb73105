/**
 * `turbulence demo` (what `npm start` runs): starts three replicas and a client, kills one replica, checks the
 * service kept serving, and stops everything it started.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Journal } from '../../src/experiment/journal.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/turbulence.js');
const home = mkdtempSync(join(tmpdir(), 'turb-demo-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('turbulence demo', () => {
  it('kills one replica and slows another through the proxy, the service keeps serving, and nothing is left running', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--seed', '7'], {
      env: { ...process.env, TURBULENCE_HOME: home, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(out).toContain('fault process.kill on demo-replica-2');
    expect(out).toContain('fault proxy.toxic on proxy demo-replica-3');
    expect(out).toContain('verdict: completed: the steady state held');
    const slow = /its answers took (\d+) ms \(median\) vs (\d+) ms for the others/.exec(out);
    expect(slow).not.toBeNull();
    expect(Number(slow![1])).toBeGreaterThanOrEqual(180);
    expect(Number(slow![2])).toBeLessThan(150);
    expect(code).toBe(0);

    const journal = JSON.parse(readFileSync(join(home, 'demo', 'journal.json'), 'utf8')) as Journal;
    expect(journal).toMatchObject({ status: 'completed', deviated: false, seed: 7 });
    expect(journal.faults.map((f) => f.kind)).toEqual(['process.kill', 'proxy.toxic']);
    for (const f of journal.faults) expect(f.reverted_at).not.toBeNull();
    expect(journal.rollbacks[0]!.output).toMatchObject({ status: 200 });

    const pids = [...out.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThanOrEqual(3);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    const ledger = join(home, 'ledger');
    expect(existsSync(ledger) ? readdirSync(ledger).filter((f) => f.endsWith('.json')) : []).toEqual([]);
    const managed = join(home, 'managed');
    expect(existsSync(managed) ? readdirSync(managed).filter((f) => f.endsWith('.json')) : []).toEqual([]);
  }, 60_000);
});
