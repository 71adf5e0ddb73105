/**
 * @module Schemas of the `process` family (pure, see `../kind-schema.ts`): the target query shared by every
 * `process.*` kind (and the resource kinds that target processes), the `signal` param, and each kind's params.
 */
import { constants } from 'node:os';
import { z } from 'zod';
import { processQuerySchema } from '../../targets/queries.js';
import type { KindSchema } from '../kind-schema.js';

const byNumber = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** `SIGTERM`, `TERM`, `term` or `15` → `SIGTERM`; undefined when it is not a signal. */
export function normalizeSignal(input: string | number): NodeJS.Signals | undefined {
  if (typeof input === 'number' || /^\d+$/.test(input)) return byNumber.get(Number(input));
  const name = input.toUpperCase().startsWith('SIG') ? input.toUpperCase() : `SIG${input.toUpperCase()}`;
  return name in constants.signals ? (name as NodeJS.Signals) : undefined;
}

/** Schema of a `signal` param: any signal name or number, normalized to `SIGxxx`. */
export const signalSchema = z.union([z.string(), z.number().int()]).transform((value, ctx) => {
  const signal = normalizeSignal(value);
  if (signal === undefined) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a signal (e.g. SIGTERM, KILL, 9)` });
    return z.NEVER;
  }
  return signal;
});

export { processQuerySchema };

/** Params of `process.kill`. */
export const killParams = z
  .object({
    /** Any signal name or number; default SIGKILL. */
    signal: signalSchema.default('SIGKILL'),
    /** For a supervised process: revert starts it again. */
    restart: z.boolean().default(false),
  })
  .strict();

/** Params of the kinds that take none (`process.stop`, `process.cont`, `process.restart`). */
export const noParams = z.object({}).strict();

const base = { target: processQuerySchema, targetTypes: ['process'] } as const;

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'process.kill',
    params: killParams,
    ...base,
    example: { target: { name: 'api' }, params: { signal: 'SIGTERM' } },
  },
  { kind: 'process.stop', params: noParams, ...base, example: { target: { managed: 'api' }, duration: '10s' } },
  { kind: 'process.cont', params: noParams, ...base, example: { target: { pidfile: '/run/api.pid' } } },
  { kind: 'process.restart', params: noParams, ...base, example: { target: { managed: 'api' } } },
];
