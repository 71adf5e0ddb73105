/** `delay(ms, jitter)`: answer late, by `ms` ± a uniform `jitter` drawn from the rule's seeded RNG. */
import { z } from 'zod';
import type { DnsActionDefinition } from '../action.js';

const params = z
  .object({
    ms: z.number().min(0).max(600_000),
    jitter: z.number().min(0).max(600_000).default(0),
  })
  .strict();

export const delay: DnsActionDefinition<z.output<typeof params>> = {
  type: 'delay',
  summary: 'answer after ms ± jitter milliseconds',
  params,
  positional: ['ms', 'jitter'],
  before(ex, p, rng) {
    const jitter = p.jitter > 0 ? rng.between(-p.jitter, p.jitter) : 0;
    ex.delayMs += Math.max(0, p.ms + jitter);
  },
};
