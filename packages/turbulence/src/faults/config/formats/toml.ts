/**
 * @module TOML through `smol-toml`. smol-toml has no document model, so an edit first tries a line edit of the
 * one `key = value` line (`./lines.ts`: comments and layout kept), used only when smol-toml parses it to exactly
 * the edited document; otherwise the document is written back whole (values, types and tables kept, NOT
 * comments or layout). Revert always restores the exact bytes.
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

/** A value as TOML writes it on one line (`9999`, `"x"`, `[ 1, 2 ]`); undefined for a table. */
function tomlLiteral(value: unknown): string | undefined {
  let out: string;
  try {
    out = stringify({ v: value });
  } catch {
    return undefined;
  }
  const m = /^v = (.*)\n?$/.exec(out);
  return m && !m[1]!.includes('\n') ? m[1] : undefined;
}

export const tomlFormat: ConfigFormat = plainFormat({
  name: 'toml',
  keeps:
    'everything but the edited line when the key has a one-line `key = value` (comments, layout); otherwise values, types and tables, NOT comments or layout',
  parse,
  render: (root) => `${stringify(root)}\n`,
  lines: { comment: '#', dottedKeys: true, literal: tomlLiteral },
  breakSyntax(text) {
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}[turbulence\n`;
  },
});
