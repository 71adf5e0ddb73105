/**
 * The user-space latency worker: runs inside the target's namespace (`ip netns exec`), binds NFQUEUE number
 * `--queue`, and holds each packet's verdict for `--delay` ms ± `--jitter` (seeded, so `--seed` replays the same
 * delays). Packets released out of order under jitter are reordering, as with netem. Prints `ready` once bound.
 * On SIGTERM it releases every held packet and exits.
 *
 *   usage: node nfq-worker.js --queue N --delay MS [--jitter MS] [--seed S]
 */
import { parseArgs } from 'node:util';
import { Rng } from '../../core/rng.js';

interface NfPacket {
  info: { id: number };
  setVerdict(verdict: number): void;
}
interface NfqueueModule {
  NF_ACCEPT: number;
  createQueueHandler(num: number, buf: number, cb: (p: NfPacket) => void): unknown;
}

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    delay: { type: 'string', default: '0' },
    jitter: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
  },
});
const delay = Number(values.delay);
const jitter = Number(values.jitter);
const rng = new Rng(Number(values.seed));
const name = 'nfqueue';
const mod = (await import(name)) as NfqueueModule & { default?: NfqueueModule };
const nfq = mod.default ?? mod;
const held = new Map<NfPacket, NodeJS.Timeout>();

nfq.createQueueHandler(Number(values.queue), 65535, (packet) => {
  const wait = Math.max(0, delay + (jitter > 0 ? (rng.next() * 2 - 1) * jitter : 0));
  if (wait === 0) return packet.setVerdict(nfq.NF_ACCEPT);
  const timer = setTimeout(() => {
    held.delete(packet);
    packet.setVerdict(nfq.NF_ACCEPT);
  }, wait);
  held.set(packet, timer);
});

process.on('SIGTERM', () => {
  for (const [packet, timer] of held) {
    clearTimeout(timer);
    packet.setVerdict(nfq.NF_ACCEPT);
  }
  process.exit(0);
});
process.stdout.write('ready\n');
