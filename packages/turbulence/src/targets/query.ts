/**
 * @module The one grammar of target queries and labels. An experiment writes a query as an object
 * (`target: { name: redis-server }`); the CLI writes the same query as repeatable `--target key=value` flags, which
 * {@link parsePairs} turns into that object. Values that look like JSON (numbers, booleans, null, arrays, objects)
 * are parsed, so `--target pid=42` and `target: { pid: 42 }` are the same query.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * `k=v` pairs → object; values that look like JSON (numbers, booleans, arrays, objects) are parsed.
 *
 * @example
 * parsePairs(['lab=etcd', 'hosts=["n1","n2"]'], '--target'); // { lab: 'etcd', hosts: ['n1', 'n2'] }
 */
export function parsePairs(pairs: readonly string[], flag: string): JsonObject {
  const obj: JsonObject = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new TurbulenceError(ErrorCodes.USAGE, `${flag} ${JSON.stringify(pair)} is not key=value`, {
        hint: `e.g. ${flag} pid=4242 or ${flag} signal=SIGTERM`,
      });
    }
    obj[pair.slice(0, eq)] = parseValue(pair.slice(eq + 1));
  }
  return obj;
}

function parseValue(text: string): JsonValue {
  if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(text) || /^[[{]/.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}
