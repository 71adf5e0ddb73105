/**
 * A tiny reconciling controller, so tests see recovery and not only a delete call: Deployments keep a
 * ReplicaSet, ReplicaSets and StatefulSets keep their pods, DaemonSets keep one pod per node, a scheduler puts
 * pending pods round-robin on Ready, schedulable, untainted nodes, a "kubelet" marks them Running and Ready after
 * a short delay, cordoned nodes carry the unschedulable taint, and PodDisruptionBudgets show their status.
 *
 * It reacts to every change (debounced) and converges: each pass only writes what differs.
 */
import { createHash } from 'node:crypto';
import { randomSuffix, type Cluster } from './cluster.js';
import { budgetStatus, podReady } from './disruption.js';
import { keyOf, type ResourceDef } from './resources.js';
import type { KubeObject } from './store.js';

type Obj = Record<string, unknown>;
interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Obj;
}
interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const spec = (o: KubeObject): Obj => (o.spec ?? {}) as Obj;
const status = (o: KubeObject): Obj => (o.status ?? {}) as Obj;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The pod-template-hash of a template (10 characters of the name alphabet, like Kubernetes'). */
export function templateHash(t: unknown): string {
  const h = createHash('sha256').update(JSON.stringify(t)).digest();
  const chars = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 10; i++) s += chars[h[i]! % chars.length];
  return s;
}

function tolerates(tols: Toleration[], t: Taint): boolean {
  return tols.some(
    (x) =>
      (x.effect === undefined || x.effect === '' || x.effect === t.effect) &&
      ((x.operator === 'Exists' && (x.key === undefined || x.key === '' || x.key === t.key)) ||
        (x.key === t.key && (x.value ?? '') === (t.value ?? ''))),
  );
}

/** True when a node is Ready. */
export function nodeReady(n: KubeObject): boolean {
  return ((status(n).conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Options of the controller. */
export interface ControllerOptions {
  /** Delay between a pod being scheduled and it being Running and Ready, ms. */
  startDelayMs?: number;
}

/** The controller; `start()` subscribes it to the cluster, `stop()` detaches it. */
export class Controller {
  private unsubscribe: (() => void) | undefined;
  private queued = false;
  private readonly starting = new Set<string>();
  private rr = 0;
  private ipSeq = 10;
  private readonly startDelayMs: number;

  constructor(
    private readonly cluster: Cluster,
    opts: ControllerOptions = {},
  ) {
    this.startDelayMs = opts.startDelayMs ?? 50;
  }

  start(): void {
    this.unsubscribe = this.cluster.store.subscribe((c) => {
      if (c.key !== '/events' && c.key !== 'coordination.k8s.io/leases') this.queue();
    });
    this.queue();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private queue(): void {
    if (this.queued || !this.unsubscribe) return;
    this.queued = true;
    this.cluster.later(5, () => {
      this.queued = false;
      if (this.unsubscribe) this.pass();
    });
  }

  private d(name: string): ResourceDef {
    return this.cluster.def(name);
  }

  /** One reconciliation pass over the whole cluster. */
  pass(): void {
    const steps = [
      () => this.nodes(),
      () => this.deployments(),
      () => this.replicaSets(),
      () => this.statefulSets(),
      () => this.daemonSets(),
      () => this.schedule(),
      () => this.kubelet(),
      () => this.budgets(),
    ];
    for (const step of steps) {
      try {
        step();
      } catch {
        // a write raced a test's write; the change it caused queues the next pass
      }
    }
  }

  private write(def: ResourceDef, o: KubeObject): void {
    this.cluster.update(def, o.metadata.namespace, o.metadata.name, o, {}, true);
  }

  private setStatus(def: ResourceDef, o: KubeObject, next: Obj): void {
    if (!same(status(o), next)) this.write(def, { ...o, status: next });
  }

  private nodes(): void {
    const def = this.d('nodes');
    for (const n of this.cluster.select(def, {})) {
      const taints = ((spec(n).taints ?? []) as Taint[]).filter((t) => t.key !== UNSCHEDULABLE);
      if (spec(n).unschedulable === true) taints.push({ key: UNSCHEDULABLE, effect: 'NoSchedule' });
      if (!same(taints, spec(n).taints ?? [])) {
        const s = { ...spec(n) };
        if (taints.length) s.taints = taints;
        else delete s.taints;
        this.write(def, { ...n, spec: s });
      }
    }
  }

  private owned(def: ResourceDef, owner: KubeObject): KubeObject[] {
    return this.cluster
      .select(def, { namespace: owner.metadata.namespace })
      .filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid));
  }

  private ownerRef(o: KubeObject): Obj {
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      uid: o.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  private deployments(): void {
    const dd = this.d('deployments');
    const rsd = this.d('replicasets');
    for (const dep of this.cluster.select(dd, {})) {
      const s = spec(dep);
      const replicas = Number(s.replicas ?? 1);
      const template = s.template as Template;
      const hash = templateHash(template);
      const name = `${dep.metadata.name}-${hash}`;
      const sets = this.owned(rsd, dep);
      let current = sets.find((r) => r.metadata.name === name);
      if (!current) {
        const labels = { ...template.metadata?.labels, 'pod-template-hash': hash };
        const sel = s.selector as { matchLabels?: Record<string, string> };
        current = this.cluster.create(
          rsd,
          dep.metadata.namespace,
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: { name, labels, ownerReferences: [this.ownerRef(dep)] } as unknown as KubeObject['metadata'],
            spec: {
              replicas,
              selector: { ...sel, matchLabels: { ...sel.matchLabels, 'pod-template-hash': hash } },
              template: { ...template, metadata: { ...template.metadata, labels } },
            },
          },
          {},
          true,
        );
      } else if (spec(current).replicas !== replicas) {
        current = this.cluster.update(
          rsd,
          current.metadata.namespace,
          name,
          { ...current, spec: { ...spec(current), replicas } },
          {},
          true,
        );
      }
      for (const old of sets)
        if (old !== current && old.metadata.name !== name && spec(old).replicas !== 0)
          this.write(rsd, { ...old, spec: { ...spec(old), replicas: 0 } });
      const all = this.owned(rsd, dep);
      const sum = (f: string): number => all.reduce((n, r) => n + Number(status(r)[f] ?? 0), 0);
      const ready = sum('readyReplicas');
      const cur = status(current);
      this.setStatus(dd, dep, {
        observedGeneration: dep.metadata.generation ?? 1,
        replicas: sum('replicas'),
        updatedReplicas: Number(cur.replicas ?? 0),
        readyReplicas: ready,
        availableReplicas: ready,
        ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
        conditions: [
          {
            type: 'Available',
            status: ready >= replicas ? 'True' : 'False',
            reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
            message:
              ready >= replicas
                ? 'Deployment has minimum availability.'
                : 'Deployment does not have minimum availability.',
          },
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${name}" has successfully progressed.`,
          },
        ],
      });
    }
  }

  private newPod(owner: KubeObject, name: string, extra: Obj = {}): void {
    const t = spec(owner).template as Template;
    this.cluster.create(
      this.d('pods'),
      owner.metadata.namespace,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          generateName: `${owner.metadata.name}-`,
          labels: { ...t.metadata?.labels },
          ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
          ownerReferences: [this.ownerRef(owner)],
        } as unknown as KubeObject['metadata'],
        spec: { ...structuredClone(t.spec ?? {}), ...extra },
      },
      {},
      false,
    );
  }

  private podCounts(pods: KubeObject[]): Obj {
    const ready = pods.filter(podReady).length;
    return { replicas: pods.length, readyReplicas: ready, availableReplicas: ready };
  }

  private replicaSets(): void {
    const rsd = this.d('replicasets');
    const pd = this.d('pods');
    for (const rs of this.cluster.select(rsd, {})) {
      const want = Number(spec(rs).replicas ?? 1);
      const pods = this.owned(pd, rs).filter((p) => !p.metadata.deletionTimestamp);
      for (let i = pods.length; i < want; i++) this.newPod(rs, `${rs.metadata.name}-${randomSuffix()}`);
      if (pods.length > want) {
        const rank = (p: KubeObject): number => (!spec(p).nodeName ? 0 : !podReady(p) ? 1 : 2);
        const victims = [...pods].sort(
          (a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp > a.metadata.creationTimestamp ? 1 : -1),
        );
        for (const p of victims.slice(0, pods.length - want))
          this.cluster.remove(pd, p.metadata.namespace, p.metadata.name);
      }
      const live = this.owned(pd, rs).filter((p) => !p.metadata.deletionTimestamp);
      this.setStatus(rsd, rs, {
        ...this.podCounts(live),
        fullyLabeledReplicas: live.length,
        observedGeneration: rs.metadata.generation ?? 1,
      });
    }
  }

  private statefulSets(): void {
    const sd = this.d('statefulsets');
    const pd = this.d('pods');
    for (const ss of this.cluster.select(sd, {})) {
      const want = Number(spec(ss).replicas ?? 1);
      const pods = this.owned(pd, ss);
      for (let i = 0; i < want; i++) {
        const name = `${ss.metadata.name}-${i}`;
        if (!pods.some((p) => p.metadata.name === name)) this.newPod(ss, name);
      }
      for (const p of pods) {
        const ordinal = Number(p.metadata.name.slice(ss.metadata.name.length + 1));
        if (ordinal >= want && !p.metadata.deletionTimestamp)
          this.cluster.remove(pd, p.metadata.namespace, p.metadata.name);
      }
      const live = this.owned(pd, ss).filter((p) => !p.metadata.deletionTimestamp);
      const counts = this.podCounts(live);
      this.setStatus(sd, ss, {
        ...counts,
        currentReplicas: live.length,
        updatedReplicas: live.length,
        observedGeneration: ss.metadata.generation ?? 1,
      });
    }
  }

  private daemonSets(): void {
    const dsd = this.d('daemonsets');
    const pd = this.d('pods');
    const nodes = this.cluster.select(this.d('nodes'), {}).filter(nodeReady);
    for (const ds of this.cluster.select(dsd, {})) {
      const tols = [
        ...(((spec(ds).template as Template).spec?.tolerations ?? []) as Toleration[]),
        { key: UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
      ];
      const eligible = nodes.filter((n) =>
        ((spec(n).taints ?? []) as Taint[]).every((t) => t.effect === 'PreferNoSchedule' || tolerates(tols, t)),
      );
      const pods = this.owned(pd, ds).filter((p) => !p.metadata.deletionTimestamp);
      for (const n of eligible)
        if (!pods.some((p) => spec(p).nodeName === n.metadata.name))
          this.newPod(ds, `${ds.metadata.name}-${randomSuffix()}`, { nodeName: n.metadata.name });
      const live = this.owned(pd, ds).filter((p) => !p.metadata.deletionTimestamp);
      const ready = live.filter(podReady).length;
      this.setStatus(dsd, ds, {
        currentNumberScheduled: live.length,
        desiredNumberScheduled: eligible.length,
        numberMisscheduled: 0,
        numberReady: ready,
        numberAvailable: ready,
        updatedNumberScheduled: live.length,
        observedGeneration: ds.metadata.generation ?? 1,
      });
    }
  }

  private schedule(): void {
    const pd = this.d('pods');
    const nodes = this.cluster
      .select(this.d('nodes'), {})
      .filter((n) => nodeReady(n) && spec(n).unschedulable !== true);
    for (const p of this.cluster.select(pd, {})) {
      if (spec(p).nodeName || p.metadata.deletionTimestamp) continue;
      const tols = (spec(p).tolerations ?? []) as Toleration[];
      const fit = nodes.filter((n) =>
        ((spec(n).taints ?? []) as Taint[]).every((t) => t.effect === 'PreferNoSchedule' || tolerates(tols, t)),
      );
      const conds = ((status(p).conditions ?? []) as Obj[]).filter((c) => c.type !== 'PodScheduled');
      if (fit.length === 0) {
        const message = `0/${nodes.length} nodes are available: no Ready, schedulable node without an untolerated taint.`;
        const cond = {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message,
          lastProbeTime: null,
          lastTransitionTime: now(),
        };
        const prev = ((status(p).conditions ?? []) as Obj[]).find((c) => c.type === 'PodScheduled');
        if (prev?.reason !== 'Unschedulable')
          this.write(pd, { ...p, status: { ...status(p), conditions: [...conds, cond] } });
        continue;
      }
      const node = fit[this.rr++ % fit.length]!;
      this.write(pd, {
        ...p,
        spec: { ...spec(p), nodeName: node.metadata.name },
        status: {
          ...status(p),
          conditions: [
            ...conds,
            { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() },
          ],
        },
      });
    }
  }

  private kubelet(): void {
    const pd = this.d('pods');
    const nodes = new Map(this.cluster.select(this.d('nodes'), {}).map((n) => [n.metadata.name, n]));
    for (const p of this.cluster.select(pd, {})) {
      const nodeName = spec(p).nodeName as string | undefined;
      if (
        !nodeName ||
        p.metadata.deletionTimestamp ||
        status(p).phase !== 'Pending' ||
        this.starting.has(p.metadata.uid)
      )
        continue;
      const node = nodes.get(nodeName);
      if (!node || !nodeReady(node)) continue;
      this.starting.add(p.metadata.uid);
      this.cluster.later(this.startDelayMs, () => this.run(pd, p, node));
    }
  }

  private run(pd: ResourceDef, was: KubeObject, node: KubeObject): void {
    this.starting.delete(was.metadata.uid);
    const p = this.cluster.store.get(keyOf(pd), was.metadata.namespace ?? '', was.metadata.name);
    if (!p || p.metadata.uid !== was.metadata.uid || p.metadata.deletionTimestamp || status(p).phase !== 'Pending')
      return;
    const t = now();
    const cond = (type: string): Obj => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t });
    const hostIP =
      ((status(node).addresses ?? []) as Obj[]).find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
    const seq = this.ipSeq++;
    const podIP = `10.244.${Math.floor(seq / 250) % 250}.${(seq % 250) + 2}`;
    const containers = (spec(p).containers ?? []) as Obj[];
    this.write(pd, {
      ...p,
      status: {
        ...status(p),
        phase: 'Running',
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: t,
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: `docker.io/library/${String(c.image)}@sha256:${'0'.repeat(64)}`,
          containerID: `containerd://${createHash('sha256')
            .update(`${p.metadata.uid}/${String(c.name)}`)
            .digest('hex')}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: t } },
          lastState: {},
        })),
      },
    });
  }

  private budgets(): void {
    const bd = this.d('poddisruptionbudgets');
    for (const pdb of this.cluster.select(bd, {})) {
      const next = budgetStatus(this.cluster, pdb);
      const cur = status(pdb);
      const strip = (s: Obj): unknown => ({
        ...s,
        conditions: ((s.conditions ?? []) as Obj[]).map(({ lastTransitionTime: _, ...c }) => c),
      });
      if (!same(strip(cur), strip(next))) this.write(bd, { ...pdb, status: next });
    }
  }
}
