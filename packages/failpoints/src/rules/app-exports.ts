/**
 * @module Run-time side of rules on an application's own exports: the loader hook re-exports each function of
 * a selected module through {@link wrapExport}, which consults the rules for `app:<module>#<export>` on every call.
 */
import { rulesEngine } from './engine.js';
import type { TargetDef } from './types.js';

type Fn = (...args: unknown[]) => unknown;

function isPlainFunction(value: unknown): value is Fn {
  return typeof value === 'function' && !/^class[\s{]/.test(Function.prototype.toString.call(value));
}

/**
 * Wraps one export (classes and non-functions pass through unchanged).
 *
 * @example
 * export const commit = wrapExport('src/store.js', 'commit', original.commit);
 */
export function wrapExport(module: string, name: string, value: unknown): unknown {
  if (!isPlainFunction(value)) return value;
  const def: TargetDef = {
    name: `app:${module}#${name}`,
    owner: () => ({}),
    key: name,
    style: 'auto',
    facts: {},
    errno: () => ({}),
  };
  return rulesEngine().wrap(def, value);
}
