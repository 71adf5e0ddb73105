/** @module The shape of one configuration format: parse-check, edit by key path, and a syntax breaker. */
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import type { KeySegment } from '../key-path.js';

/** One configuration file format. Every edit takes the file's text and returns the new text. */
export interface ConfigFormat {
  readonly name: 'yaml' | 'json' | 'toml' | 'ini' | 'env';
  /** What the edits keep of the original layout (for the docs and `fault kinds`). */
  readonly keeps: string;
  /** Throws `TARGET_REFUSED` with `file:line:col` when `text` is not a valid document of this format. */
  check(file: string, text: string): void;
  /** The value at a key path (throws naming the missing part). */
  get(file: string, text: string, path: readonly KeySegment[]): unknown;
  /** `text` with the value at `path` set; with `create` the last key may be new. */
  set(file: string, text: string, path: readonly KeySegment[], value: unknown, create: boolean): string;
  /** `text` without the key at `path`. */
  remove(file: string, text: string, path: readonly KeySegment[]): string;
  /** `text` made invalid for this format (the result fails {@link check}). */
  breakSyntax(text: string): string;
}

/** The refusal for a file that does not parse (before injection: never corrupt a broken file further). */
export function notParseable(
  file: string,
  format: string,
  message: string,
  line?: number,
  column?: number,
): TurbulenceError {
  return new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${file} is not valid ${format}: ${message}`, {
    location: {
      file,
      ...(line !== undefined ? { line } : {}),
      ...(column !== undefined ? { column } : {}),
    },
    hint: `fix the file first (turbulence does not change a file that is already broken), or pass --param format=... when ${format} is the wrong guess`,
  });
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
