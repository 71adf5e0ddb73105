/**
 * @module What the upstream mappings share: the options the CLI adds to an upstream config, and small helpers.
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';

/** What the upstream configs do not say and the CLI does. */
export interface UpstreamOptions {
  /** Environment for `KUBEMONKEY_*` overrides (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The fault each victim gets (kube-monkey default `pod.delete`, Chaos Monkey default `process.kill`). */
  kind?: string;
  /** The target query of every group (kube-monkey default: the victim's pods by namespace and identifier). */
  target?: JsonObject;
  /** kube-monkey: manifests (Deployment/StatefulSet/DaemonSet YAML) whose `kube-monkey/*` labels make the groups. */
  labels?: readonly string[];
  /** Chaos Monkey: per-app JSON files (`GET /applications/<app>` from Spinnaker). */
  apps?: readonly string[];
  /** kube-monkey without manifests: MTBF of the single group (days). */
  mtbf?: number;
  read?: (path: string) => Promise<string>;
}

/** An error in an upstream config, with upstream's own words where it has them. */
export function upstreamError(source: string, message: string, hint?: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.SCHEDULE_INVALID, message, {
    location: { file: source },
    ...(hint ? { hint } : {}),
  });
}

/** A group or file name as a schedule group name. */
export function groupName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '-') || 'group';
}

/** `HH:00`. */
export function hour(h: number): string {
  return `${String(h).padStart(2, '0')}:00`;
}
