/**
 * @module `.env` files, edited line by line: the key path is one variable name (`PORT`, `DATABASE_URL`). Only
 * the variable's own line changes (an `export ` prefix stays), so comments, order and blank lines are all kept.
 * Each line must be blank, a `#` comment, or `[export ]NAME=value`; anything else is refused as not parseable.
 */
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import { keyNotFound, type KeySegment } from '../key-path.js';
import { notParseable, type ConfigFormat } from './types.js';

const LINE = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*=\s*)(.*)$/;

interface EnvLine {
  index: number;
  name: string;
  prefix: string;
  eq: string;
  raw: string;
}

function parse(file: string, text: string): { lines: string[]; vars: EnvLine[] } {
  const lines = text.split('\n');
  const vars: EnvLine[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw notParseable(file, '.env', 'expected NAME=value', i + 1, line.search(/\S/) + 1);
    vars.push({ index: i, prefix: m[1]!, name: m[2]!, eq: m[3]!, raw: m[4]! });
  }
  return { lines, vars };
}

function nameOf(file: string, path: readonly KeySegment[]): string {
  const [name, ...more] = path;
  if (typeof name !== 'string' || more.length > 0) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `${file}: a .env key is one variable name`, {
      location: { file, path: ['params', 'key'] },
      hint: 'e.g. --param key=PORT (a .env file has no sections or lists)',
    });
  }
  return name;
}

function find(file: string, text: string, path: readonly KeySegment[]) {
  const parsed = parse(file, text);
  const name = nameOf(file, path);
  const found = parsed.vars.filter((v) => v.name === name).at(-1); // the last assignment wins, as in shells
  return { ...parsed, name, found };
}

function unquote(raw: string): string {
  const v = raw.trim();
  if (/^"(?:[^"\\]|\\.)*"$/.test(v)) return JSON.parse(v) as string;
  if (/^'[^']*'$/.test(v)) return v.slice(1, -1);
  return v.replace(/\s+#.*$/, '');
}

function quote(value: unknown): string {
  const s = value === null || typeof value !== 'object' ? String(value) : JSON.stringify(value);
  return /^[A-Za-z0-9_./:@,+-]*$/.test(s) ? s : JSON.stringify(s);
}

export const envFormat: ConfigFormat = {
  name: 'env',
  keeps: 'everything but the one line of the variable (comments, order, blank lines, export prefixes)',
  check(file, text) {
    parse(file, text);
  },
  get(file, text, path) {
    const { found, vars } = find(file, text, path);
    if (!found) throw keyNotFound(file, path, 0, [...new Set(vars.map((v) => v.name))]);
    return unquote(found.raw);
  },
  set(file, text, path, value, create) {
    const { found, vars, lines, name } = find(file, text, path);
    if (!found) {
      if (!create) throw keyNotFound(file, path, 0, [...new Set(vars.map((v) => v.name))]);
      const sep = text === '' || text.endsWith('\n') ? '' : '\n';
      return `${text}${sep}${name}=${quote(value)}\n`;
    }
    const cr = lines[found.index]!.endsWith('\r') ? '\r' : '';
    lines[found.index] = `${found.prefix}${name}${found.eq}${quote(value)}${cr}`;
    return lines.join('\n');
  },
  remove(file, text, path) {
    const { found, vars, lines } = find(file, text, path);
    if (!found) throw keyNotFound(file, path, 0, [...new Set(vars.map((v) => v.name))]);
    lines.splice(found.index, 1);
    return lines.join('\n');
  },
  breakSyntax(text) {
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}turbulence syntax error\n`;
  },
};
