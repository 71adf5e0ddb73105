/**
 * The zod schema of every provider object, key for key as Chaos Toolkit reads it (§7 of the format spec) plus
 * our providers. Kept apart from the provider implementations so the experiment schema can be assembled
 * without loading `node:child_process`, `node:net` or fetch.
 *
 * Objects are strict: an unknown key is an error naming the nearest valid key (Chaos Toolkit ignores unknown
 * keys; a typo silently ignored is how a run tests nothing). This file is the pure provider-schema registry:
 * validation and the JSON Schema use {@link providerSchema}; the runner uses the implementations in `index.ts`.
 */
import { z } from 'zod';
import { strictObject } from '../experiment/strict.js';
import { dnsSchema } from './dns-schema.js';
import type { DnsProvider } from './dns-schema.js';
import { k8sSchema } from './k8s-schema.js';
import type { K8sProvider } from './k8s-schema.js';
import { dockerSchema } from './docker-schema.js';
import type { DockerProvider } from './docker-schema.js';
import { powerfulSealProviderSchema, type PowerfulSealProvider } from './powerfulseal-schema.js';
import { litmusProbeSchema, type LitmusProbeProvider } from './litmus-probe-schema.js';

const nonEmpty = (what: string) => z.string().min(1, { message: `${what} must be a non-empty string` });
const secretScopes = z.array(z.string()).optional();
const seconds = z.number().nonnegative();
/** A lone `${name}` placeholder: substituted (typed) before the provider runs (Chaos Toolkit §5). */
const placeholder = z
  .string()
  .regex(/^\$\{[_a-zA-Z][_a-zA-Z0-9]*\}$/, { message: 'expected a number or a "${name}" placeholder' });

/** `{type: "http", url, method?, headers?, arguments?, timeout?, verify_tls?, max_retries?, secrets?, expected_status?}` */
const httpObject = strictObject(
  {
    type: z.literal('http'),
    url: nonEmpty('url'),
    method: z.string().optional(),
    headers: z.record(z.string(), z.string(), { message: 'headers must be a map of strings' }).optional(),
    arguments: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.string()]).optional(),
    timeout: z
      .union([seconds, placeholder, z.tuple([seconds, seconds])], {
        error: 'timeout must be seconds, [connect, read] seconds, or a "${name}" placeholder',
      })
      .optional(),
    verify_tls: z.boolean().optional(),
    max_retries: z.number().int().nonnegative().optional(),
    secrets: secretScopes,
    /** Honoured only in strict mode (Chaos Toolkit ignores it since 0.10). */
    expected_status: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  },
  'the http provider',
);

/** `{type: "process", path, arguments?, timeout?, secrets?, env?, cwd?}` */
const processObject = strictObject(
  {
    type: z.literal('process'),
    path: nonEmpty('path'),
    arguments: z
      .union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown())], {
        error: 'arguments must be a string, a list or an object',
      })
      .optional(),
    timeout: seconds.optional(),
    secrets: secretScopes,
    /** Ours: extra environment variables. */
    env: z.record(z.string(), z.string()).optional(),
    /** Ours: working directory. */
    cwd: z.string().optional(),
  },
  'the process provider',
);

/** `{type: "python", module, func, arguments?, secrets?}` */
const pythonObject = strictObject(
  {
    type: z.literal('python'),
    module: nonEmpty('module'),
    func: nonEmpty('func'),
    arguments: z.record(z.string(), z.unknown()).optional(),
    secrets: secretScopes,
  },
  'the python provider',
);

/** Ours: `{type: "module", module, func, arguments?, secrets?}` — a JS/TS export. */
const moduleObject = strictObject(
  {
    type: z.literal('module'),
    module: nonEmpty('module'),
    func: nonEmpty('func'),
    arguments: z.record(z.string(), z.unknown()).optional(),
    secrets: secretScopes,
  },
  'the module provider',
);

/** Ours: `{type: "tcp", host, port, timeout?}` — a TCP connect check. */
const tcpObject = strictObject(
  {
    type: z.literal('tcp'),
    host: nonEmpty('host'),
    port: z.union([z.number().int().min(1).max(65535), z.string().min(1)], {
      error: 'port must be a number from 1 to 65535 (or a "${name}" string)',
    }),
    timeout: seconds.optional(),
  },
  'the tcp provider',
);

/** Ours: `{type: "fault", kind, target?, select?, params?, duration?}` — inject a fault kind from the registry. */
const faultObject = strictObject(
  {
    type: z.literal('fault'),
    kind: nonEmpty('kind'),
    target: z.record(z.string(), z.unknown()).optional(),
    /** `all | one | count(n) | percent(p) | random-max-percent(p)`. */
    select: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    /** Seconds (number) or a duration string like `30s`; the fault reverts itself after it. */
    duration: z.union([seconds, z.string()]).optional(),
  },
  'the fault provider',
);

/** Schema of the `http` provider. */
export const httpSchema = httpObject;
/** The `http` provider object, derived from its schema. */
export type HttpProvider = z.output<typeof httpObject>;
/** Schema of the `process` provider. */
export const processSchema = processObject;
/** The `process` provider object, derived from its schema. */
export type ProcessProvider = z.output<typeof processObject>;
/** Schema of the `python` provider. */
export const pythonSchema = pythonObject;
/** The `python` provider object, derived from its schema. */
export type PythonProvider = z.output<typeof pythonObject>;
/** Schema of the `module` provider. */
export const moduleSchema = moduleObject;
/** The `module` provider object, derived from its schema. */
export type ModuleProvider = z.output<typeof moduleObject>;
/** Schema of the `tcp` provider. */
export const tcpSchema = tcpObject;
/** The `tcp` provider object, derived from its schema. */
export type TcpProvider = z.output<typeof tcpObject>;
/** Schema of the `fault` provider. */
export const faultSchema = faultObject;
/** The `fault` provider object, derived from its schema. */
export type FaultProvider = z.output<typeof faultObject>;

/** Any provider of an activity or probe tolerance, tagged by `type`. */
export type Provider =
  | HttpProvider
  | ProcessProvider
  | PythonProvider
  | ModuleProvider
  | TcpProvider
  | FaultProvider
  | DnsProvider
  | K8sProvider
  | DockerProvider
  | PowerfulSealProvider
  | LitmusProbeProvider;
export type ProviderType = Provider['type'];

/**
 * Every provider type's schema, one line each (the implementations are listed in `index.ts`). `checks` marks
 * the types whose definition has a `validate()` hook (executable on PATH, module resolves): only those make
 * validation load the implementations.
 */
export const providerSchemaList: readonly { type: string; schema: z.ZodType; checks?: true }[] = [
  { type: 'http', schema: httpSchema },
  { type: 'process', schema: processSchema, checks: true },
  { type: 'python', schema: pythonSchema, checks: true },
  { type: 'module', schema: moduleSchema, checks: true },
  { type: 'tcp', schema: tcpSchema },
  { type: 'fault', schema: faultSchema },
  { type: 'dns', schema: dnsSchema },
  { type: 'k8s', schema: k8sSchema },
  { type: 'docker', schema: dockerSchema },
  { type: 'powerfulseal', schema: powerfulSealProviderSchema },
  { type: 'litmus-probe', schema: litmusProbeSchema, checks: true },
];

/** The provider types turbulence knows, in list order. */
export const providerTypeNames: readonly string[] = providerSchemaList.map((p) => p.type);

/**
 * Any provider object, discriminated by `type` (each type checked by its own schema). Use it for
 * `activity.provider` and probe tolerances in the experiment schema.
 */
export const providerSchema: z.ZodType<Provider> = z.discriminatedUnion(
  'type',
  providerSchemaList.map((p) => p.schema) as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>],
  { error: () => `provider type must be one of: ${providerTypeNames.join(', ')}` },
) as unknown as z.ZodType<Provider>;
