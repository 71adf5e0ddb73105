/**
 * `substitute` against the real thing: Python's `string.Template.safe_substitute` over a ChainMap of configuration
 * and secrets scopes, as Chaos Toolkit calls it. Random templates (fixed seed) built from the characters that
 * matter (`$`, braces, name characters, dashes, dots) go through python3 in one batch; every answer must match.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { substituteString, type SubstitutionScope } from '../../../src/experiment/substitute.js';
import { requireSystem } from '../../support/system.js';

const sys = requireSystem('python3');

const PYTHON = `
import json, sys
from collections import ChainMap
from string import Template
cases = json.load(sys.stdin)
out = []
for c in cases:
    mapping = ChainMap(c["configuration"], *c["secrets"].values())
    out.append(Template(c["template"]).safe_substitute(mapping))
json.dump(out, sys.stdout)
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
const value = fc.oneof(fc.string({ maxLength: 5 }), fc.integer({ min: -100, max: 100000 }));
const arbCase: fc.Arbitrary<Case> = fc.record({
  template: fc.array(pieces, { maxLength: 12 }).map((p) => p.join('')),
  configuration: fc.dictionary(fc.constantFrom('host', 'Host', '_x1', 'a'), value, { maxKeys: 3 }),
  secrets: fc.dictionary(
    fc.constantFrom('s1', 's2'),
    fc.dictionary(fc.constantFrom('host', 'port', 'x'), value, { maxKeys: 2 }),
    { maxKeys: 2 },
  ),
});

describe.skipIf(sys.skip)('substitute matches Python string.Template.safe_substitute', () => {
  it('gives the same text as python3 for 2000 random templates', () => {
    const cases = fc.sample(arbCase, { numRuns: 2000, seed: 20261125 });
    const input = JSON.stringify(cases);
    const expected = JSON.parse(execFileSync('python3', ['-c', PYTHON], { input, encoding: 'utf8' })) as string[];
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
});
