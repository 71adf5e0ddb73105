import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AppliedFault } from '../../../src/core/fault.js';
import type { JsonObject } from '../../../src/core/json.js';
import { freezeDriver } from '../../../src/faults/cgroup/freeze.js';
import type { AnyDriver } from '../../../src/faults/kinds.js';
import { cpuLimitDriver } from '../../../src/faults/limit/cpu.js';
import { memoryLimitDriver } from '../../../src/faults/limit/memory.js';
import { pidsLimitDriver } from '../../../src/faults/limit/pids.js';
import { alive, sleep } from '../../../src/os/signals.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { ctx } from './netlab.js';

const sys = requireSystem('root');
const VICTIM = join(import.meta.dirname, 'fixtures', 'victim.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'tb-res-'));

/** Starts a victim that is NOT our descendant (double fork), so the process guard lets faults target it. */
function orphan(args: string[]): number {
  const cmd = `${process.execPath} ${VICTIM} ${args.join(' ')} >/dev/null 2>&1 & echo $!`;
  return Number(execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim());
}

const cpuTicks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};

describe.skipIf(sys.skip)('cgroup faults on real processes', () => {
  const victims: number[] = [];
  const active: [AnyDriver, AppliedFault<JsonObject>][] = [];

  afterEach(async () => {
    for (const [d, f] of active.splice(0)) await d.revert(f, ctx());
    for (const pid of victims.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  afterAll(() => {
    execFileSync('rm', ['-rf', tmp]);
    const left = execFileSync('find', ['/sys/fs/cgroup', '-maxdepth', '4', '-type', 'd', '-name', 'turbulence_*'], {
      encoding: 'utf8',
    });
    expect(left.trim()).toBe('');
  });

  async function inject(driver: AnyDriver, pid: number, params: JsonObject): Promise<AppliedFault<JsonObject>> {
    const [target] = await driver.resolveTargets({ pid }, ctx());
    const parsed = driver.params.parse(params) as JsonObject;
    const fault: AppliedFault<JsonObject> = { id: 'f', kind: driver.kind, target: target!, params: parsed };
    active.push([driver, fault]);
    fault.state = (await driver.inject(target!, parsed, ctx())) ?? undefined;
    return fault;
  }
  async function revert(driver: AnyDriver, fault: AppliedFault<JsonObject>): Promise<void> {
    await driver.revert(fault, ctx());
    await driver.revert(fault, ctx());
    active.splice(
      active.findIndex(([, f]) => f === fault),
      1,
    );
    expect(existsSync((fault.state as { dir: string }).dir)).toBe(false);
  }
  // A random 127.x address of the test's own: a random port on 127.0.0.1 can be another connection's ephemeral port.
  const host = `127.88.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const get = async (port: number): Promise<string> => {
    const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(1000) });
    return res.text();
  };

  it('freezes a process so it does not answer, and thaws it on revert', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const pid = orphan(['http', String(port), host]);
    victims.push(pid);
    for (let i = 0; i < 150; i++)
      if (await get(port).catch(() => '')) break;
      else await sleep(100);
    expect(await get(port)).toBe('ok');
    const fault = await inject(freezeDriver, pid, {});
    await sleep(50);
    expect(await (freezeDriver as AnyDriver).verify!(fault, ctx())).toBe(true);
    await expect(get(port)).rejects.toThrow();
    await revert(freezeDriver, fault);
    expect(await get(port)).toBe('ok');
  });

  it('OOM-kills a process that grows past a 64 MiB memory limit', async () => {
    const pid = orphan(['alloc']);
    victims.push(pid);
    await sleep(200);
    const fault = await inject(memoryLimitDriver, pid, { max: '64MiB' });
    expect(await (memoryLimitDriver as AnyDriver).verify!(fault, ctx())).toBe(true);
    expect(await eventually(() => !alive(pid), 10_000, 100)).toBe(true);
    await revert(memoryLimitDriver, fault);
  });

  it('holds a spinning process to about 20 % of a core', async () => {
    const pid = orphan(['busy']);
    victims.push(pid);
    await inject(cpuLimitDriver, pid, { percent: 20 });
    const t0 = cpuTicks(pid);
    await sleep(2000);
    const share = (cpuTicks(pid) - t0) / 200; // 100 ticks per second
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.28);
  });

  it('makes fork fail under a pids limit, and lets it succeed again after revert', async () => {
    const log = join(tmp, 'fork.log');
    const pid = orphan(['fork', log]);
    victims.push(pid);
    // The victim has started forking (a loaded machine may take seconds to start node).
    const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
    expect(await eventually(() => lines().includes('ok'), 15_000, 50)).toBe(true);
    const fault = await inject(pidsLimitDriver, pid, { max: 1 });
    await sleep(500);
    const during = readFileSync(log, 'utf8').trim().split('\n').slice(-3);
    expect(during.every((l) => l !== 'ok')).toBe(true);
    await revert(pidsLimitDriver, fault);
    expect(await eventually(() => lines().at(-1) === 'ok', 5000, 50)).toBe(true);
  });
});
