/**
 * The `network` and `stress` kinds under the shared driver contract, in one three-host lab for the whole block
 * (`useNetLab()`). Every case targets host `a`. The effect is observed from outside turbulence: traffic between lab
 * hosts (partition, loss, blackhole, latency), the kernel's nft tables and qdiscs in a's namespace (dns-block,
 * bandwidth), tagged load processes and files found through /proc and the file system (stress).
 *
 * "Nothing left" looks for ANY turbulence-owned object in the lab's namespaces: nft tables named `turbulence*`,
 * shaping qdiscs and ifb devices, NFQUEUE rules, processes other than the lab's own services, files in the
 * stress directory. It does not depend on the names drivers derive.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe } from 'vitest';
import type { RunningLab } from '../../../src/lab/index.js';
import { driverContract, type ContractTarget } from '../../support/driver-contract.js';
import { requireSystem } from '../../support/system.js';
import { addr, probe, useNetLab } from './netlab.js';

const sys = requireSystem('root', 'ip', 'nft', 'tc');
const exec = promisify(execFile);

/** Output of a command inside a network namespace ('' when it fails, e.g. iptables missing). */
async function inNs(ns: string, argv: string[]): Promise<string> {
  try {
    return (await exec('ip', ['netns', 'exec', ns, ...argv], { timeout: 15_000 })).stdout;
  } catch {
    return '';
  }
}

const pidsIn = async (ns: string): Promise<number[]> =>
  (await exec('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);

const TAG = 'TURBULENCE_STRESS_TAG=';
/** Stress load processes (tagged in their environment) inside a namespace. */
async function taggedIn(ns: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await pidsIn(ns)) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(TAG)) out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Every turbulence-owned object in the lab's namespaces, one line each. */
async function labLeftovers(lab: RunningLab): Promise<string[]> {
  const own = new Set(lab.state.hosts.flatMap((h) => Object.values(h.services).map((s) => s?.pid)));
  const out: string[] = [];
  for (const h of lab.state.hosts) {
    const ns = h.netns;
    for (const line of (await inNs(ns, ['nft', 'list', 'tables'])).split('\n'))
      if (/^table \S+ turbulence/.test(line)) out.push(`${h.name}: nft ${line}`);
    for (const line of (await inNs(ns, ['tc', 'qdisc', 'show'])).split('\n'))
      if (/^qdisc (netem|tbf|htb|prio|ingress|hfsc)\b/.test(line)) out.push(`${h.name}: ${line}`);
    for (const line of (await inNs(ns, ['ip', '-o', 'link', 'show', 'type', 'ifb'])).split('\n'))
      if (line.trim()) out.push(`${h.name}: ifb ${line.trim()}`);
    for (const line of (await inNs(ns, ['iptables', '-S'])).split('\n'))
      if (line.includes('NFQUEUE')) out.push(`${h.name}: iptables ${line}`);
    for (const pid of await pidsIn(ns)) {
      if (own.has(pid)) continue;
      let cmd = '?';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        continue; // exited meanwhile
      }
      if (!cmd.includes('netprobe.mjs')) out.push(`${h.name}: process ${pid} ${cmd}`);
    }
  }
  return out;
}

describe.skipIf(sys.skip)('network and stress kinds in a lab', () => {
  const net = useNetLab();
  const dir = mkdtempSync(join(tmpdir(), 'tb-contract-stress-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A contract target on host `a`, observed by `inEffect`, with the lab-wide leftover check. */
  const onA =
    (params: object, inEffect: () => Promise<boolean>, extraLeftovers?: () => string[]) =>
    (): Promise<ContractTarget> =>
      Promise.resolve({
        query: { lab: net.lab.state.name, hosts: ['a'] },
        params: params as ContractTarget['params'],
        inEffect,
        leftovers: async () => [...(await labLeftovers(net.lab)), ...(extraLeftovers?.() ?? [])],
        cleanup: () => Promise.resolve(),
      });
  /** b cannot open a TCP connection to a's test service. */
  const bCannotReachA = async () => (await probe(net.lab, 'b', ['tcp', addr(net.lab, 'a'), 7000, 1, 400])).ok === 0;
  const aHasTable = async () => /^table \S+ turbulence/m.test(await inNs(net.ns('a'), ['nft', 'list', 'tables']));
  const aHasShaping = async () =>
    /^qdisc (tbf|htb|netem|hfsc)\b/m.test(await inNs(net.ns('a'), ['tc', 'qdisc', 'show']));
  const filesInDir = () => readdirSync(dir).map((f) => `file ${join(dir, f)}`);
  /** Tagged stress processes in a's namespace that pass `ok`. */
  const loadInA = (ok: (pid: number) => boolean) => async () => (await taggedIn(net.ns('a'))).some(ok);

  driverContract({ kind: 'network.partition', setup: onA({ peers: ['b'] }, bCannotReachA) });
  driverContract({ kind: 'network.loss', setup: onA({ percent: 100, peers: ['b'] }, bCannotReachA) });
  driverContract({ kind: 'network.blackhole', setup: onA({ ports: [7000], protocol: 'tcp' }, bCannotReachA) });
  driverContract({ kind: 'network.dns-block', setup: onA({}, aHasTable) });
  driverContract({ kind: 'network.bandwidth', setup: onA({ rate: '1mbit' }, aHasShaping) });
  driverContract({
    kind: 'network.latency',
    setup: onA({ delay: '300ms' }, async () => {
      const r = await probe(net.lab, 'b', ['tcp', addr(net.lab, 'a'), 7000, 1, 3000]);
      return r.ok === 1 && (r.ms as unknown as number[])[0]! > 250;
    }),
  });

  driverContract({
    kind: 'stress.cpu',
    setup: onA(
      { workers: 1, load: 20, engine: 'node' },
      loadInA(() => true),
    ),
  });
  driverContract({
    kind: 'stress.memory',
    setup: onA(
      { size: '32MiB', engine: 'node' },
      loadInA((pid) => {
        try {
          return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024 >= 32 << 20;
        } catch {
          return false;
        }
      }),
    ),
  });
  /** Files in `d` and in its directories, one level down. */
  const filesUnder = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? readdirSync(join(d, e.name)).map((f) => join(d, e.name, f)) : [join(d, e.name)],
    );
  driverContract({
    kind: 'stress.disk-fill',
    setup: onA(
      { path: dir, size: '8MiB' },
      // The fill file sits in the fault's private directory (`.<tag>-XXXXXX/`) inside `path`.
      () => Promise.resolve(filesUnder(dir).some((f) => statSync(f).size === 8 << 20)),
      filesInDir,
    ),
  });
  driverContract({
    kind: 'stress.io',
    setup: onA(
      { path: dir, engine: 'node', chunk: '256KiB' },
      loadInA((pid) => {
        try {
          return Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]) > 256 * 1024;
        } catch {
          return false;
        }
      }),
      filesInDir,
    ),
  });
  driverContract({
    kind: 'stress.fds',
    setup: onA(
      { count: 300, engine: 'node' },
      loadInA((pid) => {
        try {
          return readdirSync(`/proc/${pid}/fd`).length >= 300;
        } catch {
          return false;
        }
      }),
    ),
  });
});
