/**
 * @module Schemas of the `config` family (pure, see `../kind-schema.ts`): bad configuration pushed to a file
 * (`config.set`, `config.delete`, `config.corrupt`) or to a process turbulence supervises (`config.env`,
 * `config.arg`).
 */
import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import type { KindSchema } from '../kind-schema.js';
import { fileQuerySchema, supervisedQuerySchema } from '../../targets/queries.js';

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

/** A value as a process sees it: text (`--param value=9999` arrives as a number and is passed as "9999"). */
const processText = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** Params of `config.env`. */
export const envParams = z
  .object({
    /** The environment variable, e.g. `DATABASE_URL`. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      message: 'is not an environment variable name (letters, digits and _, not starting with a digit)',
    }),
    /** Its new value. */
    value: processText.optional(),
    /** Remove the variable instead (the process starts without it). */
    unset: z.boolean().default(false),
    /** Add the variable when the process does not have it; default false: a missing variable is an error. */
    create: z.boolean().default(false),
  })
  .strict()
  .refine((p) => (p.value !== undefined) !== p.unset, {
    message: 'give either value (the new value) or unset=true (remove the variable)',
    path: ['value'],
  });

/** Params of `config.arg`. */
export const argParams = z
  .object({
    /** The flag as written in the arguments, e.g. `--port` or `-p` (found as `--port=V` or `--port V`). */
    flag: z.string().regex(/^--?[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: 'is not a flag like --port or -p' }),
    /** Its new value. Without it (and without remove), create adds the flag alone (a switch like --debug). */
    value: processText.optional(),
    /** Remove the flag (and the value after it). */
    remove: z.boolean().default(false),
    /** Add the flag (as `--flag value`) when the arguments do not have it; default false: a missing flag is an error. */
    create: z.boolean().default(false),
  })
  .strict()
  .refine((p) => !(p.remove && (p.value !== undefined || p.create)), {
    message: 'remove=true takes no value and no create',
    path: ['remove'],
  })
  .refine((p) => p.remove || p.value !== undefined || p.create, {
    message: 'give value (the new value), remove=true, or create=true for a switch without a value',
    path: ['value'],
  });

const supervised = { target: supervisedQuerySchema, targetTypes: ['process'] } as const;

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
  {
    kind: 'config.env',
    params: envParams,
    ...supervised,
    example: {
      target: { managed: 'api' },
      params: { name: 'DATABASE_URL', value: 'postgres://nowhere/db' },
      duration: '30s',
    },
  },
  {
    kind: 'config.arg',
    params: argParams,
    ...supervised,
    example: { target: { managed: 'api' }, params: { flag: '--max-connections', value: 1 }, duration: '30s' },
  },
];
