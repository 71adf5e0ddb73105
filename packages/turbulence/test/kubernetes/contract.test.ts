/**
 * The driver contract for every Kubernetes kind, against the Kubernetes API fake (`test/kube-fake/`), with each
 * effect read through real kubectl. The crash cases SIGKILL a runner holding the fault and run the real
 * `turbulence recover`, which finds the cluster through the kubeconfig path kept in the target.
 */
import { afterAll, beforeAll } from 'vitest';
import { driverContract } from '../support/driver-contract.js';
import { kubectlRequirement, startCluster, undoRecords, type TestCluster } from './cluster.js';

const sys = kubectlRequirement();
const skip = sys.skip ? sys.reason : false;
let c: TestCluster;
let saved: { KUBECONFIG?: string | undefined; TURBULENCE_GUARDIAN?: string | undefined };

beforeAll(async () => {
  if (skip) return;
  c = await startCluster();
  // The crash case's runner and `turbulence recover` inherit this environment.
  saved = { KUBECONFIG: process.env.KUBECONFIG, TURBULENCE_GUARDIAN: process.env.TURBULENCE_GUARDIAN };
  process.env.KUBECONFIG = c.kubeconfig;
  process.env.TURBULENCE_GUARDIAN = 'off';
  for (const n of ['node-1', 'node-2', 'node-3'])
    await c.kubectl('label', 'node', n, 'turbulence.io/enabled=true', '--overwrite');
}, 30_000);

afterAll(async () => {
  if (skip) return;
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await c.close();
});

/** The first web pod: name and uid, read with kubectl. */
async function webPod(): Promise<{ name: string; uid: string }> {
  // A running web pod that is not terminating: the previous case's victim may still be Running with a
  // deletionTimestamp for its grace period, and would look "gone" before anything was done to it.
  const out = await c.kubectl(
    'get',
    'pods',
    '-n',
    'default',
    '-l',
    'app=web',
    '--field-selector',
    'status.phase=Running',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.metadata.deletionTimestamp}{"\\n"}{end}',
  );
  const live = out
    .split('\n')
    .map((line) => line.trim().split(' '))
    .find((f) => f.length === 2 && f[0] !== '');
  const [name = '', uid = ''] = live ?? [];
  return { name, uid };
}

/** True once the pod with this uid is gone or terminating. */
const podGone = (name: string, uid: string) => async () => {
  const r = await c.kubectlResult(
    'get',
    'pod',
    name,
    '-n',
    'default',
    '-o',
    'jsonpath={.metadata.uid} {.metadata.deletionTimestamp}',
  );
  if (r.code !== 0) return /not ?found/i.test(r.out);
  const [now, deleting] = r.out.split(' ');
  return now !== uid || (deleting ?? '').length > 0;
};

const irreversible = (what: string) => ({
  revert: `irreversible: ${what}; its controller makes a new pod`,
  manager: 'irreversible: nothing stays in effect for the ledger to hold',
  'crash-recover': 'irreversible: nothing stays in effect for `recover` to remove',
});

driverContract({
  kind: 'pod.delete',
  skip,
  skipBehaviours: irreversible('a deleted pod stays deleted'),
  settleMs: 8000,
  setup: async () => {
    const p = await webPod();
    return {
      query: { namespace: 'default', name: p.name },
      inEffect: podGone(p.name, p.uid),
      cleanup: () => Promise.resolve(),
    };
  },
});

driverContract({
  kind: 'pod.evict',
  skip,
  skipBehaviours: irreversible('an evicted pod stays evicted'),
  settleMs: 8000,
  setup: async () => {
    const p = await webPod();
    return {
      query: { namespace: 'default', name: p.name },
      inEffect: podGone(p.name, p.uid),
      cleanup: () => Promise.resolve(),
    };
  },
});

/** A node query and kubectl's view of its unschedulable flag. */
const nodeCase = (node: string) => ({
  query: { name: node },
  unschedulable: async () => (await c.kubectl('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}')) === 'true',
  leftovers: () => undoRecords(c, 'node', node),
});

driverContract({
  kind: 'node.cordon',
  skip,
  setup: () => {
    const n = nodeCase('node-2');
    return Promise.resolve({
      query: n.query,
      inEffect: n.unschedulable,
      leftovers: n.leftovers,
      cleanup: async () => void (await c.kubectl('uncordon', 'node-2')),
    });
  },
});

driverContract({
  kind: 'node.uncordon',
  skip,
  setup: async () => {
    await c.kubectl('cordon', 'node-3');
    const n = nodeCase('node-3');
    return {
      query: n.query,
      inEffect: async () => !(await n.unschedulable()),
      leftovers: n.leftovers,
      cleanup: async () => void (await c.kubectl('uncordon', 'node-3')),
    };
  },
});

driverContract({
  kind: 'node.drain',
  skip,
  settleMs: 8000,
  setup: () => {
    const n = nodeCase('node-1');
    return Promise.resolve({
      query: n.query,
      inEffect: n.unschedulable,
      leftovers: n.leftovers,
      cleanup: async () => void (await c.kubectl('uncordon', 'node-1')),
    });
  },
});

driverContract({
  kind: 'node.taint',
  skip,
  setup: () => {
    const taints = async () =>
      c.kubectl('get', 'node', 'node-2', '-o', 'jsonpath={range .spec.taints[*]}{.key}={.value}:{.effect} {end}');
    return Promise.resolve({
      query: { name: 'node-2' },
      params: { key: 'chaos', value: 'on', effect: 'NoSchedule' },
      inEffect: async () => (await taints()).split(' ').includes('chaos=on:NoSchedule'),
      leftovers: () => undoRecords(c, 'node', 'node-2'),
      cleanup: async () => void (await c.kubectlResult('taint', 'node', 'node-2', 'chaos:NoSchedule-')),
    });
  },
});

driverContract({
  kind: 'workload.scale',
  skip,
  settleMs: 5000,
  setup: () => {
    const replicas = async () =>
      c.kubectl('get', 'deployment', 'web', '-n', 'default', '-o', 'jsonpath={.spec.replicas}');
    return Promise.resolve({
      query: { namespace: 'default', name: 'deployment/web' },
      params: { replicas: 1 },
      inEffect: async () => (await replicas()) === '1',
      leftovers: () => undoRecords(c, 'deployment', 'web', '-n', 'default'),
      cleanup: async () => void (await c.kubectl('scale', 'deployment', 'web', '-n', 'default', '--replicas=3')),
    });
  },
});
