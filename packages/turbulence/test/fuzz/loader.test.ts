/**
 * Fuzzing the experiment loader and validator (issue 14): whatever the text, `parseExperiment` +
 * `validateExperiment` return or throw a TurbulenceError with a code and a `file:line` location — never another
 * error, never a stack overflow, never a hang. Fixed seed and a bounded budget, so a failure replays.
 *
 * Inputs: random text, JSON and YAML renderings of random values, mutations of the real example experiments
 * (a character changed, a slice duplicated, a key renamed), deep nesting and alias bombs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../../src/core/errors.js';
import { MAX_DEPTH, parseExperiment } from '../../src/experiment/load.js';
import { validateExperiment } from '../../src/experiment/validate.js';

const SEED = 1313;
const EXAMPLES = resolve(import.meta.dirname, '../../../../examples');
const samples = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(EXAMPLES, d.name)).map((f) => join(EXAMPLES, d.name, f)))
  .filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('lab.yaml'))
  .map((f) => readFileSync(f, 'utf8'));

/** Loads and validates; returns what happened, failing the property for anything but a coded TurbulenceError. */
async function loadAndValidate(text: string, format: 'json' | 'yaml'): Promise<'ok' | 'refused'> {
  const started = Date.now();
  try {
    const loaded = parseExperiment(text, format, { source: `fuzz.${format}` });
    for (const e of await validateExperiment(loaded, { checkProviders: false, env: {} })) {
      expect(e.code).toMatch(/^TURB_ERR_/);
      expect(e.message).not.toMatch(/nonoptional|received undefined|Invalid input/);
    }
    return 'ok';
  } catch (err) {
    if (!isTurbulenceError(err)) throw err;
    expect(err.code).toMatch(/^TURB_ERR_/);
    expect(err.location?.file).toBe(`fuzz.${format}`);
    return 'refused';
  } finally {
    expect(Date.now() - started).toBeLessThan(5000);
  }
}

const format = fc.constantFrom<'json' | 'yaml'>('json', 'yaml');

/** An example experiment with one mutation: a character replaced or removed, or a slice repeated. */
const mutatedExample = fc
  .tuple(fc.constantFrom(...samples), fc.nat(), fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 2 }))
  .map(([text, a, b, insert, how]) => {
    const i = a % (text.length + 1);
    const j = Math.min(text.length, i + (b % 40));
    if (how === 0) return text.slice(0, i) + insert + text.slice(i + 1);
    if (how === 1) return text.slice(0, i) + text.slice(j);
    return text.slice(0, j) + text.slice(i, j) + text.slice(j);
  });

const experimentLike = fc.record(
  {
    title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    description: fc.string(),
    method: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }),
    runtime: fc.jsonValue({ maxDepth: 3 }),
    'steady-state-hypothesis': fc.jsonValue({ maxDepth: 4 }),
    configuration: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
  },
  { requiredKeys: [] },
);

describe('experiment loader fuzz (fast-check, fixed seed)', () => {
  it('refuses or accepts random text, never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), format, async (text, f) => {
        await loadAndValidate(text, f);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('handles random JSON and YAML documents shaped like experiments', async () => {
    await fc.assert(
      fc.asyncProperty(experimentLike, format, async (doc, f) => {
        const text = f === 'json' ? JSON.stringify(doc) : toYamlFlow(doc);
        await loadAndValidate(text, f);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('handles mutations of every example experiment', async () => {
    expect(samples.length).toBeGreaterThan(5);
    await fc.assert(
      fc.asyncProperty(mutatedExample, async (text) => {
        await loadAndValidate(text, 'yaml');
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('refuses deep nesting and alias bombs with a file:line error', async () => {
    const deep = (n: number) => [
      ['json', `{"title": ${'['.repeat(n)}${']'.repeat(n)}}`],
      ['json', `{"title": ${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`],
      ['yaml', `title: ${'['.repeat(n)}${']'.repeat(n)}`],
      ['yaml', Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
      ['yaml', Array.from({ length: n }, (_, i) => `${' '.repeat(2 * i)}- `).join('\n')],
    ];
    for (const [f, text] of [...deep(MAX_DEPTH + 5), ...deep(20_000).slice(0, 3)] as ['json' | 'yaml', string][]) {
      const err = await Promise.resolve()
        .then(() => parseExperiment(text, f, { source: `deep.${f}` }))
        .catch((e: unknown) => e);
      expect(isTurbulenceError(err, 'TURB_ERR_LOAD_FAILED'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/nesting deeper than/);
      expect((err as { location: { line: number } }).location.line).toBeGreaterThan(0);
    }
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${`*${'abcdefghi'[i - 1]}, `.repeat(9)}]`);
    const bomb = parseExperiment.bind(null, levels.join('\n'), 'yaml', { source: 'bomb.yaml' });
    expect(bomb).toThrow(/YAML aliases expand too far/);
  });
});

/** A YAML flow rendering (JSON is YAML, but plain scalars and single quotes exercise the YAML paths). */
function toYamlFlow(value: unknown): string {
  if (typeof value === 'string') return /^[a-z][a-z0-9 ]*$/i.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
  if (Array.isArray(value)) return `[${value.map(toYamlFlow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${toYamlFlow(k)}: ${toYamlFlow(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
