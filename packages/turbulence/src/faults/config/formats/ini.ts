/**
 * @module INI through `ini` (v5): `server.port` is key `port` of section `[server]`. The `ini` package is lenient
 * (it never fails), so turbulence first checks each line itself: blank, a `;`/`#` comment, `[section]`, `key = value`
 * or a bare `key`. An edit writes the file back with `ini.stringify` (keeping ` = ` spacing when the file uses it):
 * values and sections stay, comments and alignment do NOT; revert restores the exact bytes.
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

export const iniFormat: ConfigFormat = plainFormat({
  name: 'ini',
  keeps: 'keys, values and sections; NOT comments or alignment (ini has no document model)',
  parse,
  render: render,
  store: asIniValue,
  breakSyntax(text) {
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}[turbulence\n`;
  },
});
