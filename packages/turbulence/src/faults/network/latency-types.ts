/**
 * Params of `network.latency` and the contract of its backends (netem in the kernel, NFQUEUE in user space).
 */
import { z } from 'zod';
import type { CapabilityResult, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { parseDuration } from '../../core/duration.js';
import { matchParam } from './match.js';
import { peersParam } from './params.js';

const ms = z.union([z.number().min(0), z.string()]).transform((v) => (typeof v === 'number' ? v : parseDuration(v)));
const percent = z.number().min(0).max(100).optional();

export const latencyParams = z
  .object({
    /** Added delay: milliseconds, or a duration like `200ms`. */
    delay: ms,
    /** ± this much, uniformly. */
    jitter: ms.default(0),
    reorder: percent,
    duplicate: percent,
    corrupt: percent,
    peers: peersParam,
    /** Only packets of this protocol / these addresses / ports (see `match.ts`). */
    match: matchParam,
    direction: z.enum(['both', 'ingress', 'egress']).default('egress'),
    device: z.string().optional(),
    /** `auto` uses netem where the kernel has it, else NFQUEUE. */
    backend: z.enum(['auto', 'netem', 'nfqueue']).default('auto'),
    /** Seed of the jitter of the user-space backend. */
    seed: z.number().int().default(1),
  })
  .strict();
export type LatencyParams = z.output<typeof latencyParams>;

/** One way to delay packets. */
export interface LatencyBackend {
  name: 'netem' | 'nfqueue';
  available(): Promise<CapabilityResult>;
  /** Why these params cannot run on this backend, or undefined. */
  unsupported(p: LatencyParams): string | undefined;
  inject(target: Target, p: LatencyParams, key: string, peers: string[]): Promise<JsonObject>;
  revert(target: Target, p: LatencyParams, key: string, state: unknown): Promise<void>;
  verify(target: Target, p: LatencyParams, key: string, state: unknown): Promise<boolean>;
}
