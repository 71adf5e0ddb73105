/**
 * @module TOML through `smol-toml`: parsed and written back. smol-toml has no document model, so comments and
 * the original layout are NOT kept by an edit (values, types and tables are); revert restores the exact bytes.
 */
import { TomlError, parse as parseToml, stringify } from 'smol-toml';
import { plainFormat } from './plain.js';
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

export const tomlFormat: ConfigFormat = plainFormat({
  name: 'toml',
  keeps: 'values, types and tables; NOT comments or layout (smol-toml has no document model)',
  parse,
  render: (root) => `${stringify(root)}\n`,
  breakSyntax(text) {
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}[turbulence\n`;
  },
});
