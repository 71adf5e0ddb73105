/**
 * @module Every configuration format, one line each, and the guess from a file name.
 *
 *   .yaml .yml → yaml    .json → json    .toml → toml    .ini .cfg .conf → ini    .env, .env.*, *.env → env
 */
import { basename, extname } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import { envFormat } from './env.js';
import { iniFormat } from './ini.js';
import { jsonFormat } from './json.js';
import { tomlFormat } from './toml.js';
import type { ConfigFormat } from './types.js';
import { yamlFormat } from './yaml.js';

export type { ConfigFormat } from './types.js';

/** Every format, one line each. */
export const formats: readonly ConfigFormat[] = [yamlFormat, jsonFormat, tomlFormat, iniFormat, envFormat];

const byExtension: Readonly<Record<string, ConfigFormat['name']>> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.toml': 'toml',
  '.ini': 'ini',
  '.cfg': 'ini',
  '.conf': 'ini',
  '.env': 'env',
};

/**
 * The format of a file: `given` (the `format` param) or the guess from its name.
 *
 * @example
 * formatOf('/etc/app/config.yml').name; // 'yaml'
 */
export function formatOf(file: string, given?: string): ConfigFormat {
  const base = basename(file);
  const name =
    given ?? (base === '.env' || base.startsWith('.env.') ? 'env' : byExtension[extname(base).toLowerCase()]);
  const format = formats.find((f) => f.name === name);
  if (format) return format;
  throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `cannot tell the format of ${file} from its name`, {
    location: { file, path: ['params', 'format'] },
    hint: `pass --param format=${formats.map((f) => f.name).join('|')}`,
  });
}
