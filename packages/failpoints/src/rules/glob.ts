/** @module Tiny globs for rule conditions: `**` any characters, `*` any but `/`, `?` one character. */

const cache = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      if (c === '*' && pattern[i + 1] === '*') {
        src += '.*';
        i++;
      } else if (c === '*') src += '[^/]*';
      else if (c === '?') src += '.';
      else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 's');
    cache.set(pattern, re);
  }
  return re;
}

/**
 * True when `text` matches the glob `pattern` (whole string).
 *
 * @example
 * globMatch('/data/**', '/data/a/b.txt'); // true
 */
export function globMatch(pattern: string, text: string): boolean {
  return toRegExp(pattern).test(text);
}

/**
 * A matcher for one glob, built once. A call that does not match is usually turned away by plain string tests:
 * the literal text before the first wildcard must start the text and the literal text after the last one must end
 * it. A glob with no wildcard is a string comparison, and `prefix**suffix` needs nothing more; other globs then
 * run their regular expression.
 *
 * @example
 * const isData = compileGlob('/data/**');
 * isData('/data/a/b.txt'); // true
 */
export function compileGlob(pattern: string): (text: string) => boolean {
  const first = pattern.search(/[*?]/);
  if (first === -1) return (text) => text === pattern;
  const prefix = pattern.slice(0, first);
  const last = Math.max(pattern.lastIndexOf('*'), pattern.lastIndexOf('?'));
  const suffix = pattern.slice(last + 1);
  const min = prefix.length + suffix.length;
  const fits =
    suffix === ''
      ? (text: string): boolean => text.startsWith(prefix)
      : (text: string): boolean => text.length >= min && text.startsWith(prefix) && text.endsWith(suffix);
  if (pattern.slice(first, last + 1) === '**') return fits;
  const re = toRegExp(pattern);
  return (text) => fits(text) && re.test(text);
}
