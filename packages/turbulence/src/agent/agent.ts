/**
 * @module `turbulence agent`: the process on each node (a DaemonSet) that applies pod faults with turbulence's own
 * Linux families: network (in the pod's network namespace), stress and process (beside the container's process, in
 * its cgroups and filesystem), limit (on the container's cgroup, in place).
 *
 *   watch FaultRequests labelled turbulence.io/node=NODE (+ a resync every intervalMs)
 *     new request  → pod on this node? → container ID → PID (/proc/<pid>/cgroup)
 *                  → network.*: ip netns attach tbpod_<id>, target { netns: tbpod_<id> }
 *                    stress.*, process.kill: target { pid }      limit.*: target { cgroup: <container's cgroup> }
 *                  → FaultManager.inject(kind, target) with the agent's own ledger
 *                  → status Applied (or Failed + message)
 *     deleted      → revert → status Reverted → finalizer removed
 *     expired      → (the manager's timer, durationMs from the request's creation) revert → status Reverted
 *     lease stale  → the runner's Lease not renewed within its leaseDurationSeconds → revert → status Reverted
 *                    (a detached request has no lease: only its duration, deletion or the agent's stop end it)
 *   start          → recover the agent's own ledger (a previous agent died with faults applied), then resync
 *
 * Lease freshness is judged on the agent's clock (when it last saw `renewTime` change), not by comparing the
 * runner's timestamps with its own, so clock skew between runner and node does not matter.
 */
import { EventEmitter } from 'node:events';
import { Watch } from '@kubernetes/client-node';
import { errorMessage } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { FaultManager } from '../faults/manager.js';
import { Ledger } from '../faults/ledger.js';
import { recoverLedger } from '../faults/recover.js';
import {
  AGENT_FINALIZER,
  AGENT_KINDS,
  FAULT_REQUEST,
  NODE_LABEL,
  netnsName,
  type FaultRequest,
  type FaultRequestStatus,
} from '../faults/kubernetes/fault-request.js';
import { bytesToFill } from '../faults/stress/disk-fill.js';
import { cgroupsOf } from '../os/proc.js';
import type { JsonObject } from '../core/json.js';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { ledgerDir, turbulenceHome } from '../os/home.js';
import { kubeClient, mergePatch, type ClusterRef, type KubeClient } from '../os/kube.js';
import { attachNetns, detachNetns, listNetns } from '../os/netns.js';
import { agentNamespace } from '../targets/kubernetes.js';
import { bareContainerId, containerPid } from './container.js';

/** Options of an {@link Agent}. */
export interface AgentOptions {
  /** The node this agent serves (`spec.nodeName` of its pods). */
  node: string;
  /** The cluster (default: like kubectl; in a pod, its service account). */
  cluster?: ClusterRef;
  /** Watch only this namespace (default: all). */
  namespace?: string;
  /** State directory of the agent's ledger (default `$TURBULENCE_HOME` or `~/.turbulence`). */
  home?: string;
  /** Full resync and lease check period, ms (default 2000). */
  intervalMs?: number;
  /** Where processes are listed (default `/proc`). */
  procRoot?: string;
}

/** What the agent reports (the CLI logs it). */
export interface AgentLog {
  level: 'info' | 'warn' | 'error';
  msg: string;
  request?: string;
}

interface Active {
  key: string;
  namespace: string;
  name: string;
  uid: string | undefined;
  faultIds: string[];
  /** The pod's network namespace name the agent attached (network kinds only). */
  netns?: string;
}

/** A request younger than this counts as just created: its duration starts when the agent applies it. */
const FRESH_MS = 2000;

/**
 * Milliseconds left of a request's duration (undefined: no duration). A fresh request gets all of it from now: the
 * API server's `creationTimestamp` has whole seconds only (up to 1 s early) and the server's clock, not ours. An
 * older one (an agent restarted, or slow to see it) counts from its creation.
 */
function remainingMs(r: FaultRequest, now = Date.now()): number | undefined {
  if (r.spec.durationMs === undefined) return undefined;
  const c = (r.metadata as { creationTimestamp?: unknown }).creationTimestamp;
  const created = typeof c === 'string' ? Date.parse(c) : c instanceof Date ? c.getTime() : NaN;
  const age = now - created;
  return Number.isNaN(age) || age < FRESH_MS ? r.spec.durationMs : r.spec.durationMs - age;
}

/** The container ID (bare) a request is about: its named container, else (network) any started one. */
function containerIds(pod: V1Pod, name: string | undefined): string[] {
  return (pod.status?.containerStatuses ?? [])
    .filter((c) => name === undefined || c.name === name)
    .map((c) => bareContainerId(c.containerID))
    .filter((x): x is string => x !== undefined);
}

/** The cgroup path (as /proc/<pid>/cgroup shows it) that holds `id` for `pid`. */
function containerCgroup(pid: number, id: string): string | undefined {
  return cgroupsOf(pid).find((g) => g.path.includes(id))?.path ?? cgroupsOf(pid)[0]?.path;
}

/**
 * The node agent.
 *
 * @example
 * const agent = new Agent({ node: 'node-1' });
 * agent.on('log', (l) => console.error(l.msg));
 * await agent.start();
 * // ... until SIGTERM:
 * await agent.stop();
 */
export class Agent extends EventEmitter<{ log: [AgentLog]; synced: [] }> {
  readonly node: string;
  private readonly k: KubeClient;
  private readonly options: AgentOptions;
  private readonly manager: FaultManager;
  private readonly active = new Map<string, Active>();
  /** lease key → last renewTime seen and when (agent clock). */
  private readonly leases = new Map<string, { renew: string; seenAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private watchReq: { abort(): void } | undefined;
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  /** Namespace names whose removal failed, retried at each resync. */
  private readonly undetached = new Set<string>();
  private stopped = false;

  constructor(options: AgentOptions) {
    super();
    this.options = options;
    this.node = options.node;
    this.k = kubeClient(options.cluster ?? {});
    const home = options.home ?? turbulenceHome();
    this.manager = new FaultManager({ rng: new Rng(1), home, guardian: false, ledger: new Ledger(ledgerDir(home)) });
    this.manager.on('fault-reverted', (f) => {
      if (f.reason !== 'expired') return;
      const a = [...this.active.values()].find((x) => x.faultIds.includes(f.id));
      if (a) void this.finish(a, 'Reverted', `duration over: reverted ${f.kind}`).catch((e: unknown) => this.fail(e));
    });
  }

  /** Recovers the agent's own ledger, then watches and resyncs until {@link stop}. */
  async start(): Promise<void> {
    const report = await recoverLedger({ all: true, ledger: this.manager.ledger });
    for (const e of [...report.reverted, ...report.failed.map((f) => f.entry)]) {
      const ns = e.target.attributes.netns;
      if (typeof ns === 'string') await detachNetns(ns);
    }
    if (report.reverted.length > 0)
      this.log('info', `reverted ${report.reverted.length} fault(s) a previous agent left applied`);
    for (const f of report.failed) this.log('error', `could not revert ${f.entry.id}: ${f.error.message}`);
    await this.sync();
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 2000);
    this.watch();
    this.log('info', `agent for node ${this.node} watching ${FAULT_REQUEST.plural}.${FAULT_REQUEST.group}`);
  }

  /** Stops watching and reverts every fault it applied (their requests get status Reverted). */
  async stop(reason = 'agent stopped'): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.watchReq?.abort();
    await this.running;
    for (const a of [...this.active.values()]) await this.finish(a, 'Reverted', reason).catch((e) => this.fail(e));
    this.manager.dispose();
  }

  /** Runs one full resync now (also what the watch and the timer trigger). */
  sync(): Promise<void> {
    this.running = this.running.then(() => this.reconcile().catch((e: unknown) => this.fail(e)));
    return this.running;
  }

  /** Requests (namespace/name) whose fault is applied now. */
  applied(): string[] {
    return [...this.active.keys()];
  }

  private kick(): void {
    if (this.stopped || this.pending) return;
    this.pending = true;
    void this.running.then(() => {
      this.pending = false;
      if (!this.stopped) void this.sync();
    });
  }

  private watch(): void {
    if (this.stopped) return;
    const { group, version, plural } = FAULT_REQUEST;
    const path = this.options.namespace
      ? `/apis/${group}/${version}/namespaces/${this.options.namespace}/${plural}`
      : `/apis/${group}/${version}/${plural}`;
    const again = () => {
      this.watchReq = undefined;
      if (!this.stopped) setTimeout(() => this.watch(), 1000).unref();
    };
    new Watch(this.k.config)
      .watch(
        path,
        { labelSelector: `${NODE_LABEL}=${this.node}` },
        () => this.kick(),
        () => again(),
      )
      .then((req) => {
        this.watchReq = req;
        if (this.stopped) req.abort();
      })
      .catch(() => again());
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    for (const netns of [...this.undetached]) await this.detach(netns);
    const requests = await this.list();
    const seen = new Set<string>();
    for (const r of requests) {
      const key = `${r.metadata.namespace}/${r.metadata.name}`;
      seen.add(key);
      const a = this.active.get(key);
      if (a && a.uid !== r.metadata.uid) await this.finish(a, undefined, 'request replaced');
      if (r.metadata.deletionTimestamp) {
        const now = this.active.get(key);
        if (now) await this.finish(now, 'Reverted', 'request deleted: reverted');
        await this.release(r);
        continue;
      }
      const live = this.active.get(key);
      if (live) {
        const stale = await this.leaseStale(r);
        if (stale) await this.finish(live, 'Reverted', stale);
        continue;
      }
      if (r.status?.phase === 'Reverted' || r.status?.phase === 'Failed') continue;
      await this.apply(r);
    }
    for (const [key, a] of [...this.active]) if (!seen.has(key)) await this.finish(a, undefined, 'request gone');
    this.emit('synced');
  }

  private async list(): Promise<FaultRequest[]> {
    const { group, version, plural } = FAULT_REQUEST;
    const labelSelector = `${NODE_LABEL}=${this.node}`;
    const ns = this.options.namespace;
    const res = (await this.k.call({ verb: 'list', resource: plural, group, namespace: ns }, () =>
      ns
        ? this.k.custom.listNamespacedCustomObject({ group, version, plural, namespace: ns, labelSelector })
        : this.k.custom.listClusterCustomObject({ group, version, plural, labelSelector }),
    )) as { items?: FaultRequest[] };
    return res.items ?? [];
  }

  /** A reason when the runner's Lease is gone or was not renewed in time, else undefined. */
  private async leaseStale(r: FaultRequest): Promise<string | undefined> {
    if (!r.spec.lease) return undefined; // detached: not tied to a runner
    const { namespace, name } = r.spec.lease;
    const lease = await this.k.maybe(
      { verb: 'get', resource: 'leases', group: 'coordination.k8s.io', namespace, name },
      () => this.k.coordination.readNamespacedLease({ namespace, name }),
    );
    const key = `${namespace}/${name}`;
    if (!lease) return `runner lease ${key} is gone: reverted`;
    const renew = String(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '');
    const seconds = lease.spec?.leaseDurationSeconds ?? 15;
    const now = Date.now();
    const last = this.leases.get(key);
    if (!last || last.renew !== renew) {
      this.leases.set(key, { renew, seenAt: now });
      return undefined;
    }
    return now - last.seenAt > seconds * 1000
      ? `runner lease ${key} not renewed within ${seconds}s: reverted`
      : undefined;
  }

  private async apply(r: FaultRequest): Promise<void> {
    const key = `${r.metadata.namespace}/${r.metadata.name}`;
    const { spec } = r;
    const refuse = (message: string) => this.writeStatus(r, { phase: 'Failed', message });
    const how = AGENT_KINDS.get(spec.kind);
    if (!how) return refuse(`kind ${spec.kind} is not one the agent applies`);
    const podName = `${spec.pod.namespace}/${spec.pod.name}`;
    // Never the agents themselves: a partitioned agent could not see the request's deletion or the lease run out.
    if (spec.pod.namespace === agentNamespace())
      return refuse(`pod ${podName} is in the turbulence agent's namespace: the agent never applies faults there`);
    const stale = await this.leaseStale(r);
    if (stale) return this.writeStatus(r, { phase: 'Reverted', message: stale.replace(': reverted', '') });
    const remaining = remainingMs(r);
    if (remaining !== undefined && remaining <= 0)
      return this.writeStatus(r, { phase: 'Reverted', message: 'duration over before the agent applied it' });
    const pod = await this.k.maybe({ verb: 'get', resource: 'pods', namespace: spec.pod.namespace }, () =>
      this.k.core.readNamespacedPod({ namespace: spec.pod.namespace, name: spec.pod.name }),
    );
    if (!pod || (spec.pod.uid && pod.metadata?.uid !== spec.pod.uid)) return refuse(`pod ${podName} is gone`);
    if (pod.spec?.nodeName !== this.node)
      return refuse(`pod ${podName} runs on node ${pod.spec?.nodeName ?? '(none)'}, not on ${this.node}`);
    // Network kinds: any container (they share the pod's namespace). The others: the named one, or the first.
    const container = how === 'netns' ? spec.container : (spec.container ?? pod.spec?.containers[0]?.name);
    const ids = containerIds(pod, container);
    if (ids.length === 0) return refuse(`pod ${podName} has no started container${container ? ` ${container}` : ''}`);
    let pid: number | undefined;
    let id: string | undefined;
    for (const c of ids) if (pid === undefined) [pid, id] = [await containerPid(c, this.options.procRoot), c];
    if (pid === undefined || id === undefined)
      return refuse(`no process of pod ${podName} (container ${ids[0]}) on node ${this.node}: is the agent hostPID?`);
    const a: Active = {
      key,
      namespace: r.metadata.namespace ?? '',
      name: r.metadata.name,
      uid: r.metadata.uid,
      faultIds: [],
    };
    let where: string;
    try {
      const { target, params } = await this.aim(how, spec.kind, spec.params as JsonObject, pid, id, spec.faultId, a);
      where =
        how === 'netns'
          ? `the network namespace of pod ${podName} (pid ${pid})`
          : `container ${container} of pod ${podName} (pid ${pid})`;
      const injected = await this.manager.inject(
        {
          kind: spec.kind,
          target,
          params,
          ...(remaining !== undefined ? { durationMs: remaining } : {}),
        },
        { activity: `agent: FaultRequest ${key}` },
      );
      a.faultIds = injected.map((f) => f.id);
      this.active.set(key, a);
    } catch (err) {
      if (a.netns) await detachNetns(a.netns).catch(() => undefined);
      this.log('warn', `${spec.kind} on pod ${podName} failed: ${errorMessage(err)}`, key);
      return refuse(`${spec.kind} failed: ${errorMessage(err)}`);
    }
    this.log('info', `applied ${spec.kind} to ${where}`, key);
    await this.writeStatus(r, { phase: 'Applied', message: `${spec.kind} applied to ${where}` });
  }

  /** The target (and params) of a request's kind on the container's process `pid`. */
  private async aim(
    how: 'netns' | 'process' | 'cgroup',
    kind: string,
    params: JsonObject,
    pid: number,
    id: string,
    faultId: string,
    a: Active,
  ): Promise<{ target: JsonObject; params: JsonObject }> {
    if (how === 'netns') {
      a.netns = netnsName(faultId);
      await attachNetns(a.netns, pid);
      return { target: { netns: [a.netns] }, params };
    }
    if (how === 'cgroup') {
      const cgroup = containerCgroup(pid, id);
      if (!cgroup || cgroup === '/') throw new Error(`the container's process ${pid} is in no cgroup of its own`);
      return { target: { cgroup }, params };
    }
    if (kind === 'stress.disk-fill' && params.percent !== undefined) {
      // A percentage of the container's filesystem, measured there (its mount namespace, through /proc/<pid>/root).
      const { percent, ...rest } = params as { percent: number } & JsonObject;
      const path = typeof rest.path === 'string' ? rest.path : '/tmp';
      const size = await bytesToFill(join(`/proc/${pid}/root`, path), percent);
      return { target: { pid }, params: { ...rest, size } };
    }
    return { target: { pid }, params };
  }

  /** Reverts one applied request; writes `phase` when given (the request still exists). */
  private async finish(a: Active, phase: FaultRequestStatus['phase'] | undefined, message: string): Promise<void> {
    this.active.delete(a.key);
    let failed: unknown;
    for (const id of a.faultIds) await this.manager.revert(id, 'agent').catch((e: unknown) => (failed ??= e));
    if (a.netns) await this.detach(a.netns);
    const text = failed ? `revert failed: ${errorMessage(failed)}` : message;
    this.log(failed ? 'error' : 'info', `${a.key}: ${text}`, a.key);
    if (phase) {
      await this.writeStatus({ metadata: { name: a.name, namespace: a.namespace } } as FaultRequest, {
        phase: failed ? 'Failed' : phase,
        message: text,
      }).catch((e: unknown) => this.fail(e));
    }
  }

  /**
   * Removes a name the agent gave a pod's network namespace. `ip netns delete` fails (EBUSY) while another mount
   * namespace created meanwhile still holds a copy of it: the name is kept and tried again at every resync.
   */
  private async detach(netns: string): Promise<void> {
    await detachNetns(netns).catch(() => undefined);
    if ((await listNetns().catch((): string[] => [])).includes(netns)) this.undetached.add(netns);
    else this.undetached.delete(netns);
  }

  /** Removes the agent's finalizer from a deleted request, so the API server lets it go. */
  private async release(r: FaultRequest): Promise<void> {
    const finalizers = r.metadata.finalizers ?? [];
    if (!finalizers.includes(AGENT_FINALIZER)) return;
    const { group, version, plural } = FAULT_REQUEST;
    const namespace = r.metadata.namespace ?? '';
    const name = r.metadata.name;
    await this.k.maybe({ verb: 'patch', resource: plural, group, namespace, name }, () =>
      this.k.custom.patchNamespacedCustomObject(
        {
          group,
          version,
          plural,
          namespace,
          name,
          body: {
            // No resourceVersion precondition: the status write just before changed it; only finalizers change here.
            metadata: { finalizers: finalizers.filter((f) => f !== AGENT_FINALIZER) },
          },
        },
        mergePatch,
      ),
    );
  }

  private async writeStatus(r: FaultRequest, status: FaultRequestStatus): Promise<void> {
    const { group, version, plural } = FAULT_REQUEST;
    const namespace = r.metadata.namespace ?? '';
    const name = r.metadata.name;
    await this.k.maybe({ verb: 'patch', resource: `${plural}/status`, group, namespace, name }, () =>
      this.k.custom.patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          plural,
          namespace,
          name,
          body: { status: { ...status, agent: this.node, time: new Date().toISOString() } },
        },
        mergePatch,
      ),
    );
  }

  private log(level: AgentLog['level'], msg: string, request?: string): void {
    this.emit('log', { level, msg, ...(request ? { request } : {}) });
  }

  private fail(err: unknown): void {
    this.log('error', errorMessage(err));
  }
}
