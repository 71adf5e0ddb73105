/**
 * `{type: "regex", pattern, target?}`: the pattern (after `${...}` substitution) is *searched* (not fully
 * matched) in the (targeted) value, as Python's `re.search`. Python-only syntax is translated: `(?P<name>`,
 * `(?P=name)`, `\A`, `\Z`; other Python features (inline flags other than at the start, possessive
 * quantifiers) are not supported.
 */
import { z } from 'zod';
import type { ToleranceKind } from './kind.js';
import { pickTarget, pyType, show, targetName, toleranceError } from './pyvalue.js';
import { strictObject } from '../strict.js';

/**
 * Compiles a Python regular expression into a JavaScript one (Unicode mode, like Python 3 `str` patterns).
 *
 * @example
 * pythonRegex('(?P<code>\\d+) OK').exec('200 OK')?.groups?.code; // '200'
 */
export function pythonRegex(pattern: string): RegExp {
  let flags = 'u';
  let body = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1] ?? '') if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  body = body
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\Z/g, '$1$(?![\\s\\S])');
  return new RegExp(body, flags);
}

const schema = strictObject(
  {
    type: z.literal('regex'),
    pattern: z.string(),
    target: z.string().optional(),
  },
  'a regex tolerance',
);
/** A `regex` tolerance, derived from its schema. */
export type RegexTolerance = z.output<typeof schema>;

/** The `regex` tolerance kind. */
export const regexKind: ToleranceKind<RegexTolerance> = {
  type: 'regex',
  schema,
  check(tol, output, ctx) {
    const pattern = ctx.substitute(tol.pattern);
    const what = targetName(tol.target);
    if (typeof pattern !== 'string') return { met: false, reason: `pattern ${show(pattern)} is not text` };
    let rx: RegExp;
    try {
      rx = pythonRegex(pattern);
    } catch (err) {
      return { met: false, reason: `pattern /${pattern}/ does not compile: ${(err as Error).message}` };
    }
    const value = pickTarget(output, tol.target);
    if (typeof value !== 'string') {
      // re.search(pattern, <not a str>) raises TypeError in chaoslib/hypothesis.py: the run aborts.
      throw toleranceError(
        `regex tolerance: ${what} ${show(value)} is not text`,
        `TypeError: expected string or bytes-like object, got '${pyType(value)}'`,
      );
    }
    const met = rx.test(value);
    return { met, reason: `${what} ${met ? 'matches' : 'does not match'} /${pattern}/` };
  },
  describe: (tol) => `regex /${tol.pattern}/${tol.target ? ` on ${tol.target}` : ''}`,
};
