/**
 * Chaos Toolkit conformance, LOAD suite: every public experiment in `test/fixtures/chaostoolkit/` loads;
 * the `negative/` ones are rejected with Chaos Toolkit's messages; all the others validate. The folder ships
 * with the repository (with SOURCES.md and the licences), so a missing one fails the file.
 *
 * Provider checks (an executable on PATH, a python module importable) are off here: the samples name `pm2`,
 * `vegeta` and chaosk8s, which this machine need not have. The env-typed configuration they reference is given
 * explicitly below, and one test shows what happens without it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiment/load.js';
import { validateExperiment } from '../../src/experiment/validate.js';

/** The public experiments, copied into the repository with their SOURCES.md and licences. */
const CONFORMANCE = resolve(import.meta.dirname, '../fixtures/chaostoolkit');
if (!existsSync(CONFORMANCE)) throw new Error(`Chaos Toolkit load conformance: ${CONFORMANCE} is missing`);

/** Every environment variable the samples' env-typed configuration and secrets name. */
const ENV: Record<string, string> = Object.fromEntries(
  [
    'APPLICATION_ENTRYPOINT_URL',
    'COUNTER_URL',
    'FRONT_URL',
    'GREMLIN_EMAIL',
    'GREMLIN_ORG_NAME',
    'GREMLIN_PWD',
    'HUMIO_DATASPACE',
    'HUMIO_INGEST_TOKEN',
    'JAEGER_HOST',
    'NODE_NAME',
    'POD_LABEL',
    'POD_NAMESPACE',
    'PROMETHEUS_ADDR',
    'PROMETHEUS_URL',
    'RETRIEVAL_URL',
    'STORAGE_URL',
    'SUPERPOWER_URL',
    'WEBAPP_SERVICE_ADDR',
  ].map((k) => [k, `http://127.0.0.1:9/${k.toLowerCase()}`]),
);

const files = (folder: string): string[] =>
  readdirSync(join(CONFORMANCE, folder))
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .map((f) => `${folder}/${f}`);
const positive = ['runnable', 'stdlib-python', 'extensions'].flatMap(files);
const negative = files('negative');

describe('Chaos Toolkit samples: loading and validation', () => {
  it('finds the 28 samples of SOURCES.md', () => {
    expect(positive.length + negative.length).toBe(28);
  });

  it.each(positive)('%s loads and validates', async (rel) => {
    const loaded = await loadExperiment(join(CONFORMANCE, rel));
    const errors = await validateExperiment(loaded, { env: ENV, checkProviders: false });
    expect(errors.map((e) => e.format())).toEqual([]);
  });

  it('rejects the plan without description or method with the messages Chaos Toolkit gives', async () => {
    const loaded = await loadExperiment(join(CONFORMANCE, 'negative/ctk-cli-invalid-plan.json'));
    const errors = await validateExperiment(loaded, { env: ENV });
    expect(errors.map((e) => `${e.location?.line}:${e.location?.column} ${e.message}`)).toEqual([
      '1:1 experiment requires a description',
      '1:1 an experiment requires a method, which can be empty for only checking the hypothesis',
    ]);
  });

  it('rejects the legacy pre-1.0 format: its method items have no type', async () => {
    const loaded = await loadExperiment(join(CONFORMANCE, 'negative/ctk-cli-legacy-format-experiment.json'));
    const errors = await validateExperiment(loaded, { env: ENV });
    expect(errors).toHaveLength(3);
    errors.forEach((e, i) => {
      expect(e.message).toMatch(new RegExp(`^method\\[${i}\\]: an activity must have a type`));
      expect(e.location?.path).toEqual(['method', i]);
    });
    expect(errors.map((e) => e.location?.line)).toEqual([5, 20, 47]);
  });

  it('names the environment variable when env-typed configuration cannot resolve', async () => {
    const loaded = await loadExperiment(join(CONFORMANCE, 'runnable/chrisp777-quote-storage-process-kill.json'));
    const errors = await validateExperiment(loaded, { env: {}, checkProviders: false });
    expect(errors.map((e) => e.message)).toEqual([
      'configuration.quoteStorageUrl: Configuration makes reference to an environment key that does not exist: STORAGE_URL (for "quoteStorageUrl")',
      'configuration.quoteRetrievalUrl: Configuration makes reference to an environment key that does not exist: RETRIEVAL_URL (for "quoteRetrievalUrl")',
    ]);
  });

  it('loads the YAML and JSON walkthrough to the same structure, except the upstream en-dash typo', async () => {
    const base = join(CONFORMANCE, 'stdlib-python/ctk-docs-simple-walkthrough');
    const json = await loadExperiment(`${base}.json`);
    const yaml = await loadExperiment(`${base}.yaml`);
    expect(yaml.experiment).not.toEqual(json.experiment);
    const typos = (JSON.stringify(yaml.experiment).match(/–echo/g) ?? []).length;
    expect(typos).toBe(2);
    const fixed = JSON.parse(JSON.stringify(yaml.experiment).replaceAll('–echo', '--echo')) as unknown;
    expect(fixed).toEqual(json.experiment);
    expect(readFileSync(`${base}.yaml`, 'utf8')).toContain('–echo');
  });
});
