/**
 * @module JSON: parsed and written back with the file's own indentation (detected from its first indented key; a
 * file on one line stays on one line) and its trailing newline. JSON has no comments; key order is kept. Numbers
 * beyond 2^53 lose precision and duplicate keys collapse to the last, as in `JSON.parse`.
 */
import { plainFormat } from './plain.js';
import { lineColumn, notParseable, type ConfigFormat } from './types.js';

function parse(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const pos = lineColumn(text, at ? Number(at[1]) : firstBadOffset(text));
    throw notParseable(file, 'JSON', message.replace(/\s+/g, ' '), pos.line, pos.column);
  }
}

/**
 * Where JSON.parse gives up, for Node versions whose message has no position: the shortest prefix that fails for
 * another reason than "unexpected end" ends at the bad character (every prefix of a valid start is a valid start).
 */
function firstBadOffset(text: string): number {
  const bad = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (err) {
      const message = (err as Error).message;
      const at = /position (\d+)/.exec(message);
      if (at) return Number(at[1]) < n && !/Unterminated/.test(message);
      return !/end of JSON input/.test(message);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bad(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function render(value: unknown, original: string): string {
  const indent = /^([ \t]+)["\]}[{\d-tfn]/m.exec(original)?.[1];
  const body = original.trim().includes('\n') ? JSON.stringify(value, null, indent ?? 2) : JSON.stringify(value);
  return `${body}${/\r?\n$/.exec(original)?.[0] ?? ''}`;
}

export const jsonFormat: ConfigFormat = plainFormat({
  name: 'json',
  keeps: 'key order, indentation and the trailing newline (JSON has no comments)',
  parse,
  render: render,
  breakSyntax(text) {
    return `${text.trimEnd()},\n`;
  },
});
