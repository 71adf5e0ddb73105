import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TurbulenceError } from '../core/errors.js';
import { ErrorCodes } from '../core/errors.js';
import { loadExperiment, loadExperimentObject } from './load.js';
import { assertValid, validateExperiment } from './validate.js';

const FIXTURES = join(import.meta.dirname, '__fixtures__');
const env = {}; // no TURB_TEST_* variable is set, whatever the machine has
const lines = (errors: TurbulenceError[]) =>
  errors.map((e) => `${e.location?.line}:${e.location?.column} ${e.message}`);

describe('validateExperiment on a YAML file with one problem per rule', () => {
  it('reports every problem with its line:column, key path and what is expected', async () => {
    const loaded = await loadExperiment(join(FIXTURES, 'invalid.yaml'));
    const errors = await validateExperiment(loaded, { env });
    expect(errors.every((e) => e.code === ErrorCodes.EXPERIMENT_INVALID)).toBe(true);
    expect(errors.every((e) => e.location?.file === loaded.source)).toBe(true);
    // Provider hooks (process path, python module) are the providers' wording: checked by position below.
    expect(lines(errors.filter((e) => e.location?.line !== 60 && e.location?.line !== 63))).toEqual([
      '1:1 title: experiment requires a title',
      '1:1 experiment requires a description',
      '2:12 tags[1]: a tag must be a non-empty string',
      '4:5 extensions[0]: an extension must have a "name"',
      '6:3 configuration.port: Configuration makes reference to an environment key that does not exist: TURB_TEST_SURELY_UNSET (for "port")',
      '12:5 secrets.api.token: Secrets makes reference to an environment key that does not exist: TURB_TEST_SURELY_UNSET_TOO (for "token")',
      '16:5 controls[1]: a control must have a "name"',
      '17:5 controls[2]: control "orphan" must have a "provider"',
      '19:5 controls[3].ref: control reference "nowhere" declaration cannot be found',
      '20:5 controls[3].scope: expected "before" or "after", got "during"',
      '21:1 steady-state-hypothesis: the steady-state-hypothesis requires a "title"',
      '23:7 steady-state-hypothesis.probes[0]: a hypothesis probe needs a "tolerance"',
      '28:7 steady-state-hypothesis.probes[1].tolerance: a float tolerance (0.5) is rejected: use an integer, [low, high] or {"type": "range"}',
      '32:20 steady-state-hypothesis.probes[2].tolerance.type: hypothesis probe tolerance type "between" is unsupported',
      '36:41 steady-state-hypothesis.probes[3].tolerance.range[0]: expected number, got string "a"',
      '40:33 steady-state-hypothesis.probes[4].tolerance.pattern: the pattern does not compile: Invalid regular expression: /([a-z/u: Unterminated character class',
      '43:5 method[0]: an activity must have a type ("probe" or "action"), or be a {"ref": "<activity name>"}',
      '47:5 method[1].provider.url: required string is missing',
      '47:29 method[1].provider.headers: headers must be a map of strings',
      '50:5 method[2].background: background must be a boolean',
      '51:5 method[2].timeout: timeout must be a number of seconds',
      '52:34 method[2].pauses.after: expected a number of seconds or a "${name}" string',
      '53:5 method[2].on-fail: expected "continue" or "fail" or "abort", got "explode"',
      '54:17 method[2].provider.type: provider type "smoke-signals" is unknown',
      '56:5 method[3].ref: no activity named "no-such-activity" in the method or the steady-state hypothesis',
      '65:5 rollbacks[0]: an activity must have a "name"',
    ]);
  });

  it("runs each provider's own check (an executable that does not exist)", async () => {
    const loaded = await loadExperiment(join(FIXTURES, 'invalid.yaml'));
    const errors = await validateExperiment(loaded, { env });
    const path = errors.find((e) => e.location?.line === 60);
    expect(path?.location).toMatchObject({ column: 32, path: ['method', 5, 'provider', 'path'] });
    expect(path?.message).toContain('/nonexistent/turbulence-no-such-binary');
    const skipped = await validateExperiment(loaded, { env, checkProviders: false });
    expect(skipped.some((e) => e.location?.line === 60)).toBe(false);
  });

  it('gives a hint with every problem', async () => {
    const errors = await validateExperiment(await loadExperiment(join(FIXTURES, 'invalid.yaml')), { env });
    expect(errors.filter((e) => e.location?.line !== 1 && !e.hint)).toEqual([]);
  });
});

describe('validateExperiment on a JSON file', () => {
  it('locates problems in JSON too, refs into the hypothesis and our runtime keys', async () => {
    const errors = await validateExperiment(await loadExperiment(join(FIXTURES, 'invalid.json')), {
      env,
      checkProviders: false,
    });
    expect(lines(errors)).toEqual([
      '7:7 steady-state-hypothesis.probes[0]: a hypothesis probe needs a "tolerance" (the referenced activity "not-a-probe" has none)',
      '12:48 method[0].provider: port must be a number from 1 to 65535 (or a "${name}" string)',
      '13:37 method[1].tolerance: a tolerance must be a boolean, an integer, a string, a list or an object with a "type"',
      '13:56 method[1].provider.func: required string is missing',
      '15:31 runtime.rollbacks.strategy: expected "default" or "always" or "never" or "deviated", got "sometimes"',
      '15:58 runtime.max-duration: expected seconds, a duration like "30s" or a "${name}" string',
      '16:21 blast-radius.max-targets: must be > 0',
    ]);
  });
});

describe('a valid experiment', () => {
  it('uses every key, ours included, and has no problem', async () => {
    const loaded = await loadExperiment(join(FIXTURES, 'valid.yaml'));
    expect(await validateExperiment(loaded, { env, checkProviders: false })).toEqual([]);
  });

  it('applies --var overrides before validating (unlike Chaos Toolkit)', async () => {
    const loaded = loadExperimentObject({
      title: 't',
      description: 'd',
      method: [],
      configuration: { port: { type: 'env', key: 'TURB_TEST_SURELY_UNSET' } },
    });
    expect(await validateExperiment(loaded, { env })).toHaveLength(1);
    const overrides = { configuration: { port: 1 }, secrets: {} };
    expect(await validateExperiment(loaded, { env, overrides })).toEqual([]);
  });

  it('accepts {"type": "probe", "ref": ...} entries, validating only the ref', async () => {
    const loaded = loadExperimentObject({
      title: 't',
      description: 'd',
      method: [
        { type: 'probe', name: 'p', provider: { type: 'tcp', host: '127.0.0.1', port: 1 } },
        { type: 'probe', ref: 'p' },
      ],
    });
    expect(await validateExperiment(loaded, { env })).toEqual([]);
  });
});

describe('rules on our keys', () => {
  it('asks for a tolerance on an activity that repeats "until" it holds', async () => {
    const loaded = loadExperimentObject({
      title: 't',
      description: 'd',
      method: [
        { type: 'probe', name: 'p', until: { timeout: '10s' }, provider: { type: 'tcp', host: '127.0.0.1', port: 1 } },
      ],
    });
    const errors = await validateExperiment(loaded, { env });
    expect(errors.map((e) => e.message)).toEqual([
      'method[0].until: "until" repeats the probe until its tolerance holds: the activity needs a "tolerance"',
    ]);
  });

  it('says a missing provider is a required object', async () => {
    const loaded = loadExperimentObject({ title: 't', description: 'd', method: [{ type: 'action', name: 'a' }] });
    const errors = await validateExperiment(loaded, { env });
    expect(errors.map((e) => e.message)).toEqual(['method[0].provider: required object is missing']);
  });
});

describe('warnings and assertValid', () => {
  const processWithObjectArgs = {
    title: 't',
    description: 'd',
    method: [{ type: 'action', name: 'a', provider: { type: 'process', path: 'true', arguments: { '-n': 1 } } }],
  };

  it('warns about deprecated forms without failing', async () => {
    const warnings: TurbulenceError[] = [];
    const loaded = loadExperimentObject(processWithObjectArgs);
    const errors = await validateExperiment(loaded, { env, checkProviders: false, onWarning: (w) => warnings.push(w) });
    expect(errors).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual([
      'method[0].provider.arguments: process arguments given as an object are deprecated (Chaos Toolkit flattens them to key value …)',
    ]);
  });

  it('throws one error listing every problem, and returns the experiment when valid', async () => {
    const bad = loadExperimentObject({ title: 't', method: [{ ref: 'x' }] }, { source: 'inline' });
    const err = await assertValid(bad).then(
      () => undefined,
      (e: unknown) => e as TurbulenceError,
    );
    expect(err?.code).toBe(ErrorCodes.EXPERIMENT_INVALID);
    expect(err?.message).toBe('the experiment is invalid (2 problems)');
    expect(err?.details.map((d) => d.message)).toEqual([
      'experiment requires a description',
      'method[0].ref: no activity named "x" in the method or the steady-state hypothesis',
    ]);
    expect(err?.details[1]?.location).toEqual({ file: 'inline', path: ['method', 0, 'ref'] });
    const good = loadExperimentObject({ title: 't', description: 'd', method: [] });
    await expect(assertValid(good)).resolves.toBe(good.experiment);
  });
});
