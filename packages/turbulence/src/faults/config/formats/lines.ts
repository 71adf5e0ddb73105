/**
 * @module Line edits of sectioned formats (TOML tables, INI sections) that keep every other byte: the comments,
 * blank lines, alignment and order that `smol-toml` and `ini` (no document model) lose when they write a file.
 *
 *   find the one `key = value` line of the key path (section headers tracked) ──▶ replace its value (keeping a
 *   trailing comment) or drop the line ──▶ candidate text
 *
 * A candidate is only ever used after the format's own library parsed it to exactly the document the plain edit
 * gives (`plain.ts`); anything this scanner cannot place with certainty (a key written twice, a multi-line value,
 * quoted keys, a new key) returns undefined and the format falls back to rendering the whole document.
 */
import type { KeySegment } from '../key-path.js';

/** What differs between TOML and INI lines. */
export interface LineSyntax {
  /** Characters that start a comment outside quotes. */
  comment: string;
  /** Whether `a.b = 1` is key `b` of table `a` (TOML), or a key named `a.b` (INI). */
  dottedKeys: boolean;
  /** The value as written in this format, or undefined when it has no one-line form. */
  literal(value: unknown): string | undefined;
}

interface Assignment {
  line: number;
  /** Offsets in the line: where the value starts and ends (before a trailing comment and blanks). */
  start: number;
  end: number;
}

const HEADER = /^\s*\[([^[\]"']+)\]\s*(?:[#;].*)?$/;
const ARRAY_HEADER = /^\s*\[\[/;
const KEY = /^\s*([A-Za-z0-9_.\- ]+?)\s*=/;

/** Where the value of `line` (after its `=`) ends: at a comment outside quotes; -1 for a multi-line value. */
function valueEnd(line: string, from: number, comment: string): number {
  const rest = line.slice(from).trimStart();
  if (rest.startsWith('"""') || rest.startsWith("'''")) return -1;
  let quote: string | undefined;
  let depth = 0;
  let end = line.length;
  for (let i = from; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i += 1;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth += 1;
    else if (ch === ']' || ch === '}') depth -= 1;
    else if (comment.includes(ch)) {
      end = i;
      break;
    }
  }
  if (quote || depth !== 0) return -1;
  while (end > from && /\s/.test(line[end - 1]!)) end -= 1;
  return end;
}

/** The one assignment line of `path`, or undefined when there is none, several, or one this scanner cannot edit. */
function findAssignment(lines: readonly string[], path: readonly KeySegment[], s: LineSyntax): Assignment | undefined {
  if (path.some((p) => typeof p !== 'string')) return undefined;
  const want = (path as string[]).join('\u0000');
  let section: string[] = [];
  let found: Assignment | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || s.comment.includes(trimmed[0]!)) continue;
    if (ARRAY_HEADER.test(line)) {
      section = ['\u0001'];
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      section = header[1]!.split('.').map((p) => p.trim());
      continue;
    }
    if (trimmed.startsWith('[')) return undefined; // a header this scanner does not read (quoted parts)
    const key = KEY.exec(line);
    if (!key) continue;
    const name = key[1]!.trim();
    const keyPath = [...section, ...(s.dottedKeys ? name.split('.').map((p) => p.trim()) : [name])];
    if (keyPath.join('\u0000') !== want) continue;
    if (found) return undefined; // written twice: let the library decide
    const start = key[0].length + (/^\s*/.exec(line.slice(key[0].length))?.[0].length ?? 0);
    const end = valueEnd(line, start, s.comment);
    if (end < 0) return undefined;
    found = { line: i, start, end };
  }
  return found;
}

/**
 * `text` with the value at `path` replaced, every other byte kept; undefined when the line cannot be placed.
 *
 * @example
 * setLine('[server]\nport = 8080 # public\n', ['server', 'port'], 9999, toml); // '[server]\nport = 9999 # public\n'
 */
export function setLine(text: string, path: readonly KeySegment[], value: unknown, s: LineSyntax): string | undefined {
  const literal = s.literal(value);
  if (literal === undefined) return undefined;
  const lines = text.split('\n');
  const at = findAssignment(lines, path, s);
  if (!at) return undefined;
  const line = lines[at.line]!;
  lines[at.line] = `${line.slice(0, at.start)}${literal}${line.slice(at.end)}`;
  return lines.join('\n');
}

/** `text` without the line of the key at `path`; undefined when the line cannot be placed. */
export function removeLine(text: string, path: readonly KeySegment[], s: LineSyntax): string | undefined {
  const lines = text.split('\n');
  const at = findAssignment(lines, path, s);
  if (!at) return undefined;
  lines.splice(at.line, 1);
  return lines.join('\n');
}
