/**
 * @module Schemas of the `config` family (pure, see `../kind-schema.ts`): bad configuration pushed to a file
 * (`config.set`, `config.delete`, `config.corrupt`) or to a process turbulence supervises (`config.env`,
 * `config.arg`).
 */
import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import type { KindSchema } from '../kind-schema.js';
import { fileQuerySchema } from '../../targets/queries.js';

/** Most bytes `config.corrupt` mode `bytes` overwrites. */
export const MAX_CORRUPT_BYTES = 4096;

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const timeout = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a duration like 10s` });
      return z.NEVER;
    }
  })
  .default(10_000);

/**
 * How the service is told to re-read its configuration, after the fault and after the revert:
 * a signal to a pid (or a pidfile's pid), a command (an argv array, never a shell string), or an HTTP call.
 */
export const reloadSchema = z.union([
  z.object({ signal: z.string().regex(/^(SIG)?[A-Z0-9]+$/), pid: z.number().int().min(2) }).strict(),
  z.object({ signal: z.string().regex(/^(SIG)?[A-Z0-9]+$/), pidfile: z.string().min(1) }).strict(),
  z.object({ command: z.array(z.string().min(1)).min(1), timeout }).strict(),
  z
    .object({
      http: z.url(),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      timeout,
    })
    .strict(),
]);

const common = {
  /** yaml | json | toml | ini | env (default: from the file name). */
  format: z.enum(['yaml', 'json', 'toml', 'ini', 'env']).optional(),
  reload: reloadSchema.optional(),
  /** Revert even when the file changed since injection (the change is overwritten with the original). */
  force: z.boolean().default(false),
};

/** Params of `config.set`. */
export const setParams = z
  .object({
    /** Key path: `server.port`, `a.b[2].c`, `hosts["eu.west"]`; for .env the variable name. */
    key: z.string().min(1),
    /** The new value (any JSON value; `--param value=9999` is the number 9999). */
    value: jsonValue,
    /** Add the key when it is missing (its parent must exist); default false: a missing key is an error. */
    create: z.boolean().default(false),
    ...common,
  })
  .strict();

/** Params of `config.delete`. */
export const deleteParams = z.object({ key: z.string().min(1), ...common }).strict();

/** Params of `config.corrupt`. */
export const corruptParams = z
  .object({
    /** truncate: cut the file; syntax: make it unparseable; type: give `key` a value of the wrong type; bytes: random bytes. */
    mode: z.enum(['truncate', 'syntax', 'type', 'bytes']),
    /** The key whose value mode `type` changes. */
    key: z.string().min(1).optional(),
    /** Mode truncate: the fraction of the file kept (default 0.5). */
    keep: z.number().min(0).max(0.99).default(0.5),
    /** Mode bytes: how many bytes are overwritten (seeded by the run's RNG). */
    count: z.number().int().min(1).max(MAX_CORRUPT_BYTES).default(16),
    ...common,
  })
  .strict()
  .refine((p) => p.mode !== 'type' || p.key !== undefined, {
    message: 'mode type needs the key whose value gets the wrong type (--param key=server.port)',
    path: ['key'],
  });

const file = { target: fileQuerySchema, targetTypes: ['file'] } as const;

/** The family's kinds, one line each. */
export const kinds: readonly KindSchema[] = [
  {
    kind: 'config.set',
    params: setParams,
    ...file,
    example: { target: { path: 'config.yaml' }, params: { key: 'server.port', value: 9999 }, duration: '30s' },
  },
  {
    kind: 'config.delete',
    params: deleteParams,
    ...file,
    example: { target: { path: 'config.yaml' }, params: { key: 'database.host' }, duration: '30s' },
  },
  {
    kind: 'config.corrupt',
    params: corruptParams,
    ...file,
    example: { target: { path: 'config.yaml' }, params: { mode: 'syntax' }, duration: '30s' },
  },
];
