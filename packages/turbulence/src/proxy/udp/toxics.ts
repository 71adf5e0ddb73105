/**
 * UDP toxics (proxies with `protocol: udp`): each acts on single datagrams of its direction, and its `toxicity` is
 * the probability that it acts on a given datagram (a seeded draw per datagram: `--seed` replays them).
 *
 * A toxic maps one datagram (with the delay it has gathered so far) to zero or more datagrams, so toxics compose
 * in chain order: `udp_duplicate` then `udp_delay` delays both copies.
 */
import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { ToxicType } from '../toxic.js';
import { int } from '../toxics/attributes.js';
import { passThrough } from '../toxics/pass-through.js';

/** A datagram on its way, with the delay gathered so far (ms). */
export interface Datagram {
  data: Buffer;
  delayMs: number;
}

/** A UDP toxic type: `apply` turns one datagram into zero or more. */
export interface UdpToxicType<A> extends ToxicType<A> {
  readonly protocol: 'udp';
  apply(attributes: A, datagram: Datagram, rng: Rng): Datagram[];
}

function udpToxic<A>(spec: Omit<UdpToxicType<A>, 'protocol' | 'create' | 'timeless'>): UdpToxicType<A> {
  return { ...spec, protocol: 'udp', timeless: true, create: (_a, out) => passThrough(out) };
}

/** `udp_drop`: the datagram is lost. */
export const udpDrop = udpToxic<Record<string, never>>({
  type: 'udp_drop',
  summary: 'drop datagrams (toxicity = the loss probability)',
  attributes: z.object({}),
  apply: () => [],
});

/** `udp_delay`: the datagram is held `delay` ± `jitter` ms. */
export const udpDelay = udpToxic<{ delay: number; jitter: number }>({
  type: 'udp_delay',
  summary: 'delay datagrams by delay ± jitter ms',
  attributes: z.object({ delay: int('delay', 0), jitter: int('jitter', 0) }),
  apply(a, d, rng) {
    const jitter = a.jitter > 0 ? rng.int(2 * a.jitter) - a.jitter : 0;
    return [{ data: d.data, delayMs: Math.max(0, d.delayMs + a.delay + jitter) }];
  },
});

/** `udp_duplicate`: the datagram is sent `copies` extra times. */
export const udpDuplicate = udpToxic<{ copies: number }>({
  type: 'udp_duplicate',
  summary: 'send datagrams copies extra times (default 1)',
  attributes: z.object({
    copies: z
      .number({ error: 'copies must be an integer from 1 to 100' })
      .int({ error: 'copies must be an integer from 1 to 100' })
      .min(1, { error: 'copies must be an integer from 1 to 100' })
      .max(100, { error: 'copies must be an integer from 1 to 100' })
      .default(1),
  }),
  apply: (a, d) => Array.from({ length: 1 + a.copies }, () => ({ data: Buffer.from(d.data), delayMs: d.delayMs })),
});

/** `udp_reorder`: the datagram is held `delay` ms (default 50), so the ones sent after it overtake it. */
export const udpReorder = udpToxic<{ delay: number }>({
  type: 'udp_reorder',
  summary: 'hold datagrams delay ms (default 50) so later ones overtake them',
  attributes: z.object({ delay: int('delay', 1).default(50) }),
  apply: (a, d) => [{ data: d.data, delayMs: d.delayMs + a.delay }],
});

/** `udp_corrupt`: `bytes` random bytes of the datagram (default 1) get one random bit flipped. */
export const udpCorrupt = udpToxic<{ bytes: number }>({
  type: 'udp_corrupt',
  summary: 'flip one bit in each of bytes random bytes (default 1) of datagrams',
  attributes: z.object({ bytes: int('bytes', 1).default(1) }),
  apply(a, d, rng) {
    const data = Buffer.from(d.data);
    for (let i = 0; i < Math.min(a.bytes, data.length); i++) {
      const at = rng.int(data.length);
      data[at] = (data[at] as number) ^ (1 << rng.int(8));
    }
    return [{ data, delayMs: d.delayMs }];
  },
});

/** `udp_truncate`: only the first `bytes` bytes of the datagram are sent. */
export const udpTruncate = udpToxic<{ bytes: number }>({
  type: 'udp_truncate',
  summary: 'keep only the first bytes bytes of datagrams',
  attributes: z.object({ bytes: int('bytes', 0) }),
  apply: (a, d) => [{ data: d.data.subarray(0, a.bytes), delayMs: d.delayMs }],
});

/** Every UDP toxic. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each toxic has its own attribute type
export const udpToxics: readonly UdpToxicType<any>[] = [
  udpDrop,
  udpDelay,
  udpDuplicate,
  udpReorder,
  udpCorrupt,
  udpTruncate,
];
