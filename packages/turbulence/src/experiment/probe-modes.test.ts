/**
 * Modal probes (Litmus modes as a Chaos Toolkit-format extension), run in-process by the real runner with real
 * processes: SOT before the watched actions, EOT after, Edge both, Continuous polled throughout, attempts and
 * probeTimeout, an SOT failure skipping the watched actions, stopOnFailure aborting the run, and a second group
 * of probes closing the first. Litmus's comparators and input checks, table-driven.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLitmusProbe, compare } from '../providers/litmus-probe-schema.js';
import { runExperiment } from './run.js';
import { parseExperiment } from './load.js';
import { validateExperiment } from './validate.js';
import type { Action, Experiment, Probe } from './types.js';
import type { ProbeMode, RunProperties } from './probe-modes-schema.js';

const home = mkdtempSync(join(tmpdir(), 'turb-modes-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const cmd = (name: string, mode: ProbeMode, command: string, runProperties: RunProperties = {}): Probe => ({
  type: 'probe',
  name,
  mode,
  runProperties,
  provider: {
    type: 'litmus-probe',
    probe: 'cmdProbe',
    inputs: { command, comparator: { type: 'string', criteria: 'equal', value: 'ok' } },
  },
});
const sleep = (name: string, seconds: string): Action => ({
  type: 'action',
  name,
  provider: { type: 'process', path: 'sleep', arguments: [seconds] },
});
const run = (method: Experiment['method']) =>
  runExperiment({ title: 'modes', description: 'modal probes', method }, { home, seed: 1 });

describe('modal probes (Litmus modes) in a Chaos Toolkit experiment', () => {
  it('SOT before, EOT after, Edge both, Continuous polled through the watched actions; all pass', async () => {
    const { journal, exitCode } = await run([
      cmd('sot', 'SOT', 'echo ok'),
      cmd('edge', 'Edge', 'echo ok'),
      cmd('cont', 'Continuous', 'echo ok', { probePollingInterval: '200ms' }),
      cmd('eot', 'EOT', 'echo ok'),
      sleep('chaos', '1.5'),
    ]);
    expect(exitCode).toBe(0);
    const order = journal.run.map(
      (r) => `${r.activity.name}:${typeof r.activity.probe_phase === 'string' ? r.activity.probe_phase : ''}`,
    );
    expect(order.slice(0, 2)).toEqual(['sot:PreChaos', 'edge:PreChaos']);
    expect(order.slice(-2)).toEqual(['edge:PostChaos', 'eot:PostChaos']);
    const chaos = order.indexOf('chaos:');
    expect(chaos).toBeGreaterThan(1);
    const probes = Object.fromEntries((journal.probes ?? []).map((p) => [p.name, p]));
    expect(probes.sot?.status).toEqual({ PreChaos: 'Passed' });
    expect(probes.edge?.status).toEqual({ PreChaos: 'Passed', PostChaos: 'Passed' });
    expect(probes.eot?.status).toEqual({ PostChaos: 'Passed' });
    expect(probes.cont?.status).toEqual({ Continuous: 'Passed' });
    // Polled every 200 ms for 1.5 s: several evaluations (a loaded machine still makes more than two).
    expect(probes.cont?.evaluations).toBeGreaterThan(2);
    expect(Object.values(probes).every((p) => p.passed)).toBe(true);
    expect(journal.deviated).toBe(false);
  }, 30_000);

  it('an SOT failure skips the watched actions and deviates the run; the next group still runs', async () => {
    const { journal } = await run([
      cmd('gate', 'SOT', 'echo down', { attempt: 2, interval: '50ms' }),
      sleep('skipped chaos', '0'),
      cmd('second gate', 'SOT', 'echo ok'),
      sleep('second chaos', '0'),
    ]);
    const names = journal.run.map((r) => r.activity.name);
    expect(names.filter((n) => n === 'gate')).toHaveLength(2); // two attempts
    expect(names).not.toContain('skipped chaos');
    expect(names).toContain('second chaos');
    const gate = journal.probes?.find((p) => p.name === 'gate');
    expect(gate).toMatchObject({ passed: false, status: { PreChaos: 'Failed' } });
    expect(gate?.failure).toMatch(/PreChaos: .*"down" does not satisfy equal "ok"/);
    expect(journal.deviated).toBe(true);
    expect(journal.status).toBe('completed');
  }, 30_000);

  it('probeTimeout cuts an attempt; stopOnFailure aborts the run at once', async () => {
    const started = Date.now();
    const { journal } = await run([
      cmd('slow', 'Continuous', 'sleep 5; echo ok', { probeTimeout: '300ms', stopOnFailure: true }),
      sleep('long chaos', '20'),
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(journal.status).toBe('aborted');
    expect(journal.abort?.reason).toMatch(/probe "slow" failed \(Continuous\) with stopOnFailure: timed out/);
    expect(journal.probes?.[0]).toMatchObject({ passed: false, status: { Continuous: 'Failed' } });
  }, 30_000);
});

describe('validation of modes', () => {
  it('refuses a mode outside the method or on an action, at its path', async () => {
    const text = JSON.stringify({
      title: 't',
      description: 'd',
      'steady-state-hypothesis': {
        title: 'h',
        probes: [{ ...cmd('hyp', 'SOT', 'echo ok'), tolerance: true }],
      },
      method: [{ ...sleep('act', '0'), mode: 'EOT' }],
    });
    const problems = await validateExperiment(parseExperiment(text, 'json', { source: 'x.json' }), {
      checkProviders: false,
    });
    expect(problems.map((p) => p.message).sort()).toEqual([
      'method[0].mode: "mode" (SOT, EOT, Edge, Continuous, OnChaos) applies to probes of the method only',
      'steady-state-hypothesis.probes[0].mode: "mode" (SOT, EOT, Edge, Continuous, OnChaos) applies to probes of the method only',
    ]);
  });
});

describe('Litmus comparators and probe inputs', () => {
  it.each([
    ['int', '>=', '3', '4', true],
    ['int', '<', '3', '4', false],
    ['float', '==', '0.5', '0.50', true],
    ['int', 'oneOf', '[1,2,3]', '2', true],
    ['float', 'between', '[1, 5]', '5.5', false],
    ['string', 'contains', 'ok', 'all ok', true],
    ['string', 'equals', 'ok', 'ok', true],
    ['string', 'notEqual', 'ok', 'ok', false],
    ['string', 'matches', '^v\\d+$', 'v12', true],
    ['string', 'notMatches', '^v\\d+$', 'v12', false],
    ['string', 'oneOf', '["a","b"]', 'b', true],
    ['int', '>=', '3', 'three', false],
  ])('%s %s %s against %s → %s', (type, criteria, expected, actual, holds) => {
    expect(compare(type, criteria, expected, actual) === undefined).toBe(holds);
  });

  it('refuses placeholders, unknown criteria, chaining, source pods and file bodies, at their paths', () => {
    const paths = (type: Parameters<typeof checkLitmusProbe>[0], inputs: Record<string, unknown>, data?: string) =>
      checkLitmusProbe(type, inputs, data).map((p) => `${p.path.join('.')}: ${p.message}`);
    expect(
      paths('httpProbe', { url: '<url>', method: { get: { criteria: '==', responseCode: '<response code>' } } }),
    ).toEqual([
      'url: url "<url>" is a placeholder from the Litmus docs, not a value',
      'method.get.responseCode: responseCode "<response code>" is a placeholder from the Litmus docs, not a value',
    ]);
    expect(paths('httpProbe', { url: 'http://x', method: { get: { criteria: '>=', responseCode: '200' } } })).toEqual([
      'method.get.criteria: criteria ">=" is not one of ==, !=, oneOf',
    ]);
    expect(
      paths('cmdProbe', {
        command: 'echo {{ .probe1.ProbeArtifacts.Register }}',
        source: { image: 'busybox' },
        comparator: { type: 'int', criteria: 'contains', value: 'x' },
      }),
    ).toEqual([
      'command: not supported: probe chaining ({{ .probe.ProbeArtifacts.Register }} templates)',
      'source: not supported: a cmdProbe source pod (image, hostNetwork...): turbulence runs the command on the machine of the run',
      'comparator.criteria: criteria "contains" is not one of int\'s: >=, <=, ==, !=, >, <, oneOf, between',
      'comparator.value: value "x" is not a number (comparator type int)',
    ]);
    expect(paths('k8sProbe', { version: 'v1', resource: 'pvc', operation: 'create' })).toEqual([
      "operation: operation create needs the manifest in the probe's data",
    ]);
    expect(
      paths('promProbe', { endpoint: 'http://p:9090', queryPath: '/q', comparator: { criteria: '>=', value: '1' } }),
    ).toEqual(['queryPath: not supported: queryPath (a file in the Litmus runner pod)']);
  });
});
