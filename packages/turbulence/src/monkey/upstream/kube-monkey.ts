/**
 * @module kube-monkey's `config.toml` → schedule. Defaults and checks are kube-monkey's
 * (`internal/pkg/config/config.go`, `validations.go`): dry_run true, America/Los_Angeles, run/start/end hours
 * 8/10/16, blacklist `kube-system`, whitelist every namespace; hours in [0,23] and run_hour < start_hour < end_hour.
 * Environment overrides are viper's AutomaticEnv: `kubemonkey.dry_run` is `KUBEMONKEY_DRY_RUN`, lists are split at
 * white space. Victims come from manifests given with `--labels` carrying `kube-monkey/enabled: enabled` (with
 * their `mtbf`, `kill-mode` and `kill-value` labels), else from the live cluster (pod kinds) or the live Docker
 * containers (container kinds): see `kube-monkey-live.ts`. At each fault the labels are read again.
 */
import { parseAllDocuments } from 'yaml';
import type { JsonObject } from '../../core/json.js';
import { errorMessage } from '../../core/errors.js';
import type { Target } from '../../core/fault.js';
import {
  WORKLOAD_KINDS,
  discoverWorkloads,
  victimsFromContainers,
  type LiveVictim,
  type WorkloadKind,
} from '../kube-monkey-live.js';
import { groupName, hour, upstreamError, type UpstreamOptions } from './common.js';

const DEFAULTS = {
  dry_run: true,
  run_hour: 8,
  start_hour: 10,
  end_hour: 16,
  time_zone: 'America/Los_Angeles',
  graceperiod_sec: 5,
  blacklisted_namespaces: ['kube-system'],
  whitelisted_namespaces: [''],
};

type KubeMonkeyConfig = typeof DEFAULTS;

/** The `[kubemonkey]` settings after defaults and `KUBEMONKEY_*` overrides. */
export function kubeMonkeySettings(toml: Record<string, unknown>, env: NodeJS.ProcessEnv): KubeMonkeyConfig {
  const table = (toml.kubemonkey ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof KubeMonkeyConfig)[]) {
    const fromEnv = env[`KUBEMONKEY_${key.toUpperCase()}`];
    const value: unknown = fromEnv !== undefined ? fromEnvText(fromEnv, DEFAULTS[key]) : table[key];
    if (value !== undefined) out[key] = value;
  }
  return out as KubeMonkeyConfig;
}

function fromEnvText(text: string, like: unknown): unknown {
  if (Array.isArray(like)) return text.split(/\s+/).filter((s) => s !== '');
  if (typeof like === 'boolean') return /^(1|t|true)$/i.test(text.trim());
  if (typeof like === 'number') return Number(text);
  return text;
}

/** Maps a kube-monkey config (+ victims' manifests) onto a schedule document. */
export async function fromKubeMonkey(
  toml: Record<string, unknown>,
  source: string,
  opts: UpstreamOptions,
): Promise<{ doc: Record<string, unknown>; warnings: string[] }> {
  const s = kubeMonkeySettings(toml, opts.env ?? process.env);
  for (const [key, param] of [
    ['run_hour', 'RunHour'],
    ['start_hour', 'StartHour'],
    ['end_hour', 'EndHour'],
  ] as const) {
    const h = s[key];
    if (!Number.isInteger(h) || h < 0 || h > 23) {
      throw upstreamError(
        source,
        `${param}: kubemonkey.${key} is outside valid range of [0,23]`,
        'kube-monkey refuses this too',
      );
    }
  }
  if (!(s.start_hour < s.end_hour)) {
    throw upstreamError(
      source,
      'StartHour: kubemonkey.start_hour must be less than kubemonkey.end_hour',
      'kube-monkey refuses this too: run_hour < start_hour < end_hour',
    );
  }
  if (!(s.run_hour < s.start_hour)) {
    throw upstreamError(
      source,
      'RunHour: kubemonkey.run_hour should be less than kubemonkey.start_hour',
      'kube-monkey refuses this too: run_hour < start_hour < end_hour',
    );
  }
  const headers = (
    (toml.notifications as Record<string, unknown> | undefined)?.attacks as { headers?: unknown } | undefined
  )?.headers;
  for (const h of Array.isArray(headers) ? headers : []) {
    if (!/^(.+:.+)$/.test(String(h)))
      throw upstreamError(source, `Header: ${String(h)} is not in valid format`, 'write "Name:Value"');
  }
  const warnings: string[] = [];
  const debug = debugSettings(toml, opts.env ?? process.env);
  if (debug.enabled && debug.force_should_kill)
    warnings.push('[debug] force_should_kill: every victim gets a fault every day (MTBF 1)');
  if (debug.enabled && debug.schedule_immediate_kill)
    warnings.push(
      '[debug] schedule_immediate_kill: faults at any hour of any day (window 00:00-24:00, every weekday); ' +
        "kube-monkey's new schedule every schedule_delay seconds has no equivalent: use `monkey run --clock-speed` to go faster",
    );
  const notifications = notificationsOf(toml, source, warnings);
  warnings.push(
    `run_hour ${s.run_hour}: turbulence plans the whole time line ahead, so there is no daily planning hour`,
  );
  const kind = opts.kind ?? 'pod.delete';
  const groups = opts.labels?.length
    ? await victims(opts, s, kind, source, warnings)
    : opts.target
      ? [singleGroup(opts, kind, source)]
      : await liveVictims(s, kind, source, warnings);
  if (debug.enabled && debug.force_should_kill) for (const g of groups) g.meanTimeBetweenFaults = 1;
  const immediate = debug.enabled && debug.schedule_immediate_kill;
  return {
    doc: {
      timezone: s.time_zone,
      window: immediate
        ? { days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], start: '00:00', end: '24:00' }
        : { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: hour(s.start_hour), end: hour(s.end_hour) },
      leashed: s.dry_run,
      maxConcurrent: Math.max(1, groups.length),
      ...(notifications.length > 0 ? { notifications } : {}),
      groups,
    },
    warnings,
  };
}

/** `[debug]` after `DEBUG_*` environment overrides (viper's AutomaticEnv, as for `[kubemonkey]`). */
function debugSettings(
  toml: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { enabled: boolean; schedule_immediate_kill: boolean; force_should_kill: boolean } {
  const table = (toml.debug ?? {}) as Record<string, unknown>;
  const flag = (key: string): boolean => {
    const fromEnv = env[`DEBUG_${key.toUpperCase()}`];
    return fromEnv !== undefined ? /^(1|t|true)$/i.test(fromEnv.trim()) : table[key] === true;
  };
  return {
    enabled: flag('enabled'),
    schedule_immediate_kill: flag('schedule_immediate_kill'),
    force_should_kill: flag('force_should_kill'),
  };
}

function singleGroup(opts: UpstreamOptions, kind: string, source: string): Record<string, unknown> {
  if (!opts.target) throw upstreamError(source, 'no target');
  return {
    name: 'kube-monkey',
    targets: opts.target,
    fault: { kind },
    meanTimeBetweenFaults: opts.mtbf ?? 1,
    minTimeBetweenFaults: 0,
  };
}

interface Manifest {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
}

async function victims(
  opts: UpstreamOptions,
  s: KubeMonkeyConfig,
  kind: string,
  source: string,
  warnings: string[],
): Promise<Record<string, unknown>[]> {
  const groups: Record<string, unknown>[] = [];
  for (const file of opts.labels ?? []) {
    const text = await (opts.read ?? (() => Promise.reject(new Error('no reader'))))(file);
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0)
        throw upstreamError(file, `not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
      const m = doc.toJS() as Manifest | null;
      if (!m || !['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind ?? '')) continue;
      const labels = { ...m.spec?.template?.metadata?.labels, ...m.metadata?.labels };
      const name = m.metadata?.name ?? 'victim';
      const namespace = m.metadata?.namespace ?? 'default';
      if (labels['kube-monkey/enabled'] !== 'enabled') continue;
      if (!namespaceAllowed(namespace, s)) {
        warnings.push(`${m.kind} ${namespace}/${name}: namespace not allowed by the black/whitelist; skipped`);
        continue;
      }
      const mtbf = Number(labels['kube-monkey/mtbf']);
      if (!Number.isInteger(mtbf) || mtbf < 1) {
        throw upstreamError(
          file,
          `${m.kind} ${name}: kube-monkey/mtbf must be a positive integer, got ${JSON.stringify(labels['kube-monkey/mtbf'])}`,
          'kube-monkey skips such a victim; fix the label',
        );
      }
      const mode = labels['kube-monkey/kill-mode'] ?? 'fixed';
      if (!['kill-all', 'fixed', 'random-max-percent', 'fixed-percent'].includes(mode)) {
        throw upstreamError(
          file,
          `${m.kind} ${name}: unknown kube-monkey/kill-mode ${JSON.stringify(mode)}`,
          'use kill-all, fixed, random-max-percent or fixed-percent',
        );
      }
      const value =
        labels['kube-monkey/kill-value'] === undefined
          ? mode === 'fixed'
            ? 1
            : undefined
          : Number(labels['kube-monkey/kill-value']);
      if (
        mode !== 'kill-all' &&
        (value === undefined || !Number.isFinite(value) || value < 0 || (mode !== 'fixed' && value > 100))
      ) {
        throw upstreamError(
          file,
          `${m.kind} ${name}: kube-monkey/kill-value ${JSON.stringify(labels['kube-monkey/kill-value'])} is not valid for ${mode}`,
          'a count for fixed, a percentage 0-100 for the percent modes',
        );
      }
      const identifier = labels['kube-monkey/identifier'] ?? name;
      const target: JsonObject = opts.target ?? podsOf(namespace, identifier);
      groups.push({
        name: groupName(`${namespace}-${name}`),
        targets: target,
        fault: faultOf(kind, s),
        meanTimeBetweenFaults: mtbf,
        minTimeBetweenFaults: 0,
        killMode: { mode, ...(value !== undefined ? { value } : {}) },
        // Pods of a manifest's workload: its labels are read again from the cluster at each fault, as kube-monkey does.
        ...(opts.target === undefined && WORKLOAD_KINDS.includes(m.kind as WorkloadKind)
          ? { kubeMonkey: { workload: { kind: m.kind, namespace, name } } }
          : {}),
      });
    }
  }
  if (groups.length === 0)
    throw upstreamError(
      source,
      'no manifest carries kube-monkey/enabled: enabled',
      "label the Deployment (and its pod template) as in kube-monkey's README",
    );
  return groups;
}

/**
 * `[notifications]` (enabled) with `[notifications.attacks]` endpoint, message and "Name:Value" headers, and
 * `reportSchedule`, as the schedule's `notifications` (`notify.ts`).
 */
function notificationsOf(toml: Record<string, unknown>, source: string, warnings: string[]): Record<string, unknown>[] {
  const n = toml.notifications as Record<string, unknown> | undefined;
  if (!n || n.enabled !== true) return [];
  const attacks = (n.attacks ?? {}) as { endpoint?: unknown; message?: unknown; headers?: unknown };
  if (typeof attacks.endpoint !== 'string' || attacks.endpoint === '') {
    throw upstreamError(source, '[notifications.attacks] endpoint is missing', 'kube-monkey posts each attack to it');
  }
  if (typeof n.proxy === 'string' && n.proxy !== '')
    warnings.push(`[notifications] proxy ${n.proxy}: not supported, requests go to the endpoint directly`);
  const headers: Record<string, string> = {};
  for (const h of Array.isArray(attacks.headers) ? attacks.headers : []) {
    const text = String(h);
    const colon = text.indexOf(':');
    headers[text.slice(0, colon).trim()] = text.slice(colon + 1).trim();
  }
  return [
    {
      url: attacks.endpoint,
      ...(typeof attacks.message === 'string' ? { message: attacks.message } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      reportSchedule: n.reportSchedule === true,
    },
  ];
}

/** The pods of a kube-monkey victim: its identifier label in its namespace (kube-monkey's own opt-in replaces turbulence's). */
function podsOf(namespace: string, identifier: string): JsonObject {
  return { namespace, selector: `kube-monkey/identifier=${identifier}`, optIn: false };
}

function faultOf(kind: string, s: KubeMonkeyConfig): Record<string, unknown> {
  return { kind, ...(kind === 'pod.delete' ? { params: { gracePeriod: s.graceperiod_sec } } : {}) };
}

/** The kill mode a victim's labels give when the time line is planned (re-read at each fault). */
function killModeOf(labels: Record<string, string>): Record<string, unknown> | undefined {
  const mode = labels['kube-monkey/kill-mode'];
  if (mode === undefined || !['kill-all', 'fixed', 'random-max-percent', 'fixed-percent'].includes(mode))
    return undefined;
  const value = Number(labels['kube-monkey/kill-value']);
  if (mode === 'kill-all') return { mode };
  return Number.isInteger(value) && value > 0 ? { mode, value } : undefined;
}

/**
 * Victims read from live targets: opted-in workloads of the cluster (`pod.*` kinds), or opted-in containers
 * (`container.*` kinds), with kube-monkey's rules (`kube-monkey-live.ts`).
 */
async function liveVictims(
  s: KubeMonkeyConfig,
  kind: string,
  source: string,
  warnings: string[],
): Promise<Record<string, unknown>[]> {
  const warn = (m: string) => warnings.push(m);
  const docker = kind.startsWith('container.');
  let found: LiveVictim[];
  if (docker) {
    const { resolveContainers } = await import('../../targets/container.js');
    let containers: Target[] = [];
    try {
      containers = await resolveContainers({ label: ['kube-monkey/enabled=enabled'] });
    } catch (err) {
      warn(`containers: ${errorMessage(err)}`);
    }
    found = victimsFromContainers(containers, warn);
  } else {
    found = await discoverWorkloads((ns) => namespaceAllowed(ns, s), warn);
  }
  if (found.length === 0) {
    throw upstreamError(
      source,
      docker
        ? 'no container carries kube-monkey/enabled=enabled (with kube-monkey/identifier and kube-monkey/mtbf)'
        : 'no Deployment, StatefulSet or DaemonSet in the cluster carries kube-monkey/enabled=enabled (with kube-monkey/identifier and kube-monkey/mtbf)',
      "label the victims as in kube-monkey's README, or give their manifests (--labels FILE) or a target (--target k=v)",
    );
  }
  return found.map((v) => {
    const km = killModeOf(v.labels);
    return {
      name: groupName(v.namespace ? `${v.namespace}-${v.identifier}` : v.identifier),
      targets: docker
        ? { label: [`kube-monkey/identifier=${v.identifier}`] }
        : podsOf(v.namespace ?? 'default', v.identifier),
      fault: faultOf(kind, s),
      meanTimeBetweenFaults: v.mtbf,
      minTimeBetweenFaults: 0,
      ...(km ? { killMode: km } : {}),
      // Containers carry the opt-in themselves: one with the identifier but not enabled is never a target.
      ...(docker ? { optIn: { label: 'kube-monkey/enabled', value: 'enabled' } } : {}),
      kubeMonkey: v.source,
    };
  });
}

/** kube-monkey's namespace rule: not blacklisted, and whitelisted (`""` = every namespace). Patterns as Go's path.Match. */
export function namespaceAllowed(
  ns: string,
  s: Pick<KubeMonkeyConfig, 'blacklisted_namespaces' | 'whitelisted_namespaces'>,
): boolean {
  const match = (pattern: string) => globRegex(pattern).test(ns);
  if (s.blacklisted_namespaces.some(match)) return false;
  return s.whitelisted_namespaces.some((w) => w === '' || match(w));
}

function globRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
