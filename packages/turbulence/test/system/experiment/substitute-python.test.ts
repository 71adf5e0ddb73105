/**
 * `substitute` against the real thing: Python's `string.Template.safe_substitute` over a ChainMap of configuration
 * and secrets scopes, as Chaos Toolkit calls it (chaoslib/__init__.py `substitute`). Random templates (fixed seed)
 * built from the characters that matter (`$`, braces, name characters, dashes, dots) and random values (strings,
 * ints, non-integer floats, booleans, null, dicts, lists: Template applies Python `str()` to each) go through
 * python3 in one batch; every answer must match. The same batch checks `pyStr` against `str()` and `pyJsonDumps`
 * against `json.dumps()` (requests' `json=` body, chaoslib/provider/http.py).
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { substituteString, type SubstitutionScope } from '../../../src/experiment/substitute.js';
import { pyJsonDumps, pyStr } from '../../../src/providers/pystr.js';
import { requireSystem } from '../../support/system.js';

const sys = requireSystem('python3');

const PYTHON = `
import json, sys
from collections import ChainMap
from string import Template
data = json.load(sys.stdin)
out = []
for c in data["cases"]:
    mapping = ChainMap(c["configuration"], *c["secrets"].values())
    out.append(Template(c["template"]).safe_substitute(mapping))
strs = [str(v) for v in data["values"]]
dumps = [json.dumps(v) for v in data["values"]]
json.dump({"templates": out, "str": strs, "dumps": dumps}, sys.stdout)
`;

interface Case extends SubstitutionScope {
  template: string;
}

const pieces = fc.constantFrom(
  '$',
  '$$',
  '${',
  '}',
  '{',
  'host',
  'Host',
  'port',
  '_x1',
  'a-b',
  '.',
  ' ',
  'x',
  '9',
  'é',
);
// Whole floats are left out: JavaScript reads JSON 2.0 as 2 (a documented difference).
const float = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d));
const scalar = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.integer({ min: -100, max: 100000 }),
  float,
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
);
const arbCase: fc.Arbitrary<Case> = fc.record({
  template: fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')),
  configuration: fc.dictionary(fc.constantFrom('host', 'Host', '_x1', 'a'), value, { maxKeys: 3 }),
  secrets: fc.dictionary(
    fc.constantFrom('s1', 's2'),
    fc.dictionary(fc.constantFrom('host', 'port', 'x'), value, { maxKeys: 2 }),
    { maxKeys: 2 },
  ),
});

/** JSON values without whole floats (`2.0`), which JavaScript cannot tell from ints; `-0` likewise. */
function noWholeFloat(v: unknown): boolean {
  if (typeof v === 'number') return !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(noWholeFloat);
  if (v !== null && typeof v === 'object') return Object.values(v).every(noWholeFloat);
  return true;
}

describe.skipIf(sys.skip)('substitute matches Python string.Template.safe_substitute', () => {
  it('gives the same text as python3 for 2000 random templates', () => {
    const cases = fc.sample(arbCase, { numRuns: 2000, seed: 20261125 });
    const values = fc.sample(fc.jsonValue({ maxDepth: 2 }).filter(noWholeFloat), { numRuns: 500, seed: 20261207 });
    const input = JSON.stringify({ cases, values });
    const answer = JSON.parse(execFileSync('python3', ['-c', PYTHON], { input, encoding: 'utf8' })) as {
      templates: string[];
      str: string[];
      dumps: string[];
    };
    const expected = answer.templates;
    // Python str() of any JSON value, and json.dumps() with its default separators.
    const strs = values.map((v, i) => ({ v, python: answer.str[i], turbulence: pyStr(v) }));
    expect(strs.filter((m) => m.python !== m.turbulence).slice(0, 5)).toEqual([]);
    const dumps = values.map((v, i) => ({ v, python: answer.dumps[i], turbulence: pyJsonDumps(v) }));
    expect(dumps.filter((m) => m.python !== m.turbulence).slice(0, 5)).toEqual([]);
    // A lone "${name}" keeps its type in turbulence (and in chaoslib); as text it must read the same.
    const actual = cases.map((c) => String(substituteString(c.template, c)));
    const mismatches = cases
      .map((c, i) => ({ template: c.template, scope: c, python: expected[i], turbulence: actual[i] }))
      .filter((m) => m.python !== m.turbulence);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(expected).toHaveLength(2000);
    // the sample must exercise substitution, not only pass text through
    expect(cases.filter((c, i) => expected[i] !== c.template).length).toBeGreaterThan(200);
  });

  // Chaos Toolkit's documented cases (chaoslib tests/test_substitution.py style): dict and float through str().
  it('renders dicts, floats and booleans inside a longer string as Python str() does', () => {
    const scope = { configuration: { d: { a: 1, b: [true, null] }, f: 2.5, tiny: 1e-5, b: false }, secrets: {} };
    expect(substituteString('x=${d}', scope)).toBe("x={'a': 1, 'b': [True, None]}");
    expect(substituteString('f=${f} t=${tiny} b=${b}', scope)).toBe('f=2.5 t=1e-05 b=False');
    expect(substituteString('${d}', scope)).toEqual({ a: 1, b: [true, null] }); // alone: typed
  });
});
