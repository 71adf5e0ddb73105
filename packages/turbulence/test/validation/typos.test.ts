/**
 * Issue 13, done when: "a typo in any field of any example experiment fails `validate` with exit 2 and a
 * suggestion". For every example experiment under `examples/` and the CLI's built-in demo experiment, each key
 * in turn gets a one-letter typo; validation must report a problem that suggests the original key. In-process
 * through `validateExperiment` for speed, plus a few through the real CLI.
 *
 * Keys that are names the author chooses are not typos anyone can detect, and are skipped: configuration and
 * secret names, module/python/process `arguments`, http `headers`, process `env`, toxic `attributes`, failpoint
 * `when`, dns rule fields (checked by the DNS server's parser when injected), `contributions`, the inside of
 * `extensions` entries, and tolerance `expect` values.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExperiment, loadExperimentObject } from '../../src/experiment/load.js';
import { validateExperiment } from '../../src/experiment/validate.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const BIN = resolve(import.meta.dirname, '../../bin/turbulence.js');
const DEMO = resolve(import.meta.dirname, '../../demo/experiment.json');
const work = mkdtempSync(join(tmpdir(), 'turb-typos-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const experiments = [
  ...readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(ROOT, 'examples', d.name)).map((f) => join(ROOT, 'examples', d.name, f)))
    .filter((f) => /\.(ya?ml|json)$/.test(f) && /^(title|description):/m.test(readFileSync(f, 'utf8'))),
  DEMO,
];

type Path = (string | number)[];

/** Maps whose keys the author names. `*` matches any one step. */
const OPEN: Path[][] = [
  [['configuration', '*']],
  [
    ['secrets', '*'],
    ['secrets', '*', '*'],
  ],
  [['contributions', '*']],
  [['extensions', '*', '*']],
].flat() as unknown as Path[][];
const OPEN_BELOW = new Set(['arguments', 'headers', 'env', 'attributes', 'when', 'expect']);

function userNamed(path: Path, doc: unknown): boolean {
  const parent = path.slice(0, -1);
  if (OPEN.some((pattern) => matches(pattern as unknown as Path, path))) return true;
  if (parent.some((k) => typeof k === 'string' && OPEN_BELOW.has(k))) return true;
  // The value of a dns.rule fault's params is a rule for the DNS server's own parser.
  const providerAt = parent.lastIndexOf('params');
  if (providerAt > 0 && valueAt(doc, [...parent.slice(0, providerAt), 'kind']) === 'dns.rule') return true;
  // A configuration value's own object (inline values are the author's).
  if (parent[0] === 'configuration' && valueAt(doc, [...parent.slice(0, 2), 'type']) === undefined) return true;
  return false;
}

function matches(pattern: Path, path: Path): boolean {
  return pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

function valueAt(doc: unknown, path: Path): unknown {
  let v = doc;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** Every key path of a document (object keys only; list indexes are steps, not keys). */
function keyPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [[...path, k], ...keyPaths(v, [...path, k])]);
}

/** One letter of the key changed (the middle one): `title` → `tiqle`. */
function typo(key: string): string {
  const i = Math.floor(key.length / 2);
  const replacement = key[i] === 'q' ? 'z' : 'q';
  return key.slice(0, i) + replacement + key.slice(i + 1);
}

function renamed(doc: unknown, path: Path, to: string): unknown {
  const copy = structuredClone(doc);
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string, unknown>;
  const key = path.at(-1) as string;
  const entries = Object.entries(parent).map(([k, v]) => [k === key ? to : k, v] as const);
  for (const k of Object.keys(parent)) delete parent[k];
  Object.assign(parent, Object.fromEntries(entries));
  return copy;
}

describe.each(experiments.map((f) => [relative(ROOT, f), f]))('typos in %s', (_name, file) => {
  it('fail validation with a suggestion of the right key, for every key', async () => {
    const loaded = await loadExperiment(file);
    // Env-typed configuration without a default (the variables an example needs) gets a value.
    const env = Object.fromEntries(
      Object.values(loaded.experiment.configuration ?? {})
        .filter((v): v is { type: 'env'; key: string } => (v as { type?: unknown }).type === 'env')
        .map((v) => [v.key, '2']),
    );
    const opts = { checkProviders: false, env };
    expect((await validateExperiment(loaded, opts)).map((e) => e.message)).toEqual([]);
    const doc = loaded.experiment as unknown;
    const paths = keyPaths(doc).filter((p) => !userNamed(p, doc));
    expect(paths.length).toBeGreaterThan(5);
    const missed: string[] = [];
    for (const path of paths) {
      const key = path.at(-1) as string;
      const mutated = loadExperimentObject(renamed(doc, path, typo(key)) as Record<string, unknown>, {
        baseDir: dirname(file),
      });
      const problems = await validateExperiment(mutated, opts);
      const text = problems.map((e) => `${e.message} ${e.hint ?? ''}`).join('\n');
      if (!text.includes(`did you mean ${JSON.stringify(key)}`))
        missed.push(`${path.join('.')} → ${text || '(valid)'}`);
    }
    expect(missed).toEqual([]);
  });
});

function turbulence(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args], { cwd: work, env: { PATH: process.env.PATH } }, (err, stdout, stderr) =>
      res({ code: typeof err?.code === 'number' ? err.code : 0, out: stdout + stderr }),
    );
  });
}

describe('typos through the real CLI', () => {
  it.each([
    ['title', 'tiqle'],
    ['kind: process.kill', 'kind: process.kil'],
    ['provider:', 'provder:'],
  ])(
    'turbulence validate exits 2 and suggests the fix: %s → %s',
    async (from, to) => {
      const source = join(ROOT, 'examples/etcd/kill-leader.yaml');
      const file = join(work, `${basename(source, '.yaml')}-${to.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, readFileSync(source, 'utf8').replace(from, to));
      const r = await turbulence(['validate', file, '--no-provider-checks']);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/did you mean "(title|process\.kill|provider)"\?/);
      expect(r.out).toContain(`${basename(file)}:`);
      expect(r.out).toMatch(/\.yaml:\d+:\d+/);
    },
    30_000,
  );
});
