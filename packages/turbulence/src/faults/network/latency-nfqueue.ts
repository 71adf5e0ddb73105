/**
 * The NFQUEUE backend of `network.latency`, for kernels without netem: iptables (nft front end) sends the
 * target's packets to queue N inside its namespace, where a worker process holds each verdict for the delay.
 *
 *   OUTPUT ─▶ TBL<key>o ─(-d peer, match)─▶ NFQUEUE N --queue-bypass ─▶ nfq-worker (ip netns exec NS) ─ delay ─▶ ACCEPT
 *   INPUT  ─▶ TBL<key>i ─(-s peer)─▶ same queue
 *
 * `--queue-bypass` lets packets pass untouched whenever no worker listens, so a dead worker never blackholes.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { alive, signal, terminate } from '../../os/signals.js';
import { netnsPids } from '../../os/netns.js';
import { run } from '../../os/exec.js';
import { nfqueueAvailable } from './capabilities.js';
import { iptablesMatches, matchesOf } from './match.js';
import type { LatencyBackend, LatencyParams } from './latency-types.js';
import { netAttrs } from '../../targets/netns.js';

const queueFor = (key: string): number => 1000 + (parseInt(key.slice(0, 4), 16) % 60000);
const chainFor = (key: string, dir: 'i' | 'o'): string => `TBL${key.slice(0, 8)}${dir}`;

function iptables(target: Target, args: string[], allowFail = false) {
  const ns = netAttrs(target).netns ?? undefined;
  return run(['iptables', '-w', ...args], { netns: ns, allowFail, code: ErrorCodes.FAULT_INJECT_FAILED });
}

/** argv of the worker, from dist (`.js`) or from sources under tsx (`.ts`). */
function workerArgv(queue: number, p: LatencyParams): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`./nfq-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  const args = [
    '--queue',
    String(queue),
    '--delay',
    String(p.delay),
    '--jitter',
    String(p.jitter),
    '--seed',
    String(p.seed),
  ];
  return [process.execPath, ...(fromSource ? ['--import', 'tsx'] : []), script, ...args];
}

/** Starts the worker and resolves to its PID once it has bound the queue. */
function startWorker(target: Target, queue: number, p: LatencyParams): Promise<number> {
  const ns = netAttrs(target).netns;
  const argv = workerArgv(queue, p);
  const [cmd, ...args] = (ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv) as [string, ...string[]];
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => fail('did not start within 10 s'), 10_000);
    const fail = (why: string): void => {
      clearTimeout(timer);
      if (child.pid) signal(child.pid, 'SIGKILL');
      reject(new TurbulenceError(ErrorCodes.FAULT_INJECT_FAILED, `NFQUEUE latency worker ${why}: ${err.trim()}`));
    };
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => fail(`exited (${code})`));
    child.stdout.once('data', () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(child.pid as number);
    });
  });
}

/** PIDs of workers serving `queue` in the target's namespace (found by command line, also after a crash). */
async function findWorkers(target: Target, queue: number): Promise<number[]> {
  const ns = netAttrs(target).netns;
  const pids = ns ? await netnsPids(ns) : rootNetnsPids();
  return pids.filter((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      return cmd.includes('nfq-worker') && cmd.includes(`--queue ${queue} `);
    } catch {
      return false;
    }
  });
}

/** PIDs in this process's own network namespace. */
function rootNetnsPids(): number[] {
  const own = readlinkSync('/proc/self/ns/net');
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`) === own;
      } catch {
        return false;
      }
    });
}

async function removeChain(target: Target, chain: string, hook: string): Promise<void> {
  for (let i = 0; i < 5; i++) if ((await iptables(target, ['-D', hook, '-j', chain], true)).code !== 0) break;
  await iptables(target, ['-F', chain], true);
  await iptables(target, ['-X', chain], true);
}

export const nfqueueBackend: LatencyBackend = {
  name: 'nfqueue',
  available: () => nfqueueAvailable(),
  unsupported(p) {
    if (p.duplicate !== undefined || p.corrupt !== undefined)
      return 'the NFQUEUE backend delays (with jitter and the reordering it causes) but cannot duplicate or corrupt';
    // iptables takes one -s and one -d per rule: peers already use -d (egress) / -s (ingress).
    const clash = p.peers && matchesOf(p.match).some((m) => m.sources ?? m.destinations);
    return clash
      ? 'the NFQUEUE backend cannot combine peers with match sources/destinations: give the addresses in match only'
      : undefined;
  },
  async inject(target, p, key, peers) {
    const queue = queueFor(key);
    await this.revert(target, p, key, undefined);
    const pid = await startWorker(target, queue, p);
    const hooks: [string, 'i' | 'o', string, string][] = [];
    if (p.direction !== 'ingress') hooks.push(['OUTPUT', 'o', '-d', '-o']);
    if (p.direction !== 'egress') hooks.push(['INPUT', 'i', '-s', '-i']);
    for (const [hook, dir, peerFlag, lo] of hooks) {
      const chain = chainFor(key, dir);
      await iptables(target, ['-N', chain]);
      const nfq = ['-j', 'NFQUEUE', '--queue-num', String(queue), '--queue-bypass'];
      for (const m of iptablesMatches(p.match)) {
        if (peers.length === 0) await iptables(target, ['-A', chain, '!', lo, 'lo', ...m, ...nfq]);
        for (const peer of peers) await iptables(target, ['-A', chain, peerFlag, peer, ...m, ...nfq]);
      }
      await iptables(target, ['-I', hook, '1', '-j', chain]);
    }
    const state: JsonObject = { backend: 'nfqueue', queue, pid, peers };
    return state;
  },
  async revert(target, _p, key) {
    await removeChain(target, chainFor(key, 'o'), 'OUTPUT');
    await removeChain(target, chainFor(key, 'i'), 'INPUT');
    await terminate(await findWorkers(target, queueFor(key)), 2000);
  },
  async verify(target, p, key) {
    const workers = (await findWorkers(target, queueFor(key))).filter(alive);
    const dir = p.direction === 'ingress' ? 'i' : 'o';
    const listed = await iptables(target, ['-S', chainFor(key, dir)], true);
    return workers.length > 0 && listed.stdout.includes('NFQUEUE');
  },
};
