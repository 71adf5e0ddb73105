/** @module Tiny globs for rule conditions: `**` any characters, `*` any but `/`, `?` one character. */

const cache = new Map<string, RegExp>();

/**
 * True when `text` matches the glob `pattern` (whole string).
 *
 * @example
 * globMatch('/data/**', '/data/a/b.txt'); // true
 */
export function globMatch(pattern: string, text: string): boolean {
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
  return re.test(text);
}
