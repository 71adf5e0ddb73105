/**
 * Every provider type, in one explicit list. Adding a provider is one file under `providers/` plus one line
 * here (see docs/adding-a-provider.md); nothing else switches on a provider type.
 */
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Provider } from '../experiment/types.js';
import { faultProvider } from './fault.js';
import { dnsProvider } from './dns.js';
import { dockerProvider } from './docker.js';
import { httpProvider } from './http.js';
import { k8sProvider } from './k8s.js';
import { powerfulSealProvider } from './powerfulseal.js';
import { litmusProbeProvider } from './litmus-probe.js';
import { moduleProvider } from './module.js';
import { processProvider } from './process.js';
import { pythonProvider } from './python.js';
import { tcpProvider } from './tcp.js';
import type { ProviderDefinition } from './types.js';

export {
  faultSchema,
  httpSchema,
  moduleSchema,
  processSchema,
  providerSchema,
  pythonSchema,
  tcpSchema,
} from './schemas.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own provider type
export type AnyProviderDefinition = ProviderDefinition<any>;

/** Every provider definition: the one list. */
export const providers: readonly AnyProviderDefinition[] = [
  httpProvider,
  processProvider,
  pythonProvider,
  moduleProvider,
  tcpProvider,
  faultProvider,
  dnsProvider,
  k8sProvider,
  dockerProvider,
  powerfulSealProvider,
  litmusProbeProvider,
];

/** The schema of every provider type, in list order (for assembling the experiment schema). */
export const providerSchemas: readonly z.ZodType<Provider>[] = providers.map((p) => p.schema as z.ZodType<Provider>);

/**
 * The definition of a provider type, or `undefined` for a type turbulence does not know.
 *
 * @example
 * const out = await getProvider('tcp').run({ type: 'tcp', host: '127.0.0.1', port: 80 }, ctx);
 */
export function getProvider<T extends Provider['type']>(type: T): ProviderDefinition<Extract<Provider, { type: T }>>;
export function getProvider(type: string): AnyProviderDefinition | undefined;
export function getProvider(type: string): AnyProviderDefinition | undefined {
  return providers.find((p) => p.type === type);
}

/**
 * Like {@link getProvider}, but an unknown type is an error that lists the known ones.
 *
 * @example
 * requireProvider('htp'); // throws: provider type "htp" is unknown (hint: use one of: http, process, ...)
 */
export function requireProvider(type: string): AnyProviderDefinition {
  const found = getProvider(type);
  if (found) return found;
  throw new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, `provider type ${JSON.stringify(type)} is unknown`, {
    hint: `use one of: ${providerTypes().join(', ')}`,
  });
}

/** The provider types turbulence knows, in list order. */
export function providerTypes(): string[] {
  return providers.map((p): string => String(p.type));
}
