/**
 * @module INI through `ini` (v5): `server.port` is key `port` of section `[server]`. The `ini` package is lenient
 * (it never fails), so turbulence first checks each line itself: blank, a `;`/`#` comment, `[section]`, `key = value`
 * or a bare `key`. An edit first tries a line edit of the one `key = value` line (`./lines.ts`: comments and
 * alignment kept), used only when `ini` parses it to exactly the edited document; otherwise the file is written
 * back with `ini.stringify` (keeping ` = ` spacing when the file uses it): values and sections stay, comments and
 * alignment do NOT. Revert always restores the exact bytes.
 */
import { parse as parseIni, stringify } from 'ini';
import { plainFormat } from './plain.js';
import { notParseable, type ConfigFormat } from './types.js';

function parse(file: string, text: string): Record<string, unknown> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (line.startsWith('[') ? /^\[[^\]]+\]$/.test(line) : !line.startsWith('=')) continue;
    const why = line.startsWith('[') ? 'a section header needs a closing "]"' : 'a key is missing before "="';
    throw notParseable(file, 'INI', why, i + 1, lines[i]!.indexOf(line[0]!) + 1);
  }
  return parseIni(text);
}

function render(root: Record<string, unknown>, original: string): string {
  return stringify(root, { whitespace: /^[^=\n;#[]*?\S \s*=/m.test(original) });
}

const asIniValue = (v: unknown): unknown => (v === null || typeof v !== 'object' ? String(v) : v);

/** A value as `ini` writes it (quoted when it must be); undefined for a section. */
function iniLiteral(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object') return undefined;
  const m = /^v=(.*)\n$/.exec(stringify({ v: value }));
  return m?.[1];
}

export const iniFormat: ConfigFormat = plainFormat({
  name: 'ini',
  keeps:
    'everything but the edited line when the key has one `key = value` line (comments, alignment); otherwise keys, values and sections, NOT comments',
  parse,
  render: render,
  lines: { comment: ';#', dottedKeys: false, literal: iniLiteral },
  store: asIniValue,
  breakSyntax(text) {
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}[turbulence\n`;
  },
});
