/**
 * LitmusChaos `ChaosEngine` files (with their `ChaosExperiment` definitions in the same multi-document YAML,
 * beside the file, or in a `--hub DIR`), translated into a turbulence experiment of `fault` actions: each Litmus
 * fault that the Kubernetes family can do becomes its kind, repeated every `CHAOS_INTERVAL` for
 * `TOTAL_CHAOS_DURATION` like the Litmus runner; the others are refused at validate time. See docs/litmus.md.
 */
import type { Action, Experiment, Probe } from '../types.js';
import { translateLitmusProbes } from './litmus-probes.js';

type Obj = Record<string, unknown>;

/** A scalar as text (`''` for anything else): Litmus values are strings, but YAML may have made them numbers. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** One parsed YAML document: its value and its index in the file. */
export interface LitmusDoc {
  value: Obj;
  index: number;
}

import type { LitmusProblem } from './litmus-problem.js';

export type { LitmusProblem };

/** Litmus faults turbulence runs, and the kind each becomes. */
export const LITMUS_FAULTS: Record<string, string> = {
  'pod-delete': 'pod.delete',
  'container-kill': 'pod.container-kill',
  'node-drain': 'node.drain',
  'node-taint': 'node.taint',
  // Pod network faults: Litmus runs tc/netem (or a NetworkPolicy) for the pod; turbulence asks the agent on the
  // pod's node to apply the network family's kind inside the pod's namespace.
  'pod-network-latency': 'pod.latency',
  'pod-network-loss': 'pod.loss',
  'pod-network-corruption': 'pod.latency',
  'pod-network-duplication': 'pod.latency',
  'pod-network-partition': 'pod.partition',
  'pod-network-rate-limit': 'pod.bandwidth',
  'pod-dns-error': 'pod.dns-block',
  // Pod stress and disk fill: the agent runs the stress family in the container's cgroups, or fills a file in
  // the container's filesystem.
  'pod-cpu-hog': 'pod.stress',
  'pod-cpu-hog-exec': 'pod.stress',
  'pod-memory-hog': 'pod.stress',
  'pod-memory-hog-exec': 'pod.stress',
  'pod-io-stress': 'pod.stress',
  'disk-fill': 'pod.disk-fill',
};

/** The kinds of LITMUS_FAULTS that inject for a duration on pods through the agent. */
const POD_TIMED = new Set([
  'pod.latency',
  'pod.loss',
  'pod.partition',
  'pod.bandwidth',
  'pod.dns-block',
  'pod.stress',
  'pod.disk-fill',
]);

/** Litmus faults known to need what this build does not have, with why. */
const NOT_YET: Record<string, string> = {
  'pod-dns-spoof': 'turbulence has no pod kind that answers DNS with other addresses (pod.dns-block only blocks)',
  'node-cpu-hog': 'turbulence has no node stress kind: its stress runs in a pod (pod.stress, see pod-cpu-hog)',
  'node-memory-hog': 'turbulence has no node stress kind: its stress runs in a pod (pod.stress, see pod-memory-hog)',
  'node-io-stress': 'turbulence has no node stress kind: its stress runs in a pod (pod.stress, see pod-io-stress)',
  'node-restart': 'turbulence does not restart nodes (no cloud or SSH driver)',
  'node-poweroff': 'turbulence does not power nodes off (no cloud or SSH driver)',
  'kubelet-service-kill': 'turbulence does not stop node services (no SSH or privileged node access)',
  'docker-service-kill': 'turbulence does not stop node services (no SSH or privileged node access)',
  'pod-http-latency': 'HTTP faults on a pod need a sidecar proxy turbulence does not inject; use the proxy family',
  'pod-http-status-code': 'HTTP faults on a pod need a sidecar proxy turbulence does not inject; use the proxy family',
  'pod-http-modify-body': 'HTTP faults on a pod need a sidecar proxy turbulence does not inject; use the proxy family',
  'pod-http-modify-header':
    'HTTP faults on a pod need a sidecar proxy turbulence does not inject; use the proxy family',
  'pod-http-reset-peer': 'HTTP faults on a pod need a sidecar proxy turbulence does not inject; use the proxy family',
  'pod-autoscaler': 'turbulence scales workloads down (workload.scale), not up to the autoscaler limit',
};

/** Tunables each mapped fault reads (others are accepted and reported as ignored when set). */
const KNOWN_ENV = new Set([
  'TOTAL_CHAOS_DURATION',
  'CHAOS_INTERVAL',
  'RAMP_TIME',
  'FORCE',
  'PODS_AFFECTED_PERC',
  'TARGET_PODS',
  'TARGET_CONTAINER',
  'NODE_LABEL',
  'SEQUENCE',
  'TARGET_NODE',
  'TAINTS',
  'SIGNAL',
  'DEFAULT_HEALTH_CHECK',
  'CONTAINER_RUNTIME',
  'SOCKET_PATH',
  'LIB',
  'LIB_IMAGE',
  'NETWORK_LATENCY',
  'JITTER',
  'NETWORK_PACKET_LOSS_PERCENTAGE',
  'NETWORK_PACKET_CORRUPTION_PERCENTAGE',
  'NETWORK_PACKET_DUPLICATION_PERCENTAGE',
  'NETWORK_INTERFACE',
  'NETWORK_BANDWIDTH',
  'DESTINATION_IPS',
  'DESTINATION_HOSTS',
  'POLICY_TYPES',
  'POD_SELECTOR',
  'NAMESPACE_SELECTOR',
  'PORTS',
  'TARGET_HOSTNAMES',
  'MATCH_SCHEME',
  'CPU_CORES',
  'CPU_LOAD',
  'MEMORY_CONSUMPTION',
  'NUMBER_OF_WORKERS',
  'VOLUME_MOUNT_PATH',
  'FILL_PERCENTAGE',
  'EPHEMERAL_STORAGE_MEBIBYTES',
]);

const kindOf = (v: Obj) => (typeof v.kind === 'string' ? v.kind : '');
const nameOf = (v: Obj) => str(((v.metadata ?? {}) as Obj).name ?? '');

/** True when the documents hold a ChaosEngine or an Argo Workflow of Litmus (the format detector's test). */
export function isLitmus(docs: Obj[]): boolean {
  return docs.some((d) => kindOf(d) === 'ChaosEngine' || (kindOf(d) === 'ChaosExperiment' && docs.length === 1));
}

/** Resolves `env` entries to strings: `''` = unset; `valueFrom` from a Secret/ConfigMap of the same file. */
function envOf(
  list: unknown,
  docs: LitmusDoc[],
  at: { doc: number; path: (string | number)[] },
  problems: LitmusProblem[],
): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(list)) return out;
  list.forEach((e: Obj, i) => {
    const name = str(e?.name ?? '');
    const where = { doc: at.doc, path: [...at.path, i] };
    if (e?.valueFrom) {
      const vf = e.valueFrom as Obj;
      const ref = (vf.secretKeyRef ?? vf.configMapKeyRef) as { name?: string; key?: string } | undefined;
      const kind = vf.secretKeyRef ? 'Secret' : vf.configMapKeyRef ? 'ConfigMap' : undefined;
      const holder = docs.find((d) => kindOf(d.value) === kind && nameOf(d.value) === ref?.name)?.value;
      let value: unknown;
      if (holder && ref?.key) {
        value = ((holder.stringData ?? {}) as Obj)[ref.key];
        const data = ((holder.data ?? {}) as Obj)[ref.key];
        if (value === undefined && typeof data === 'string') {
          value = kind === 'Secret' ? Buffer.from(data, 'base64').toString('utf8') : data;
        }
      }
      if (typeof value !== 'string') {
        problems.push({
          ...where,
          path: [...where.path, 'valueFrom'],
          message: `${name}: valueFrom ${kind ?? '(fieldRef/resourceFieldRef)'} "${ref?.name ?? ''}" key "${ref?.key ?? ''}" is not in this file`,
          hint: `put the ${kind ?? 'Secret or ConfigMap'} in the same file (turbulence reads only the file, never the cluster), or give value: '...'`,
        });
        return;
      }
      out.set(name, value);
      return;
    }
    const v = e?.value;
    if (v === undefined || v === null || v === '') return;
    out.set(name, str(v));
  });
  return out;
}

function seconds(
  env: Map<string, string>,
  name: string,
  fallback: number,
  where: LitmusProblem,
  problems: LitmusProblem[],
  unit = 'seconds',
): number {
  const v = env.get(name);
  if (v === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(v.trim())) {
    problems.push({ ...where, message: `${name}="${v}" is not a number of ${unit}`, hint: `e.g. ${name}: '30'` });
    return fallback;
  }
  return Number(v);
}

/**
 * Checks and translates a ChaosEngine with its ChaosExperiments.
 *
 * @param docs every document of the file, then any ChaosExperiment found beside it or in the hub
 */
export function translateLitmus(
  docs: LitmusDoc[],
  source: string,
  extra: { value: Obj; file: string }[] = [],
): { experiment?: Experiment; problems: LitmusProblem[]; notes: string[]; engine: string } {
  const problems: LitmusProblem[] = [];
  const notes: string[] = [];
  const workflow = docs.find((d) => kindOf(d.value) === 'Workflow' || kindOf(d.value) === 'CronWorkflow');
  const engines = docs.filter((d) => kindOf(d.value) === 'ChaosEngine');
  if (engines.length === 0) {
    problems.push({
      doc: workflow?.index ?? 0,
      path: ['kind'],
      message: workflow
        ? `not supported: an Argo ${kindOf(workflow.value)} (ChaosCenter) with the ChaosEngine embedded as a string`
        : 'this file has ChaosExperiment definitions but no ChaosEngine',
      hint: workflow
        ? 'save the embedded ChaosEngine and ChaosExperiment (inputs.artifacts[].raw.data) as a YAML file and run that'
        : 'run the ChaosEngine file; turbulence finds this ChaosExperiment beside it or with --hub DIR',
    });
    return { problems, notes, engine: '' };
  }
  if (engines.length > 1) {
    problems.push({
      doc: engines[1]?.index ?? 0,
      path: ['kind'],
      message: 'one ChaosEngine per file',
      hint: 'split the file',
    });
    return { problems, notes, engine: '' };
  }
  const engineDoc = engines[0] as LitmusDoc;
  const engine = engineDoc.value;
  const at = (path: (string | number)[]): LitmusProblem => ({ doc: engineDoc.index, path, message: '' });
  const spec = (engine.spec ?? {}) as Obj;
  const state = spec.engineState ?? 'active';
  if (state !== 'active') {
    problems.push({
      ...at(['spec', 'engineState']),
      message: `engineState is "${str(state)}": the engine is stopped, so nothing runs`,
      hint: "set engineState: 'active' to run it",
    });
  }
  const appinfo = (spec.appinfo ?? {}) as { appns?: string; applabel?: string; appkind?: string };
  const experiments = (Array.isArray(spec.experiments) ? spec.experiments : []) as Obj[];
  if (experiments.length === 0) {
    problems.push({
      ...at(['spec', 'experiments']),
      message: 'the ChaosEngine names no experiment',
      hint: 'add spec.experiments[].name',
    });
  }
  const definitions = [
    ...docs
      .filter((d) => kindOf(d.value) === 'ChaosExperiment')
      .map((d) => ({ value: d.value, doc: d.index, file: undefined })),
    ...extra
      .filter((e) => kindOf(e.value) === 'ChaosExperiment')
      .map((e) => ({ value: e.value, doc: 0, file: e.file })),
  ];
  const method: (Action | Probe)[] = [];
  const faults: { name: string; weight: number; actions: string[]; probes: string[] }[] = [];
  experiments.forEach((ex, i) => {
    const name = str(ex.name ?? '');
    const here = (path: (string | number)[]): LitmusProblem => at(['spec', 'experiments', i, ...path]);
    const kind = LITMUS_FAULTS[name];
    if (!kind) {
      const why = NOT_YET[name];
      problems.push({
        ...here(['name']),
        message: `not supported: ${name} (supported: ${Object.keys(LITMUS_FAULTS).join(', ')})`,
        hint: why ? `${why} (not in this build)` : 'turbulence has no kind for this Litmus fault',
      });
      return;
    }
    const def = definitions.find((d) => nameOf(d.value) === name);
    if (!def) {
      problems.push({
        ...here(['name']),
        message: `no ChaosExperiment "${name}" in this file, beside it, or in the hub`,
        hint: 'add its ChaosExperiment document (fault.yaml from the ChaosHub) to the file, put it beside it, or pass --hub DIR',
      });
      return;
    }
    const defEnv = envOf(
      ((def.value.spec ?? {}) as { definition?: { env?: unknown } }).definition?.env,
      docs,
      { doc: def.doc, path: ['spec', 'definition', 'env'] },
      problems,
    );
    const overrides = envOf(
      (((ex.spec ?? {}) as Obj).components as Obj | undefined)?.env,
      docs,
      { doc: engineDoc.index, path: ['spec', 'experiments', i, 'spec', 'components', 'env'] },
      problems,
    );
    const env = new Map([...defEnv, ...overrides]);
    for (const k of overrides.keys()) {
      if (!KNOWN_ENV.has(k)) notes.push(`${name}: env ${k} is not a tunable turbulence reads; ignored`);
    }
    for (const k of defEnv.keys()) {
      if (!KNOWN_ENV.has(k) && !overrides.has(k)) notes.push(`${name}: env ${k} (from the ChaosExperiment) ignored`);
    }
    const probes = translateLitmusProbes(
      ((ex.spec ?? {}) as Obj).probe,
      here(['spec', 'probe']),
      name,
      method,
      problems,
    );
    const envAt = here(['spec', 'components', 'env']);
    const duration = seconds(env, 'TOTAL_CHAOS_DURATION', 30, envAt, problems);
    const interval = seconds(env, 'CHAOS_INTERVAL', 10, envAt, problems);
    const ramp = seconds(env, 'RAMP_TIME', 0, envAt, problems);
    const ns = appinfo.appns ? { namespace: appinfo.appns } : {};
    // The probes watch the fault's actions that follow them (SOT before, EOT after, Continuous/OnChaos during).
    method.push(...probes);
    const first = method.length;
    const record = () =>
      faults.push({
        name,
        weight: 10,
        actions: method.slice(first).map((a) => a.name),
        probes: probes.map((p) => p.name),
      });
    const base = { name, ramp, env };
    if (kind === 'pod.delete' || kind === 'pod.container-kill' || POD_TIMED.has(kind)) {
      const pods = (env.get('TARGET_PODS') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!appinfo.applabel && pods.length === 0) {
        problems.push({
          ...(spec.appinfo ? at(['spec', 'appinfo', 'applabel']) : at(['spec'])),
          message: `${name}: no target: spec.appinfo.applabel is empty and TARGET_PODS is not set`,
          hint: "name the pods, e.g. appinfo: { appns: default, applabel: 'app=nginx', appkind: deployment } (Litmus refuses this too)",
        });
        return;
      }
      const perc = seconds(env, 'PODS_AFFECTED_PERC', 0, envAt, problems);
      const targets =
        pods.length > 0 ? pods.map((p) => ({ ...ns, name: p })) : [{ ...ns, selector: appinfo.applabel as string }];
      if (POD_TIMED.has(kind)) {
        const params = podTimedParams(name, env, envAt, problems, notes);
        if (!params) return;
        // One fault per target, all in effect together for TOTAL_CHAOS_DURATION (SEQUENCE parallel, Litmus's
        // default); the run holds for the duration and the ramp time, like the node faults below.
        targets.forEach((target, t) => {
          const last = t === targets.length - 1;
          method.push(
            action(
              targets.length > 1 ? `${name} (${'name' in target ? target.name : ''})` : name,
              {
                type: 'fault',
                kind,
                target,
                select: perc > 0 ? `percent(${perc})` : 'one',
                params,
                duration: `${duration}s`,
              },
              t === 0 ? ramp : 0,
              last ? ramp + duration + 1 : 0,
            ),
          );
        });
        record();
        return;
      }
      const params: Obj =
        kind === 'pod.delete'
          ? { gracePeriod: 0, force: env.get('FORCE') === 'true' }
          : {
              ...(env.get('TARGET_CONTAINER') ? { container: env.get('TARGET_CONTAINER') } : {}),
              signal: env.get('SIGNAL') ?? 'SIGKILL',
            };
      const rounds = Math.max(1, Math.ceil(duration / Math.max(interval, 1)));
      for (let r = 0; r < rounds; r++) {
        for (const target of targets) {
          method.push(
            action(
              `${name} round ${r + 1}/${rounds}${targets.length > 1 ? ` (${'name' in target ? target.name : ''})` : ''}`,
              {
                type: 'fault',
                kind,
                target,
                select: perc > 0 ? `percent(${perc})` : 'one',
                params,
              },
              r === 0 ? base.ramp : 0,
              target === targets.at(-1) ? interval : 0,
            ),
          );
        }
      }
      record();
    } else {
      const node = env.get('TARGET_NODE') ?? env.get('TARGET_NODES');
      const label = env.get('NODE_LABEL');
      if (!node && !label) {
        problems.push({
          ...envAt,
          message: `${name}: no target node: TARGET_NODE and NODE_LABEL are both empty`,
          hint: "set TARGET_NODE: 'node-1' or NODE_LABEL: 'kubernetes.io/hostname=node-1'",
        });
        return;
      }
      const target = node ? { name: node } : { selector: label as string };
      let params: Obj = {};
      if (kind === 'node.taint') {
        const taint = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(env.get('TAINTS') ?? '');
        if (!taint) {
          problems.push({
            ...envAt,
            message: `TAINTS="${env.get('TAINTS') ?? ''}" is not key=value:Effect`,
            hint: "e.g. 'chaos=true:NoSchedule'",
          });
          return;
        }
        params = { key: taint[1], ...(taint[2] !== undefined ? { value: taint[2] } : {}), effect: taint[3] };
      }
      // Like the Litmus runner, the run stays for the chaos duration (the fault reverts itself at its end) and the
      // ramp time after it; the extra second lets the fault expire before the next action or the end of the run.
      const hold = ramp + duration + 1;
      method.push(action(name, { type: 'fault', kind, target, params, duration: `${duration}s` }, ramp, hold));
      record();
    }
  });
  if (problems.length > 0) return { problems, notes, engine: nameOf(engine) };
  return {
    experiment: {
      title: `ChaosEngine ${nameOf(engine)}`,
      description: `Translated from the LitmusChaos ChaosEngine in ${source} (${experiments.map((e) => e.name).join(', ')}).`,
      tags: ['litmus'],
      extensions: [
        {
          name: 'litmus',
          engine: nameOf(engine),
          namespace: str(((engine.metadata ?? {}) as Obj).namespace ?? '') || appinfo.appns || '',
          faults,
        },
      ],
      method,
    },
    problems,
    notes,
    engine: nameOf(engine),
  };
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(',')
    .map((x) => x.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);

function percent(
  env: Map<string, string>,
  name: string,
  fallback: number,
  where: LitmusProblem,
  problems: LitmusProblem[],
): number | undefined {
  const v = env.get(name);
  if (v === undefined) return fallback;
  const n = Number(v.trim());
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || n > 100) {
    problems.push({
      ...where,
      message: `${name}="${v}" is not a percentage from 0 to 100`,
      hint: `e.g. ${name}: '50'`,
    });
    return undefined;
  }
  return n;
}

/**
 * Params of the turbulence pod network kind for one Litmus network fault, from its tunables; `undefined` (with a
 * problem) when a tunable asks for what the kind cannot do.
 */
function podTimedParams(
  fault: string,
  env: Map<string, string>,
  where: LitmusProblem,
  problems: LitmusProblem[],
  notes: string[],
): Obj | undefined {
  const refuse = (message: string, hint: string): undefined => {
    problems.push({ ...where, message: `${fault}: ${message}`, hint });
    return undefined;
  };
  const hosts = list(env.get('DESTINATION_HOSTS'));
  if (hosts.length > 0 && fault !== 'pod-dns-error') {
    return refuse(
      `not supported: DESTINATION_HOSTS (${hosts.join(', ')}): Litmus resolves these names inside the pod; turbulence's pod network kinds take addresses`,
      'put their addresses (or CIDRs) in DESTINATION_IPS instead',
    );
  }
  const ips = list(env.get('DESTINATION_IPS'));
  const peers = ips.length > 0 ? { peers: ips } : {};
  const device = env.get('NETWORK_INTERFACE') ? { device: env.get('NETWORK_INTERFACE') } : {};
  const container = env.get('TARGET_CONTAINER') ? { container: env.get('TARGET_CONTAINER') } : {};
  const pct = (name: string) => percent(env, name, 100, where, problems);
  switch (fault) {
    case 'pod-network-latency': {
      const delay = seconds(env, 'NETWORK_LATENCY', 2000, where, problems, 'milliseconds');
      const jitter = seconds(env, 'JITTER', 0, where, problems, 'milliseconds');
      return { delay, ...(jitter > 0 ? { jitter } : {}), direction: 'egress', ...peers, ...device };
    }
    case 'pod-network-corruption': {
      const corrupt = pct('NETWORK_PACKET_CORRUPTION_PERCENTAGE');
      return corrupt === undefined ? undefined : { delay: 0, corrupt, direction: 'egress', ...peers, ...device };
    }
    case 'pod-network-duplication': {
      const duplicate = pct('NETWORK_PACKET_DUPLICATION_PERCENTAGE');
      return duplicate === undefined ? undefined : { delay: 0, duplicate, direction: 'egress', ...peers, ...device };
    }
    case 'pod-network-loss': {
      const loss = pct('NETWORK_PACKET_LOSS_PERCENTAGE');
      return loss === undefined ? undefined : { percent: loss, direction: 'egress', ...peers };
    }
    case 'pod-network-rate-limit': {
      const rate = env.get('NETWORK_BANDWIDTH') ?? '1mbit';
      if (!/^\d+(\.\d+)?\s*(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$/i.test(rate.trim())) {
        return refuse(`NETWORK_BANDWIDTH="${rate}" is not a rate`, "e.g. NETWORK_BANDWIDTH: '1mbit'");
      }
      return { rate: rate.trim(), direction: 'egress', ...peers, ...device };
    }
    case 'pod-network-partition': {
      for (const k of ['POD_SELECTOR', 'NAMESPACE_SELECTOR', 'PORTS']) {
        if (env.get(k)) {
          return refuse(
            `not supported: ${k}="${env.get(k) ?? ''}": Litmus writes a NetworkPolicy with these peers; turbulence's pod.partition cuts the pod off by address`,
            `leave ${k} empty (the pod is cut off from everyone, or from DESTINATION_IPS only)`,
          );
        }
      }
      const types = (env.get('POLICY_TYPES') ?? 'all').toLowerCase();
      const direction = { all: 'both', ingress: 'ingress', egress: 'egress' }[types];
      if (!direction)
        return refuse(`POLICY_TYPES="${types}" is not all, ingress or egress`, "e.g. POLICY_TYPES: 'all'");
      return { direction, ...peers };
    }
    case 'pod-dns-error': {
      const names = list(env.get('TARGET_HOSTNAMES'));
      if (names.length > 0) {
        return refuse(
          `not supported: TARGET_HOSTNAMES (${names.join(', ')}): turbulence's pod.dns-block makes every lookup of the pod fail, not chosen names`,
          "leave TARGET_HOSTNAMES: '' to fail every lookup (Litmus's meaning of empty), or fail names with the dns family's fault server",
        );
      }
      return {};
    }
    case 'pod-cpu-hog':
    case 'pod-cpu-hog-exec': {
      const workers = seconds(env, 'CPU_CORES', 1, where, problems, 'cores');
      const load = seconds(env, 'CPU_LOAD', 100, where, problems, 'percent');
      // CPU_LOAD 0 is Litmus's "not set" (a full core per worker).
      return {
        stressor: 'cpu',
        workers: Math.max(1, workers),
        load: load > 0 ? Math.min(load, 100) : 100,
        ...container,
      };
    }
    case 'pod-memory-hog':
    case 'pod-memory-hog-exec': {
      const mib = seconds(env, 'MEMORY_CONSUMPTION', 500, where, problems, 'mebibytes');
      if (env.get('NUMBER_OF_WORKERS') && env.get('NUMBER_OF_WORKERS') !== '1') {
        notes.push(`${fault}: NUMBER_OF_WORKERS ignored: turbulence holds MEMORY_CONSUMPTION MiB with one worker`);
      }
      return { stressor: 'memory', size: `${mib}MiB`, ...container };
    }
    case 'pod-io-stress': {
      const workers = seconds(env, 'NUMBER_OF_WORKERS', 4, where, problems, 'workers');
      if (env.get('FILESYSTEM_UTILIZATION_PERCENTAGE') || env.get('FILESYSTEM_UTILIZATION_BYTES')) {
        notes.push(
          `${fault}: FILESYSTEM_UTILIZATION_* not honoured: turbulence's io stressor writes and fsyncs 4 MiB chunks in a loop (bounded space), it does not fill a share of the disk (use disk-fill for that)`,
        );
      }
      const path = env.get('VOLUME_MOUNT_PATH');
      return { stressor: 'io', workers: Math.min(Math.max(1, workers), 64), ...(path ? { path } : {}), ...container };
    }
    case 'disk-fill': {
      const mib = env.get('EPHEMERAL_STORAGE_MEBIBYTES');
      if (mib) {
        const n = seconds(env, 'EPHEMERAL_STORAGE_MEBIBYTES', 0, where, problems, 'mebibytes');
        return { size: `${n}MiB`, ...container };
      }
      const fill = percent(env, 'FILL_PERCENTAGE', 80, where, problems);
      if (fill === undefined) return undefined;
      notes.push(
        `${fault}: FILL_PERCENTAGE ${fill} fills the filesystem holding /tmp in the container to ${fill}%; Litmus counts it against the container's ephemeral-storage limit (set EPHEMERAL_STORAGE_MEBIBYTES for an exact size)`,
      );
      return { percent: Math.max(1, fill), ...container };
    }
    default:
      return refuse('no pod mapping', 'report this: the translator lists it as supported');
  }
}

function action(name: string, provider: Obj, before: number, after: number): Action {
  return {
    type: 'action',
    name,
    provider: provider as Action['provider'],
    ...(before > 0 || after > 0
      ? { pauses: { ...(before > 0 ? { before } : {}), ...(after > 0 ? { after } : {}) } }
      : {}),
  };
}
