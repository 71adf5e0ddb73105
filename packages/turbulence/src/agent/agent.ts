/**
 * @module `turbulence agent`: the process on each node (a DaemonSet) that applies pod network faults.
 *
 *   watch FaultRequests labelled turbulence.io/node=NODE (+ a resync every intervalMs)
 *     new request  → pod on this node? → container ID → PID (/proc/<pid>/cgroup) → ip netns attach tbpod_<id>
 *                  → FaultManager.inject(network.<kind>, { netns: tbpod_<id> }) with the agent's own ledger
 *                  → status Applied (or Failed + message)
 *     deleted      → revert → status Reverted → finalizer removed
 *     expired      → (the manager's timer) revert → status Reverted
 *     lease stale  → the runner's Lease not renewed within its leaseDurationSeconds → revert → status Reverted
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
  FAULT_REQUEST,
  NODE_LABEL,
  POD_NETWORK_KINDS,
  netnsName,
  type FaultRequest,
  type FaultRequestStatus,
} from '../faults/kubernetes/fault-request.js';
import { ledgerDir, turbulenceHome } from '../os/home.js';
import { kubeClient, mergePatch, type ClusterRef, type KubeClient } from '../os/kube.js';
import { attachNetns, detachNetns } from '../os/netns.js';
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
  netns: string;
  lease: { namespace: string; name: string };
}

/** Milliseconds left of a request's duration, counted from its creation (undefined: no duration). */
function remainingMs(r: FaultRequest, now = Date.now()): number | undefined {
  if (r.spec.durationMs === undefined) return undefined;
  const c = (r.metadata as { creationTimestamp?: unknown }).creationTimestamp;
  const created = typeof c === 'string' ? Date.parse(c) : c instanceof Date ? c.getTime() : NaN;
  return Number.isNaN(created) ? r.spec.durationMs : created + r.spec.durationMs - now;
}

const VALID_KINDS = new Set<string>(Object.values(POD_NETWORK_KINDS));

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
    if (!VALID_KINDS.has(spec.kind)) return refuse(`kind ${spec.kind} is not one the agent applies`);
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
    const ids = (pod.status?.containerStatuses ?? [])
      .map((c) => bareContainerId(c.containerID))
      .filter((x): x is string => x !== undefined);
    if (ids.length === 0) return refuse(`pod ${podName} has no started container`);
    let pid: number | undefined;
    for (const id of ids) pid ??= await containerPid(id, this.options.procRoot);
    if (pid === undefined)
      return refuse(`no process of pod ${podName} (container ${ids[0]}) on node ${this.node}: is the agent hostPID?`);
    const netns = netnsName(spec.faultId);
    const a: Active = {
      key,
      namespace: r.metadata.namespace ?? '',
      name: r.metadata.name,
      uid: r.metadata.uid,
      faultIds: [],
      netns,
      lease: spec.lease,
    };
    try {
      await attachNetns(netns, pid);
      const injected = await this.manager.inject(
        {
          kind: spec.kind,
          target: { netns: [netns] },
          params: spec.params as never,
          ...(remaining !== undefined ? { durationMs: remaining } : {}),
        },
        { activity: `agent: FaultRequest ${key}` },
      );
      a.faultIds = injected.map((f) => f.id);
      this.active.set(key, a);
    } catch (err) {
      await detachNetns(netns).catch(() => undefined);
      this.log('warn', `${spec.kind} on pod ${podName} failed: ${errorMessage(err)}`, key);
      return refuse(`${spec.kind} failed: ${errorMessage(err)}`);
    }
    this.log('info', `applied ${spec.kind} to pod ${podName} (pid ${pid}, netns ${netns})`, key);
    await this.writeStatus(r, {
      phase: 'Applied',
      message: `${spec.kind} applied in the network namespace of pod ${podName} (pid ${pid})`,
    });
  }

  /** Reverts one applied request; writes `phase` when given (the request still exists). */
  private async finish(a: Active, phase: FaultRequestStatus['phase'] | undefined, message: string): Promise<void> {
    this.active.delete(a.key);
    let failed: unknown;
    for (const id of a.faultIds) await this.manager.revert(id, 'agent').catch((e: unknown) => (failed ??= e));
    await detachNetns(a.netns).catch(() => undefined);
    const text = failed ? `revert failed: ${errorMessage(failed)}` : message;
    this.log(failed ? 'error' : 'info', `${a.key}: ${text}`, a.key);
    if (phase) {
      await this.writeStatus({ metadata: { name: a.name, namespace: a.namespace } } as FaultRequest, {
        phase: failed ? 'Failed' : phase,
        message: text,
      }).catch((e: unknown) => this.fail(e));
    }
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
