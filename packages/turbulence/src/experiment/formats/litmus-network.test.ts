/**
 * The Litmus pod network, DNS, stress and disk-fill faults become the Kubernetes family's pod kinds (applied inside
 * the pod by the agent): the hub's own ChaosExperiment defaults under an engine that names its target, tunable by tunable, and
 * the tunables that ask for what the kind cannot do refused at validate time with the reason.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../../core/errors.js';
import { loadExperiment, parseExperiment } from '../load.js';
import { validateExperiment } from '../validate.js';
import type { Action, FaultProvider } from '../types.js';

const hub = join(import.meta.dirname, '../../../test/fixtures/litmus/chaos-charts');

const engine = (fault: string, env: Record<string, string> = {}) => `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosEngine
metadata:
  name: net
spec:
  engineState: active
  appinfo: { appns: default, applabel: 'app=web', appkind: deployment }
  experiments:
    - name: ${fault}
      spec:
        components:
          env:
${Object.entries(env)
  .map(([k, v]) => `            - name: ${k}\n              value: '${v}'`)
  .join('\n')}
`;

const translate = (fault: string, env: Record<string, string> = {}) =>
  parseExperiment(engine(fault, { TOTAL_CHAOS_DURATION: '20', ...env }), 'yaml', {
    source: join(hub, 'x', 'engine.yaml'),
    hub,
  }).experiment.method.map((a) => (a as Action).provider as FaultProvider);

const refusal = (fault: string, env: Record<string, string>) => {
  try {
    translate(fault, env);
  } catch (e) {
    if (isTurbulenceError(e)) return e.format();
  }
  throw new Error('not refused');
};

describe('Litmus pod network, DNS, stress and disk-fill faults → pod kinds run by the agent', () => {
  it.each([
    ['pod-network-latency', {}, 'pod.latency', { delay: 2000, direction: 'egress', device: 'eth0' }],
    [
      'pod-network-latency',
      { NETWORK_LATENCY: '300', JITTER: '20', DESTINATION_IPS: '10.0.0.1,10.1.0.0/16' },
      'pod.latency',
      { delay: 300, jitter: 20, direction: 'egress', device: 'eth0', peers: ['10.0.0.1', '10.1.0.0/16'] },
    ],
    ['pod-network-loss', { NETWORK_PACKET_LOSS_PERCENTAGE: '40' }, 'pod.loss', { percent: 40, direction: 'egress' }],
    ['pod-network-corruption', {}, 'pod.latency', { delay: 0, corrupt: 100, direction: 'egress', device: 'eth0' }],
    [
      'pod-network-duplication',
      { NETWORK_PACKET_DUPLICATION_PERCENTAGE: '25' },
      'pod.latency',
      { delay: 0, duplicate: 25, direction: 'egress', device: 'eth0' },
    ],
    ['pod-network-partition', {}, 'pod.partition', { direction: 'both' }],
    ['pod-network-partition', { POLICY_TYPES: 'egress' }, 'pod.partition', { direction: 'egress' }],
    ['pod-dns-error', {}, 'pod.dns-block', {}],
    // Stress and disk fill (kinds of the kube2 branch, run by the agent in the container's cgroups / filesystem).
    ['pod-cpu-hog', { CPU_CORES: '2', CPU_LOAD: '60' }, 'pod.stress', { stressor: 'cpu', workers: 2, load: 60 }],
    ['pod-cpu-hog', { CPU_LOAD: '0' }, 'pod.stress', { stressor: 'cpu', workers: 1, load: 100 }],
    ['pod-memory-hog', { MEMORY_CONSUMPTION: '256' }, 'pod.stress', { stressor: 'memory', size: '256MiB' }],
    [
      'pod-io-stress',
      { NUMBER_OF_WORKERS: '2', VOLUME_MOUNT_PATH: '/data', TARGET_CONTAINER: 'db' },
      'pod.stress',
      { stressor: 'io', workers: 2, path: '/data', container: 'db' },
    ],
    ['disk-fill', {}, 'pod.disk-fill', { percent: 80 }],
    ['disk-fill', { EPHEMERAL_STORAGE_MEBIBYTES: '512' }, 'pod.disk-fill', { size: '512MiB' }],
  ])('%s %j → %s', async (fault, env, kind, params) => {
    const [p, ...rest] = translate(fault, env);
    const loaded = parseExperiment(engine(fault, env), 'yaml', { source: join(hub, 'x', 'engine.yaml'), hub });
    expect((await validateExperiment(loaded, { checkProviders: false })).map((e) => e.format())).toEqual([]);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({
      type: 'fault',
      kind,
      target: { namespace: 'default', selector: 'app=web' },
      select: 'one',
      duration: '20s',
    });
    expect(p?.params).toEqual(params);
  });

  it('TARGET_PODS gives one fault per pod, all in effect together; PODS_AFFECTED_PERC a percentage', () => {
    const faults = translate('pod-network-loss', { TARGET_PODS: 'web-a,web-b', PODS_AFFECTED_PERC: '50' });
    expect(faults.map((f) => [f.target, f.select])).toEqual([
      [{ namespace: 'default', name: 'web-a' }, 'percent(50)'],
      [{ namespace: 'default', name: 'web-b' }, 'percent(50)'],
    ]);
  });

  it.each([
    ['pod-network-loss', { DESTINATION_HOSTS: 'example.com' }, /not supported: DESTINATION_HOSTS \(example.com\)/],
    ['pod-network-partition', { POD_SELECTOR: 'app=db' }, /not supported: POD_SELECTOR="app=db"/],
    ['pod-network-partition', { PORTS: 'ingress=80' }, /not supported: PORTS/],
    ['pod-dns-error', { TARGET_HOSTNAMES: '["litmuschaos","chaosnative.io"]' }, /TARGET_HOSTNAMES \(litmuschaos, /],
    ['pod-network-loss', { NETWORK_PACKET_LOSS_PERCENTAGE: '140' }, /not a percentage from 0 to 100/],
    ['pod-network-latency', { NETWORK_LATENCY: 'slow' }, /NETWORK_LATENCY="slow" is not a number of milliseconds/],
  ])('%s %j is refused with the reason', (fault, env, why) => {
    const message = refusal(fault, env);
    expect(message).toMatch(why);
    expect(message).toMatch(/engine\.yaml:\d+:\d+/);
  });

  it('node-cpu-hog is refused as not supported, with why', () => {
    expect(refusal('node-cpu-hog', {})).toMatch(/not supported: node-cpu-hog[\s\S]*no node stress kind/);
  });

  it('pod-dns-spoof is refused as not supported, with why', () => {
    expect(refusal('pod-dns-spoof', {})).toMatch(
      /not supported: pod-dns-spoof \(supported: [^)]*pod-dns-error[^)]*\)[\s\S]*only blocks/,
    );
  });

  it('the examples load and validate (examples/litmus: probes, network loss)', async () => {
    const examples = join(import.meta.dirname, '../../../../../examples/litmus');
    for (const file of ['engine-with-probes.yaml', 'engine-network-loss.yaml']) {
      const loaded = await loadExperiment(join(examples, file), { hub });
      expect((await validateExperiment(loaded, { checkProviders: false })).map((e) => e.format())).toEqual([]);
    }
  });

  it('a probe with an unknown mode or a bad run property is refused at its line, with the fix', () => {
    const withProbe = (mode: string, rp: string) =>
      `${engine('pod-delete', { TOTAL_CHAOS_DURATION: '2' })}        probe:
          - name: up
            type: cmdProbe
            cmdProbe/inputs:
              command: 'true'
              comparator: { type: string, criteria: equal, value: '' }
            mode: ${mode}
            runProperties: ${rp}
`;
    const refused = (text: string) => {
      try {
        parseExperiment(text, 'yaml', { source: join(hub, 'x', 'engine.yaml'), hub });
      } catch (e) {
        if (isTurbulenceError(e)) return e.format();
      }
      throw new Error('not refused');
    };
    expect(refused(withProbe('edge', '{ probeTimeout: 5 }'))).toMatch(
      /engine\.yaml:\d+:\d+ .*unknown probe mode "edge"[\s\S]*did you mean "Edge"/,
    );
    expect(refused(withProbe('SOT', '{ probeTimeout: soon }'))).toMatch(/probeTimeout.*a duration/);
  });
});
