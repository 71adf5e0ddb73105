/**
 * The `limit` and `cgroup` kinds under the shared driver contract (root, cgroups v1 or v2). Each victim is a
 * `sleep` outside the test's process tree, moved into a parent cgroup of this file's own (`tbcontract-<hex>`), so
 * "nothing left" means no cgroup named `turbulence*` anywhere below that parent, whatever name a driver derives,
 * and other test files' cgroups never count. The effect is read from the kernel: the limit file of the cgroup the
 * victim is in now, the freezer state.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { driverContract, type ContractTarget } from '../../support/driver-contract.js';
import { killOrphans, spawnOrphan } from './helpers.js';

const ROOT = '/sys/fs/cgroup';
const v2 = existsSync(join(ROOT, 'cgroup.controllers'));
const PARENT = `tbcontract-${randomBytes(3).toString('hex')}`;
/** v1 hierarchies the victims join (v2: the one unified tree). */
const HIERARCHIES = v2 ? [''] : ['memory', 'cpu', 'pids', 'blkio', 'freezer'].filter((c) => existsSync(join(ROOT, c)));
const parentDirs = (): string[] => HIERARCHIES.map((h) => join(ROOT, h, PARENT));

/** Every directory named `turbulence*` below `dir`. */
function turbulenceCgroups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name);
    if (e.name.startsWith('turbulence')) out.push(path);
    out.push(...turbulenceCgroups(path));
  }
  return out;
}

/** The cgroup directory `pid` is in now, for a v1 controller (or the unified v2 one). */
function cgroupOf(pid: number, controller: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const line = v2
    ? lines.find((l) => l.startsWith('0::'))
    : lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
  const rel = line?.split(':').slice(2).join(':') ?? '/';
  return join(ROOT, v2 ? '' : controller, rel);
}

const read = (dir: string, file: string): string => {
  try {
    return readFileSync(join(dir, file), 'utf8').trim();
  } catch {
    return '';
  }
};

/** A `sleep` moved into this file's parent cgroup, with a check of the kernel's view of it. */
async function victim(inEffect: (pid: number) => boolean, params: object): Promise<ContractTarget> {
  const p = await spawnOrphan();
  for (const dir of parentDirs()) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.procs'), String(p.pid));
  }
  return {
    query: { pid: p.pid },
    params: params as ContractTarget['params'],
    inEffect: () => Promise.resolve(existsSync(`/proc/${p.pid}`) && inEffect(p.pid)),
    leftovers: () => Promise.resolve(parentDirs().flatMap(turbulenceCgroups)),
    cleanup: killOrphans,
  };
}

afterAll(async () => {
  await killOrphans();
  for (const dir of parentDirs()) {
    for (let i = 0; i < 50 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // the killed victims are still leaving
      }
    }
  }
});

const MiB32 = 32 * 1024 * 1024;
/** The first block device of this machine (`major:minor`), for limit.io. */
const device = readFileSync('/proc/partitions', 'utf8')
  .split('\n')
  .map((l) => l.trim().split(/\s+/))
  .find((f) => /^\d+$/.test(f[0] ?? '') && /^\d+$/.test(f[1] ?? '') && f[1] === '0')
  ?.slice(0, 2)
  .join(':');

driverContract({
  kind: 'limit.memory',
  needs: ['root'],
  setup: () =>
    victim(
      (pid) => {
        const dir = cgroupOf(pid, 'memory');
        return Number(read(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes')) === MiB32;
      },
      { max: '32MiB' },
    ),
});

driverContract({
  kind: 'limit.cpu',
  needs: ['root'],
  setup: () =>
    victim(
      (pid) => {
        const dir = cgroupOf(pid, 'cpu');
        return v2 ? !read(dir, 'cpu.max').startsWith('max') : Number(read(dir, 'cpu.cfs_quota_us')) > 0;
      },
      { percent: 20 },
    ),
});

driverContract({
  kind: 'limit.pids',
  needs: ['root'],
  setup: () => victim((pid) => read(cgroupOf(pid, 'pids'), 'pids.max') === '7', { max: 7 }),
});

driverContract({
  kind: 'limit.io',
  needs: ['root'],
  skip: device ? false : 'no block device in /proc/partitions to throttle',
  setup: () =>
    victim(
      (pid) => {
        const dir = cgroupOf(pid, 'blkio');
        const text = v2 ? read(dir, 'io.max') : read(dir, 'blkio.throttle.write_bps_device');
        return text.includes(`${device} `) && text.includes(v2 ? 'wbps=1048576' : '1048576');
      },
      { device: device ?? '0:0', writeBps: '1MiB' },
    ),
});

driverContract({
  kind: 'cgroup.freeze',
  needs: ['root'],
  setup: () =>
    victim((pid) => {
      const dir = cgroupOf(pid, 'freezer');
      return v2 ? /frozen 1/.test(read(dir, 'cgroup.events')) : read(dir, 'freezer.state') === 'FROZEN';
    }, {}),
});
