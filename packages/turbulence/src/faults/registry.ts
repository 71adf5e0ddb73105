/**
 * @module The fault registry: kind → driver. The family is the part of the kind before the first dot
 * (`process.kill` → `process`); families are listed once in `kinds.ts` and loaded on first use.
 */
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { ErrorLocation } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { issuesToProblems } from '../experiment/schema-issues.js';
import { families } from './kinds.js';
import type { AnyDriver } from '../core/fault.js';

export type { AnyDriver } from '../core/fault.js';

const loaded = new Map<string, Promise<readonly AnyDriver[]>>();

function loadFamily(family: string): Promise<readonly AnyDriver[]> {
  let pending = loaded.get(family);
  if (!pending) {
    const load = families[family];
    if (!load) return Promise.resolve([]);
    pending = load().then(
      (mod) => mod.drivers,
      (err: unknown) => {
        loaded.delete(family);
        throw new TurbulenceError(
          ErrorCodes.UNAVAILABLE,
          `fault family ${family} failed to load: ${errorMessage(err)}`,
          {
            hint: 'run `npm run build`; when the family needs an optional package, install it',
            cause: err,
          },
        );
      },
    );
    loaded.set(family, pending);
  }
  return pending;
}

/**
 * The driver of a fault kind. Throws `FAULT_UNKNOWN_KIND`, listing the known kinds, when there is none.
 *
 * @example
 * const driver = await getDriver('process.stop');
 */
export async function getDriver(kind: string): Promise<AnyDriver> {
  const family = kind.split('.')[0] ?? '';
  const driver = (await loadFamily(family)).find((d) => d.kind === kind);
  if (driver) return driver;
  const known = (await listDrivers()).map((d) => d.kind);
  throw new TurbulenceError(ErrorCodes.FAULT_UNKNOWN_KIND, `unknown fault kind ${JSON.stringify(kind)}`, {
    hint: known.length > 0 ? `known kinds: ${known.join(', ')}` : 'no fault family is registered in faults/kinds.ts',
  });
}

/**
 * Every driver of every family, sorted by kind. A family that fails to load is passed to `onError` (default:
 * skipped), so one broken family does not hide the others.
 *
 * @example
 * for (const d of await listDrivers()) console.log(d.kind, d.summary);
 */
export async function listDrivers(onError?: (family: string, err: unknown) => void): Promise<AnyDriver[]> {
  const out: AnyDriver[] = [];
  for (const family of Object.keys(families).sort()) {
    try {
      // One module may serve several prefixes (`pod`, `node`, `workload` → kubernetes/): each lists its own kinds.
      out.push(...(await loadFamily(family)).filter((d) => d.kind.startsWith(`${family}.`)));
    } catch (err) {
      onError?.(family, err);
    }
  }
  return out.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/**
 * Validates a fault's params with its driver's schema (which also applies defaults). Schema errors become one
 * `FAULT_INVALID_PARAMS` error with a detail per problem, each pointing at its field below `where`.
 *
 * @example
 * const params = parseParams(driver, { signal: 'SIGTERM' }, { path: ['method', 0, 'provider', 'params'] });
 */
export function parseParams<P>(
  driver: { kind: string; params: AnyDriver['params'] },
  params: JsonObject | undefined,
  where: ErrorLocation = {},
): P {
  const result = driver.params.safeParse(params ?? {});
  if (result.success) return result.data as P;
  const base = where.path ?? [];
  // Problems in words a person can act on (never zod's own wording), each at its field.
  const details = issuesToProblems(result.error.issues, params ?? {}).map(
    (problem) =>
      new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, problem.message, {
        location: { ...where, path: [...base, ...problem.path] },
      }),
  );
  const first = details[0];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  throw new TurbulenceError(
    ErrorCodes.FAULT_INVALID_PARAMS,
    `invalid params for ${driver.kind}: ${first?.message ?? ''}${more}`,
    {
      location: first?.location ?? where,
      hint: `see \`turbulence fault kinds\` and docs/faults.md for the params of ${driver.kind}`,
      details: details.length > 1 ? details : [],
    },
  );
}
