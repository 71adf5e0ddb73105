import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AppliedFault } from '../../../src/core/fault.js';
import type { JsonObject } from '../../../src/core/json.js';
import type { AnyDriver } from '../../../src/faults/kinds.js';
import { cpuStressDriver } from '../../../src/faults/stress/cpu.js';
import { diskFillDriver } from '../../../src/faults/stress/disk-fill.js';
import { taggedPids } from '../../../src/faults/stress/driver.js';
import { fdsStressDriver } from '../../../src/faults/stress/fds.js';
import { ioStressDriver } from '../../../src/faults/stress/io.js';
import { memoryStressDriver } from '../../../src/faults/stress/memory.js';
import { sleep } from '../../../src/os/signals.js';
import { requireSystem } from '../../support/system.js';
import { useTempHome } from './helpers.js';
import { runCli } from '../../support/cli.js';
import { ctx } from './netlab.js';

const sys = requireSystem('root');
const ng = requireSystem('stress-ng');
const dir = mkdtempSync(join(tmpdir(), 'tb-stress-'));

const ticks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
};
const rssBytes = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

describe.skipIf(sys.skip)('stress faults', () => {
  const active: [AnyDriver, AppliedFault<JsonObject>][] = [];
  afterEach(async () => {
    for (const [d, f] of active.splice(0)) await d.revert(f, ctx());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function inject(driver: AnyDriver, params: JsonObject): Promise<AppliedFault<JsonObject>> {
    const [target] = await driver.resolveTargets(undefined, ctx());
    const parsed = driver.params.parse(params) as JsonObject;
    const fault: AppliedFault<JsonObject> = { id: 'f', kind: driver.kind, target: target!, params: parsed };
    active.push([driver, fault]);
    fault.state = (await driver.inject(target!, parsed, ctx())) ?? undefined;
    expect(await driver.verify!(fault, ctx())).toBe(true);
    return fault;
  }
  async function revertAndCheck(driver: AnyDriver, fault: AppliedFault<JsonObject>): Promise<void> {
    const tag = (fault.state as { tag: string }).tag;
    await driver.revert(fault, ctx());
    await driver.revert(fault, ctx());
    active.splice(
      active.findIndex(([, f]) => f === fault),
      1,
    );
    expect(taggedPids(tag)).toEqual([]);
  }
  const pidOf = (f: AppliedFault<JsonObject>): number => (f.state as { pid: number }).pid;

  it('burns about one core at 50 % load with the Node engine', async () => {
    const fault = await inject(cpuStressDriver, { workers: 1, load: 50, engine: 'node' });
    await sleep(300);
    const t0 = ticks(pidOf(fault));
    await sleep(2000);
    const share = (ticks(pidOf(fault)) - t0) / 200;
    // Busy for half of each 100 ms; other engineers' load on the 2 shared cores can only push the share down.
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.65);
    await revertAndCheck(cpuStressDriver, fault);
  });

  it.skipIf(ng.skip)('runs stress-ng for the cpu kind when it is installed, and stops all its workers', async () => {
    const fault = await inject(cpuStressDriver, { workers: 1, load: 30 });
    expect((fault.state as JsonObject).engine).toBe('stress-ng');
    await revertAndCheck(cpuStressDriver, fault);
  });

  it('holds the requested memory', async () => {
    const fault = await inject(memoryStressDriver, { size: '96MiB', engine: 'node' });
    expect(rssBytes(pidOf(fault))).toBeGreaterThan(96 * 1024 * 1024);
    await revertAndCheck(memoryStressDriver, fault);
  });

  it('fills a directory with a file of the given size and deletes it on revert', async () => {
    const fault = await inject(diskFillDriver, { path: dir, size: '32MiB' });
    const tag = (fault.state as { tag: string }).tag;
    const dirs = readdirSync(dir).filter((n) => n.startsWith(`.${tag}-`));
    expect(dirs).toHaveLength(1);
    const file = join(dir, dirs[0]!, 'fill');
    expect(statSync(file).size).toBe(32 * 1024 * 1024);
    await revertAndCheck(diskFillDriver, fault);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith(`.${tag}`))).toEqual([]);
  });

  it('writes the fill file into a fresh private directory, never through a planted symlink', async () => {
    const base = mkdtempSync(join(dir, 'planted-'));
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const victimDir = join(dir, 'victim-dir');
    mkdirSync(victimDir, { recursive: true });
    writeFileSync(join(victimDir, 'keep'), 'keep\n');
    // Where the fill file used to go (`.<tag>.fill`), and a name with the private directory's prefix.
    const [target] = await diskFillDriver.resolveTargets(undefined, ctx());
    const params = diskFillDriver.params.parse({ path: base, size: '4MiB' });
    const probe = await diskFillDriver.inject(target!, params, ctx());
    const tag = (probe as { tag: string }).tag;
    await diskFillDriver.revert({ id: 'p', kind: diskFillDriver.kind, target: target!, params }, ctx());
    symlinkSync(victim, join(base, `.${tag}.fill`));
    symlinkSync(victimDir, join(base, `.${tag}-planted`));

    const fault = await inject(diskFillDriver, { path: base, size: '4MiB' });
    const made = (fault.state as { dir: string }).dir;
    expect(made.startsWith(join(base, `.${tag}-`))).toBe(true);
    expect(lstatSync(made).isDirectory()).toBe(true);
    expect(statSync(made).mode & 0o777).toBe(0o700);
    expect(statSync(join(made, 'fill')).size).toBe(4 * 1024 * 1024);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    await revertAndCheck(diskFillDriver, fault);
    expect(existsSync(made)).toBe(false);
    // The planted links are left alone, and so is what they point at.
    expect(lstatSync(join(base, `.${tag}-planted`)).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(victimDir, 'keep'), 'utf8')).toBe('keep\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('keeps a disk busy writing', async () => {
    const fault = await inject(ioStressDriver, { path: dir, engine: 'node', chunk: '1MiB' });
    const written = () => Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pidOf(fault)}/io`, 'utf8'))?.[1]);
    const w0 = written();
    await sleep(500);
    expect(written() - w0).toBeGreaterThan(5 * 1024 * 1024);
    const made = (fault.state as { dir: string }).dir;
    expect(made.startsWith(dir)).toBe(true);
    await revertAndCheck(ioStressDriver, fault);
    expect(readdirSync(dir).filter((f) => f.endsWith('.io'))).toEqual([]);
    expect(existsSync(made)).toBe(false);
  });

  it('runs `fault inject stress.cpu` on this machine without --target, and exits soon after the duration', async () => {
    useTempHome();
    const started = Date.now();
    const r = await runCli(['fault', 'inject', 'stress.cpu', '-p', 'engine=node', '-p', 'load=5', '-d', '3s'], {
      timeoutMs: 90_000,
    });
    const elapsed = Date.now() - started;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/injected stress\.cpu on this machine/);
    expect(r.stdout).toMatch(/reverted stress-cpu-\S+ \(expired\)/);
    // A pending 60 s readiness timer kept the CLI alive for a minute after the revert; startup under tsx on a
    // loaded machine takes seconds, so the bound is generous but well under 60 s.
    expect(elapsed).toBeLessThan(45_000);
  }, 120_000);

  it('holds the requested number of file descriptors', async () => {
    const fault = await inject(fdsStressDriver, { count: 2000 });
    expect(readdirSync(`/proc/${pidOf(fault)}/fd`).length).toBeGreaterThanOrEqual(2000);
    await revertAndCheck(fdsStressDriver, fault);
  });
});
