/**
 * The `--config` file: the same array `POST /populate` takes (JSON, or YAML when the name ends in .yaml/.yml),
 * where each proxy may also list `toxics` (Toxiproxy ignores them; turbulence attaches them before the proxy
 * accepts its first connection).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';

/**
 * Reads a proxy config file.
 *
 * @example
 * // proxies.json: [{ "name": "redis", "listen": "127.0.0.1:26379", "upstream": "127.0.0.1:6379",
 * //                  "toxics": [{ "type": "latency", "attributes": { "latency": 100 } }] }]
 * const entries = await loadProxyConfig('proxies.json');
 */
export async function loadProxyConfig(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `cannot read proxy config: ${(err as Error).message}`, {
      location: { file },
      cause: err,
    });
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `proxy config is not valid: ${(err as Error).message}`, {
      location: { file },
      hint: 'the file holds a JSON (or YAML) array of proxies, the same as POST /populate',
      cause: err,
    });
  }
}
