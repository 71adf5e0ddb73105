/**
 * Every `container.*` kind under the shared driver contract, on a real Docker Engine: each case gets a fresh busybox
 * httpd container (unique name, labelled with this file's run id), and the effect is observed from outside
 * turbulence: the Engine's inspect for the lifecycle kinds; a TCP client from this machine, or `nsenter` + `nft`/`tc`
 * in the container's namespace, for the network kinds. `afterAll` removes every container of this file.
 */
import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import type { JsonObject } from '../../../src/core/json.js';
import {
  CRASH_TOGETHER,
  crashRecoverTogether,
  driverContract as sharedContract,
  type ContractCase,
  type ContractTarget,
} from '../../support/driver-contract.js';
import {
  connectMs,
  engine,
  inNetns,
  ipOf,
  netLeftovers,
  reachable,
  removeTestContainers,
  startContainers,
  stateOf,
  testRun,
} from './helpers.js';

const run = testRun();
const needs: ContractCase['needs'] = ['root', 'dockerd', 'ip', 'nft'];
let n = 0;

afterAll(() => removeTestContainers(run.id), 60_000);

/** A fresh container for one behaviour; `observe(name, ip)` says whether the fault is in effect. */
function container(
  observe: (name: string, ip: string) => Promise<boolean>,
  params?: JsonObject,
  network = false,
): () => Promise<ContractTarget> {
  return async () => {
    const name = run.name(`c${++n}`);
    const [id] = await startContainers([name], { 'turbulence.test': run.id });
    const ip = await ipOf(name);
    return {
      query: { name },
      ...(params ? { params } : {}),
      inEffect: () => observe(name, ip),
      ...(network ? { leftovers: () => netLeftovers(name) } : {}),
      cleanup: async () => {
        await removeTestContainers(run.id).catch(() => undefined);
        void id;
      },
    };
  };
}

const together: ContractCase[] = [];

/**
 * The shared contract (named `driverContract` here too: the coverage meta-test finds cases by that name). A
 * reversible case runs its crash-recover with the others, in one runner and one `recover` (the end of this file):
 * 13 runner starts and 13 `recover` runs (each a Node start with tsx) were most of this file's time.
 */
function driverContract(c: ContractCase): void {
  if (c.skipBehaviours?.['crash-recover']) return sharedContract(c);
  together.push(c);
  sharedContract({ ...c, skipBehaviours: { ...c.skipBehaviours, 'crash-recover': CRASH_TOGETHER } });
}

const irreversible = (what: string) => ({
  revert: `irreversible: ${what}`,
  manager: `irreversible: ${what}, nothing stays in effect for the ledger to hold`,
  'crash-recover': `irreversible: ${what}, nothing stays in effect for \`recover\` to remove`,
});

const running = async (name: string) => (await stateOf(name))?.Running === true;

driverContract({
  kind: 'container.pause',
  needs,
  setup: container(async (name) => (await stateOf(name))?.Paused === true),
});

driverContract({
  kind: 'container.stop',
  needs,
  settleMs: 8000,
  setup: container(async (name) => !(await running(name)), { timeout: 1 }),
});

driverContract({
  kind: 'container.kill',
  variant: 'restart: true',
  needs,
  setup: container(async (name) => !(await running(name)), { restart: true }),
});

{
  const started = new Map<string, string>();
  driverContract({
    kind: 'container.restart',
    needs,
    settleMs: 8000,
    skipBehaviours: irreversible('a restart cannot be undone; revert only makes sure the container runs'),
    setup: container(async (name) => {
      const s = await stateOf(name);
      if (!s) return false;
      if (!started.has(name)) started.set(name, s.StartedAt);
      return s.Running && s.StartedAt !== started.get(name);
    }),
  });
}

driverContract({
  kind: 'container.remove',
  needs,
  skipBehaviours: irreversible('a removed container is gone'),
  setup: container(async (name) => (await stateOf(name)) === undefined, { irreversible: true }),
});

driverContract({
  kind: 'container.exec',
  needs,
  skipBehaviours: irreversible('what a command did cannot be undone'),
  // The Engine's archive API (not exec) tells whether the file the command creates exists.
  setup: container(
    async (name) =>
      engine
        .getContainer(name)
        .infoArchive({ path: '/tmp/turbulence-exec-marker' })
        .then(
          () => true,
          () => false,
        ),
    { command: ['touch', '/tmp/turbulence-exec-marker'] },
  ),
});

const cutOff = async (_: string, ip: string) => !(await reachable(ip));

driverContract({ kind: 'container.partition', needs, setup: container(cutOff, undefined, true) });
driverContract({ kind: 'container.blackhole', needs, setup: container(cutOff, { ports: [80] }, true) });
driverContract({ kind: 'container.loss', needs, setup: container(cutOff, { percent: 100 }, true) });
driverContract({
  kind: 'container.dns-block',
  needs,
  setup: container(
    async (name) => /dport 53 drop/.test(await inNetns(name, ['nft', 'list', 'ruleset'])),
    undefined,
    true,
  ),
});
driverContract({
  kind: 'container.bandwidth',
  needs: [...needs, 'tc'],
  setup: container(
    async (name) => /\btbf\b/.test(await inNetns(name, ['tc', 'qdisc', 'show', 'dev', 'eth0'])),
    { rate: '1mbit' },
    true,
  ),
});
driverContract({
  kind: 'container.latency',
  needs: [...needs, 'iptables'],
  settleMs: 8000,
  // Egress delay of the container: the SYN-ACK of a connect from this machine waits 400 ms.
  setup: container(async (_, ip) => (await connectMs(ip)) > 250, { delay: 400 }, true),
});

driverContract({
  kind: 'container.stress',
  needs: [...needs, 'stress-ng'],
  // The Engine's own process list of the container (`docker top`) shows the load.
  setup: container(
    async (name) => {
      const top = (await engine
        .getContainer(name)
        .top()
        .catch(() => ({ Processes: [] }))) as { Processes?: string[][] };
      return (top.Processes ?? []).some((p) => p.join(' ').includes('stress-ng'));
    },
    { stressors: '--cpu 1' },
  ),
});

/** A cgroup v1 file of the container's init process, read from /sys/fs/cgroup (outside the Engine). */
async function cgroupFile(name: string, controller: string, file: string): Promise<string> {
  const pid = (await stateOf(name))?.Pid;
  if (!pid) return '';
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes(controller));
  const path = line?.split(':')[2];
  return path === undefined ? '' : readFileSync(`/sys/fs/cgroup/${controller}${path}/${file}`, 'utf8').trim();
}

driverContract({
  kind: 'container.limit-cpu',
  needs,
  setup: container(async (name) => (await cgroupFile(name, 'cpu', 'cpu.cfs_quota_us')) === '20000', { percent: 20 }),
});

driverContract({
  kind: 'container.limit-pids',
  needs,
  setup: container(async (name) => (await cgroupFile(name, 'pids', 'pids.max')) === '20', { max: 20 }),
});

/** The cap, read from the container's memory cgroup (v1 memory.limit_in_bytes, v2 memory.max), outside the Engine. */
async function memoryCap(name: string): Promise<number> {
  const pid = (await stateOf(name))?.Pid;
  if (!pid) return NaN;
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('memory'));
  const path = v1
    ? `/sys/fs/cgroup/memory${v1.split(':')[2]}/memory.limit_in_bytes`
    : `/sys/fs/cgroup${lines.find((l) => l.startsWith('0::'))?.slice(3)}/memory.max`;
  const text = readFileSync(path, 'utf8').trim();
  return text === 'max' ? Infinity : Number(text);
}

driverContract({
  kind: 'container.limit-memory',
  needs,
  setup: container(async (name) => (await memoryCap(name)) === 32 * 1024 * 1024, { max: '32MiB' }),
});

crashRecoverTogether('container kinds', together, [...new Set(together.flatMap((c) => c.needs ?? []))]);
