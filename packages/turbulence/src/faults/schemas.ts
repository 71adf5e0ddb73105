/**
 * @module The pure registry of fault kinds for validation and the JSON Schema: every kind's params and target
 * schema, without loading a driver (no `node:child_process`, `node:net` or `node:dgram`). One line per family;
 * a family's `schema.ts` lists its kinds. The implementation registry (`kinds.ts`, `registry.ts`) serves the
 * runner; `registry.test.ts` checks that both list the same kinds with the same params schemas.
 */
import { kinds as cgroup } from './cgroup/schema.js';
import { kinds as config } from './config/schema.js';
import { kinds as dns } from './dns/schema.js';
import { kinds as container } from './docker/schema.js';
import { kinds as failpoint } from './failpoint/schema.js';
import type { KindSchema } from './kind-schema.js';
import { kinds as kubernetes } from './kubernetes/schema.js';
import { kinds as limit } from './limit/schema.js';
import { kinds as load } from './load/schema.js';
import { kinds as network } from './network/schema.js';
import { kinds as process } from './process/schema.js';
import { kinds as proxy } from './proxy/schema.js';
import { kinds as stress } from './stress/schema.js';
import { kinds as time } from './time/schema.js';

export type { KindSchema } from './kind-schema.js';

/** Every fault kind's schemas, sorted by kind. */
export const kindSchemas: readonly KindSchema[] = [
  ...process,
  ...network,
  ...limit,
  ...cgroup,
  ...stress,
  ...time,
  ...dns,
  ...proxy,
  ...failpoint,
  ...kubernetes,
  ...config,
  ...load,
  ...container,
].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));

/**
 * The schemas of a kind, or `undefined` when turbulence has no such kind.
 *
 * @example
 * kindSchema('process.kill')?.params.safeParse({ signal: 'TERM' });
 */
export function kindSchema(kind: string): KindSchema | undefined {
  return kindSchemas.find((k) => k.kind === kind);
}
