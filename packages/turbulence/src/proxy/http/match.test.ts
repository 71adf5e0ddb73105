import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { pattern, starGlob } from './match.js';

/** The reference: the glob compiled to RE2 as `pattern` does for any glob (whole value, dot-all). */
function re2Glob(text: string): (value: string) => boolean {
  let source = '';
  for (const ch of text) source += ch === '*' ? '.*' : ch === '?' ? '.' : RE2JS.quote(ch);
  const re = RE2JS.compile(`^${source}$`, RE2JS.DOTALL);
  return (value) => re.matches(value);
}

// Small alphabets, so that pieces repeat, overlap and meet the wildcards often.
const globs = fc.stringMatching(/^[ab/.*]{0,8}$/);
const fillers = fc.array(fc.stringMatching(/^[ab/.\n]{0,3}$/), { minLength: 8, maxLength: 8 });

/** Values near the glob: its pieces with fillers for the stars, then a few characters cut out (near misses). */
function near(glob: string, fill: string[], cuts: number[]): string {
  let value = glob
    .split('*')
    .map((piece, i) => (i === 0 ? piece : `${fill[i % fill.length] ?? ''}${piece}`))
    .join('');
  for (const at of cuts)
    if (value.length > 0) value = value.slice(0, at % value.length) + value.slice((at % value.length) + 1);
  return value;
}

describe('star globs', () => {
  it('answer as their RE2 form does, on values near the glob and on any value', () => {
    fc.assert(
      fc.property(
        globs,
        fillers,
        fc.array(fc.nat(20), { maxLength: 3 }),
        fc.string({ unit: 'binary', maxLength: 8 }),
        (glob, fill, cuts, any) => {
          const fast = starGlob(glob);
          if (!fast) return;
          const slow = re2Glob(glob);
          for (const v of [near(glob, fill, []), near(glob, fill, cuts), any]) {
            expect(fast(v), `${JSON.stringify(glob)} on ${JSON.stringify(v)}`).toBe(slow(v));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('leave globs with ? or non-ASCII text to RE2', () => {
    expect(starGlob('/a?b/*')).toBeUndefined();
    expect(starGlob('/é/*')).toBeUndefined();
    expect(pattern('/é/*')('/é/x')).toBe(true);
    expect(pattern('/api/*')('/api/')).toBe(true);
    expect(pattern('/api/*')('/apix')).toBe(false);
    expect(pattern('*a*a*')('aa')).toBe(true);
    expect(pattern('*aa*aa*')('aaa')).toBe(false);
  });
});
