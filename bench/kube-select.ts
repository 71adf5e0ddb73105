/**
 * Selecting pods among 10,000 in 100 namespaces on the Kubernetes API fake (loopback HTTPS, through
 * `@kubernetes/client-node`, as turbulence's target resolution does), against the baseline of listing every pod
 * in the same run:
 *
 *   1. baseline: list all 10,000 pods (all namespaces, no selector);
 *   2. label selector across all namespaces matching 1 % (`turbulence.io/enabled=true,tier=web`, 100 pods);
 *   3. label selector inside one namespace (100 pods scanned through the namespace index, 1 match);
 *   4. field selector across all namespaces (`spec.nodeName=node-1`, a third of the pods);
 *   5. the server's share: the same selections in-process (`cluster.select`, no HTTP, no JSON).
 *
 *   npx tsx bench/kube-select.ts [--runs=N]     (run under flock /tmp/tb-bench.lock)
 */
import { CoreV1Api, kubeConfigOf } from '../packages/turbulence/test/kube-fake/client.js';
import { startKubeFake } from '../packages/turbulence/test/kube-fake/index.js';
import { readyNode } from '../packages/turbulence/test/kube-fake/seed.js';

const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const RUNS = runsArg ? Number(runsArg.slice('--runs='.length)) : 15;
const NAMESPACES = 100;
const PER_NAMESPACE = 100;

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? NaN;

async function time(fn: () => unknown, runs: number): Promise<number[]> {
  await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const fake = await startKubeFake({ seed: 'empty', controller: false });
try {
  const t0 = performance.now();
  for (let n = 1; n <= 3; n++) fake.cluster.put('nodes', readyNode(`node-${n}`, n));
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `team-${String(n).padStart(3, '0')}`;
    fake.cluster.put('namespaces', { metadata: { name: ns } });
    for (let i = 0; i < PER_NAMESPACE; i++) {
      const opted = i === 0; // 1 % of pods are opted in and labelled tier=web
      fake.cluster.put('pods', {
        metadata: {
          name: `pod-${i}`,
          namespace: ns,
          labels: {
            app: `app-${i % 10}`,
            tier: opted ? 'web' : 'batch',
            ...(opted ? { 'turbulence.io/enabled': 'true' } : {}),
          },
        },
        spec: { nodeName: `node-${(i % 3) + 1}`, containers: [{ name: 'c', image: 'busybox:1.36' }] },
        status: { phase: 'Running' },
      });
    }
  }
  const seedMs = performance.now() - t0;
  const core = kubeConfigOf(fake.kubeconfig).makeApiClient(CoreV1Api);

  const cases: Array<[string, () => Promise<number>, () => number]> = [
    [
      'list all pods (baseline)',
      async () => (await core.listPodForAllNamespaces()).items.length,
      () => fake.cluster.select(fake.cluster.def('pods'), {}).length,
    ],
    [
      'label selector, all namespaces (1 %)',
      async () =>
        (await core.listPodForAllNamespaces({ labelSelector: 'turbulence.io/enabled=true,tier=web' })).items.length,
      () =>
        fake.cluster.select(fake.cluster.def('pods'), { labelSelector: 'turbulence.io/enabled=true,tier=web' }).length,
    ],
    [
      'label selector, one namespace',
      async () =>
        (await core.listNamespacedPod({ namespace: 'team-042', labelSelector: 'turbulence.io/enabled=true' })).items
          .length,
      () =>
        fake.cluster.select(fake.cluster.def('pods'), {
          namespace: 'team-042',
          labelSelector: 'turbulence.io/enabled=true',
        }).length,
    ],
    [
      'field selector spec.nodeName (1/3)',
      async () => (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-1' })).items.length,
      () => fake.cluster.select(fake.cluster.def('pods'), { fieldSelector: 'spec.nodeName=node-1' }).length,
    ],
  ];

  const rows: string[] = [];
  let baseline = NaN;
  for (const [name, http, local] of cases) {
    const matched = await http();
    const h = await time(http, RUNS);
    const l = await time(local, RUNS * 4);
    const med = pct(h, 0.5);
    if (Number.isNaN(baseline)) baseline = med;
    rows.push(
      `| ${name} | ${matched} | ${med.toFixed(1)} ms | ${pct(h, 0.95).toFixed(1)} ms | ${(med / baseline).toFixed(3)}× | ${pct(l, 0.5).toFixed(2)} ms |`,
    );
  }
  console.log(
    `seeded ${NAMESPACES * PER_NAMESPACE} pods in ${NAMESPACES} namespaces in ${seedMs.toFixed(0)} ms; ${RUNS} runs per case`,
  );
  console.log(
    '| request (client-node over loopback HTTPS) | pods returned | median | p95 | vs baseline | in-process select (median) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
} finally {
  await fake.close();
}
