/**
 * The hypothesis side of the etcd experiments, called by the `module` provider:
 *
 * - `writes` runs a background writer (one put every 50 ms, 1 s deadline each) and, on its second call, checks
 *   the high-availability promise: no gap between acknowledged writes longer than `maxGapMs`, and every
 *   acknowledged write readable afterwards (none lost). The first call (hypothesis before the method) starts the
 *   writer; the second (hypothesis after) stops it and judges. With `endpoints` listing all three members it holds
 *   through a leader kill; with only one it shows the classic HA mistake (kubernetes#18174, #19152).
 * - `leader` returns the name of the current leader (`n1`..`n3`), for `${steps.find leader.output}`.
 */
import { Etcd3 } from 'etcd3';

interface WriterArgs {
  /** Client URLs, e.g. ["http://10.77.0.11:2379", ...]. */
  endpoints: string[];
  /** Longest tolerated time without an acknowledged write. */
  maxGapMs: number;
  /** Key prefix; one writer per name. */
  name: string;
}

interface Writer {
  client: Etcd3;
  acked: Map<string, string>;
  ackTimes: number[];
  failures: number;
  stop: boolean;
  done: Promise<void>;
  startedAt: number;
}

// On globalThis: the module provider may load this file afresh for each call, and the writer started by the
// hypothesis before the method must be found again by the hypothesis after it.
const REGISTRY = Symbol.for('turbulence.examples.etcd.writers');
const writers = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= new Map()) as Map<string, Writer>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(endpoints: string[]): Etcd3 {
  return new Etcd3({
    hosts: endpoints,
    dialTimeout: 1000,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 1000 }),
  });
}

async function loop(w: Writer, prefix: string): Promise<void> {
  for (let seq = 0; !w.stop; seq++) {
    const key = `${prefix}/${String(seq).padStart(6, '0')}`;
    const value = `v${seq}-${Date.now()}`;
    try {
      await w.client.put(key).value(value).exec();
      w.acked.set(key, value);
      w.ackTimes.push(Date.now());
    } catch {
      w.failures++;
    }
    await sleep(50);
  }
}

/** Starts the writer on the first call; stops and judges it on the second. Returns true when the promise held. */
export async function writes(args: WriterArgs): Promise<boolean> {
  const existing = writers.get(args.name);
  if (!existing) {
    const prefix = `/turbulence/${args.name}/${Date.now()}`;
    const w: Writer = {
      client: client(args.endpoints),
      acked: new Map(),
      ackTimes: [],
      failures: 0,
      stop: false,
      done: Promise.resolve(),
      startedAt: Date.now(),
    };
    w.done = loop(w, prefix);
    writers.set(args.name, w);
    for (let i = 0; i < 100 && w.ackTimes.length < 3; i++) await sleep(50);
    return w.ackTimes.length >= 3;
  }
  writers.delete(args.name);
  existing.stop = true;
  await existing.done;
  const stoppedAt = Date.now();
  existing.client.close();
  const times = [existing.startedAt, ...existing.ackTimes, stoppedAt];
  const maxGap = Math.max(...times.slice(1).map((t, i) => t - (times[i] as number)));
  const lost = await lostWrites(existing.acked);
  const ok = maxGap <= args.maxGapMs && lost.length === 0;
  console.error(
    `[etcd ${args.name}] acknowledged ${existing.acked.size}, failed ${existing.failures}, ` +
      `longest gap ${maxGap} ms (bound ${args.maxGapMs} ms), lost ${lost.length} → ${ok ? 'held' : 'DEVIATED'}`,
  );
  return ok;
}

/** Acknowledged keys whose value is not readable (linearizable reads through all members). */
async function lostWrites(acked: Map<string, string>): Promise<string[]> {
  const reader = client(['http://10.77.0.11:2379', 'http://10.77.0.12:2379', 'http://10.77.0.13:2379']);
  try {
    const lost: string[] = [];
    for (let attempt = 0; ; attempt++) {
      try {
        for (const [key, value] of acked) if ((await reader.get(key).string()) !== value) lost.push(key);
        return lost;
      } catch (err) {
        if (attempt >= 10) throw err;
        lost.length = 0;
        await sleep(500);
      }
    }
  } finally {
    reader.close();
  }
}

/** Name of the current leader, asked of every endpoint until one answers. */
export async function leader(args: { endpoints: string[] }): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const endpoint of args.endpoints) {
      const c = client([endpoint]);
      try {
        const status = await c.maintenance.status();
        const members = await c.cluster.memberList({});
        const lead = members.members.find((m) => m.ID === status.leader);
        if (lead && status.leader !== '0') return lead.name;
      } catch {
        // try the next member
      } finally {
        c.close();
      }
    }
    await sleep(250);
  }
  throw new Error(`no leader among ${args.endpoints.join(', ')}`);
}
