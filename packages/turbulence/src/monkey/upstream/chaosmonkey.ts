/**
 * @module Chaos Monkey's `chaosmonkey.toml` and per-app JSON → schedule. Defaults are Chaos Monkey's
 * (`docs/Configuration-file-format.md`): disabled, leashed, 09:00-15:00 America/Los_Angeles on weekdays. Each
 * app's `attributes.chaosMonkey` block becomes a group, checked as upstream's `fromJSON` checks it
 * (`spinnaker/fromjson.go`), with upstream's messages.
 */
import { groupName, hour, upstreamError, type UpstreamOptions } from './common.js';

/** Maps a Chaos Monkey config (+ per-app JSON) onto a schedule document. */
export async function fromChaosMonkey(
  toml: Record<string, unknown>,
  source: string,
  opts: UpstreamOptions,
): Promise<{ doc: Record<string, unknown>; warnings: string[] }> {
  const cm = (toml.chaosmonkey ?? {}) as Record<string, unknown>;
  const warnings: string[] = [];
  const enabled = cm.enabled === true;
  const leashed = cm.leashed !== false || !enabled;
  if (!enabled) warnings.push('enabled = false: Chaos Monkey would terminate nothing, so this runs leashed');
  if (cm.schedule_enabled !== true)
    warnings.push('schedule_enabled = false: Chaos Monkey would not build daily schedules; turbulence plans anyway');
  for (const key of ['outage_checker', 'trackers', 'decryptor', 'error_counter']) {
    const v = cm[key];
    if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
      warnings.push(`${key} plugins are Go code; use the schedule's outage/probes instead (ignored)`);
  }
  let tz = typeof cm.time_zone === 'string' ? cm.time_zone : 'America/Los_Angeles';
  if (tz === 'Local') tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const start = typeof cm.start_hour === 'number' ? cm.start_hour : 9;
  const end = typeof cm.end_hour === 'number' ? cm.end_hour : 15;
  if (!(start < end)) throw upstreamError(source, `start_hour (${start}) must be before end_hour (${end})`);
  if (!opts.apps?.length) {
    throw upstreamError(
      source,
      "Chaos Monkey reads each app's settings from Spinnaker: give them as JSON files (--app FILE)",
      'the JSON Spinnaker returns for GET /applications/<app>',
    );
  }
  const groups: Record<string, unknown>[] = [];
  for (const file of opts.apps) {
    const text = await (opts.read ?? (() => Promise.reject(new Error('no reader'))))(file);
    groups.push(appGroup(text, file, opts, warnings));
  }
  const maxApps = typeof cm.max_apps === 'number' ? cm.max_apps : Number.MAX_SAFE_INTEGER;
  if (groups.length > maxApps) warnings.push(`max_apps = ${maxApps}: only the first ${maxApps} apps are scheduled`);
  return {
    doc: {
      timezone: tz,
      window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: hour(start), end: hour(end) },
      leashed,
      maxConcurrent: Math.max(1, Math.min(groups.length, maxApps)),
      groups: groups.slice(0, maxApps),
    },
    warnings,
  };
}

interface AppJson {
  name?: string;
  attributes?: { chaosMonkey?: ChaosMonkeyBlock };
}

interface ChaosMonkeyBlock {
  enabled?: boolean;
  grouping?: string;
  meanTimeBetweenKillsInWorkDays?: number;
  minTimeBetweenKillsInWorkDays?: number;
  regionsAreIndependent?: boolean;
  exceptions?: { account?: string; region?: string; stack?: string; detail?: string }[];
  whitelist?: unknown[];
}

/**
 * One app's settings as a group, refused as upstream's `fromJSON` refuses them.
 *
 * @example
 * appGroup('{"name":"abc","attributes":{"chaosMonkey":{"enabled":false}}}', 'abc.json', {}, []);
 */
export function appGroup(
  text: string,
  file: string,
  opts: UpstreamOptions,
  warnings: string[],
): Record<string, unknown> {
  let parsed: AppJson;
  try {
    parsed = JSON.parse(text) as AppJson;
  } catch (err) {
    throw upstreamError(file, `json unmarshal failed: ${(err as Error).message}`);
  }
  if (!parsed.attributes) throw upstreamError(file, "'attributes' field missing");
  const cm = parsed.attributes.chaosMonkey;
  if (!cm) throw upstreamError(file, "'attributes.chaosMonkey' field missing");
  if (cm.enabled === undefined) throw upstreamError(file, "'attributes.chaosMonkey.enabled' field missing");
  if (cm.enabled && cm.meanTimeBetweenKillsInWorkDays === undefined)
    throw upstreamError(file, 'attributes.chaosMonkey.meanTimeBetweenKillsInWorkDays missing');
  if (cm.enabled && cm.minTimeBetweenKillsInWorkDays === undefined)
    throw upstreamError(file, 'attributes.chaosMonkey.minTimeBetweenKillsInWorkDays missing');
  if (cm.enabled && (cm.meanTimeBetweenKillsInWorkDays ?? 0) <= 0) {
    throw upstreamError(
      file,
      `invalid attributes.chaosMonkey.meanTimeBetweenKillsInWorkDays: ${cm.meanTimeBetweenKillsInWorkDays}`,
    );
  }
  const grouping = cm.grouping ?? 'cluster';
  if (cm.enabled && !['app', 'stack', 'cluster'].includes(grouping))
    throw upstreamError(file, `Unknown grouping: ${grouping}`);
  for (const e of cm.exceptions ?? []) {
    if (!e.account) throw upstreamError(file, 'missing account field in exception');
    if (!e.region) throw upstreamError(file, 'missing region field in exception');
  }
  const name = parsed.name ?? 'app';
  if ((cm.exceptions?.length ?? 0) > 0 || cm.whitelist !== undefined) {
    warnings.push(
      `${name}: exceptions and whitelist name Spinnaker accounts/regions, which local targets do not have; use the schedule's exceptions (regexes on target names)`,
    );
  }
  if (!opts.target) {
    throw upstreamError(
      file,
      `app ${name}: say which targets it is with --target k=v`,
      'Chaos Monkey finds instances through Spinnaker; turbulence needs a target query (e.g. --target cmdline=node.*abc)',
    );
  }
  return {
    name: groupName(name),
    targets: opts.target,
    fault: { kind: opts.kind ?? 'process.kill' },
    meanTimeBetweenFaults: (cm.meanTimeBetweenKillsInWorkDays ?? 0) > 0 ? cm.meanTimeBetweenKillsInWorkDays : 1,
    minTimeBetweenFaults: cm.minTimeBetweenKillsInWorkDays ?? 0,
    grouping,
    enabled: cm.enabled,
  };
}
