/**
 * @module The edits of a format without a document model (JSON, TOML, INI): parse to plain objects, walk the key
 * path, change, and render the whole document again. Each format gives its parser, its renderer and its syntax
 * breaker; what the rendering keeps of the original layout is the format's `keeps`.
 */
import { isDeepStrictEqual } from 'node:util';
import { walkPlain } from '../key-path.js';
import { removeLine, setLine, type LineSyntax } from './lines.js';
import type { ConfigFormat } from './types.js';

/** What a plain format brings of its own. */
export interface PlainFormat<R> {
  name: ConfigFormat['name'];
  keeps: string;
  /** The document as plain objects; throws `notParseable` (with line and column where known). */
  parse(file: string, text: string): R;
  /** The edited document as text, in the style of the original where the library allows. */
  render(root: R, original: string): string;
  breakSyntax: (text: string) => string;
  /** How a value is stored (INI keeps strings); default as given. */
  store?: (value: unknown) => unknown;
  /**
   * Line edits that keep comments and layout (`./lines.ts`), tried first; a candidate is used only when this
   * format's parser reads it as exactly the edited document, else the whole document is rendered.
   */
  lines?: LineSyntax;
}

/** A {@link ConfigFormat} from a parser and a renderer. */
export function plainFormat<R>(f: PlainFormat<R>): ConfigFormat {
  const store = f.store ?? ((v: unknown) => v);
  /** The line-edited candidate when it parses to exactly `root`, else the rendered document. */
  const keep = (file: string, candidate: string | undefined, root: R, text: string): string => {
    if (candidate !== undefined) {
      try {
        if (isDeepStrictEqual(f.parse(file, candidate), root)) return candidate;
      } catch {
        // the line edit broke the document: render it instead
      }
    }
    return f.render(root, text);
  };
  return {
    name: f.name,
    keeps: f.keeps,
    check(file, text) {
      f.parse(file, text);
    },
    get(file, text, path) {
      const { parent, key } = walkPlain(file, f.parse(file, text), path, false);
      return (parent as Record<string, unknown>)[String(key)];
    },
    set(file, text, path, value, create) {
      const root = f.parse(file, text);
      const { parent, key } = walkPlain(file, root, path, create);
      (parent as Record<string, unknown>)[String(key)] = store(value);
      return keep(file, f.lines && setLine(text, path, store(value), f.lines), root, text);
    },
    remove(file, text, path) {
      const root = f.parse(file, text);
      const { parent, key } = walkPlain(file, root, path, false);
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[String(key)];
      return keep(file, f.lines && removeLine(text, path, f.lines), root, text);
    },
    breakSyntax: f.breakSyntax,
  };
}
