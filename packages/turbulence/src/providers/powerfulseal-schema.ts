/**
 * @module Schema of the `powerfulseal` provider (pure): one run of a PowerfulSeal policy's run strategy. Written
 * by the PowerfulSeal translator (`experiment/formats/powerfulseal.ts`), which checks the steps against
 * PowerfulSeal's own schema first; this schema only checks the envelope.
 */
import { z } from 'zod';
import { strictObject } from '../experiment/strict.js';

const sealObject = strictObject(
  {
    type: z.literal('powerfulseal'),
    /** One scenario (round-robin), or every scenario to pick one from with the run's RNG (random). */
    scenarios: z
      .array(z.object({ name: z.string(), steps: z.array(z.record(z.string(), z.unknown())) }).loose())
      .min(1),
    /** Seconds to wait before this run, drawn uniformly between the two (min/maxSecondsBetweenRuns). */
    betweenRuns: z.tuple([z.number().min(0), z.number().min(0)]).optional(),
  },
  'the powerfulseal provider',
);

/** The `powerfulseal` provider object. */
export type PowerfulSealProvider = z.output<typeof sealObject>;

/** Schema of the `powerfulseal` provider. */
export const powerfulSealProviderSchema: z.ZodType<PowerfulSealProvider> = sealObject;
