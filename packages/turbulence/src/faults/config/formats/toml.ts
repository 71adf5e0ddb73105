/**
 * @module TOML through `smol-toml`: parsed and written back. smol-toml has no document model, so comments and
 * the original layout are NOT kept by an edit (values, types and tables are); revert restores the exact bytes.
 */
import { TomlError, parse as parseToml, stringify } from 'smol-toml';
import { walkPlain } from '../key-path.js';
import { notParseable, type ConfigFormat } from './types.js';

function parse(file: string, text: string): Record<string, unknown> {
  try {
    return parseToml(text);
  } catch (err) {
    const e = err as TomlError;
    const message = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    throw notParseable(file, 'TOML', message, e instanceof TomlError ? e.line : undefined, e.column);
  }
}

export const tomlFormat: ConfigFormat = {
  name: 'toml',
  keeps: 'values, types and tables; NOT comments or layout (smol-toml has no document model)',
  check(file, text) {
    parse(file, text);
  },
  get(file, text, path) {
    const { parent, key } = walkPlain(file, parse(file, text), path, false);
    return (parent as Record<string, unknown>)[String(key)];
  },
  set(file, text, path, value, create) {
    const root = parse(file, text);
    const { parent, key } = walkPlain(file, root, path, create);
    (parent as Record<string, unknown>)[String(key)] = value;
    return `${stringify(root)}\n`;
  },
  remove(file, text, path) {
    const root = parse(file, text);
    const { parent, key } = walkPlain(file, root, path, false);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[String(key)];
    return `${stringify(root)}\n`;
  },
  breakSyntax(text) {
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}[turbulence\n`;
  },
};
