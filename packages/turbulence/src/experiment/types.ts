/**
 * The experiment format: Chaos Toolkit's, key for key, plus turbulence's extensions (marked "ours").
 * Chaos Toolkit ignores unknown keys, so a file that uses our extensions still loads there.
 *
 * Provider types are derived from each provider's schema (`providers/schemas.ts`, `providers/dns-schema.ts`); the
 * zod schema in `schema.ts` validates files against these types and publishes the JSON Schema.
 */

import type { ProbeMode, RunProperties } from './probe-modes-schema.js';

/** `${...}`-substitutable seconds, as in Chaos Toolkit pauses. */
export type Seconds = number | string;

export type {
  FaultProvider,
  HttpProvider,
  ModuleProvider,
  ProcessProvider,
  PythonProvider,
  TcpProvider,
} from '../providers/schemas.js';
export type { Provider, ProviderType } from '../providers/schemas.js';
import type { ModuleProvider, Provider, PythonProvider } from '../providers/schemas.js';

export type { JsonPathTolerance } from './tolerance/jsonpath.js';
export type { ProbeTolerance } from './tolerance/probe.js';
export type { RangeTolerance } from './tolerance/range.js';
export type { RegexTolerance } from './tolerance/regex.js';
import type { JsonPathTolerance } from './tolerance/jsonpath.js';
import type { ProbeTolerance } from './tolerance/probe.js';
import type { RangeTolerance } from './tolerance/range.js';
import type { RegexTolerance } from './tolerance/regex.js';
export type ObjectTolerance = RangeTolerance | RegexTolerance | JsonPathTolerance | ProbeTolerance;
export type Tolerance = boolean | number | string | unknown[] | ObjectTolerance;

/** Ours: what happens when an activity fails or a method probe misses its tolerance. */
export type OnFail = 'continue' | 'fail' | 'abort';

export interface Pauses {
  before?: Seconds;
  after?: Seconds;
}

interface ActivityBase {
  name: string;
  provider: Provider;
  background?: boolean;
  pauses?: Pauses;
  timeout?: number;
  controls?: Control[];
  tolerance?: Tolerance;
  /** Ours: default `continue` (Chaos Toolkit); `fail` or `abort` end the run. */
  'on-fail'?: OnFail;
  /** Ours: undo for this action, run (in reverse order) only if the action ran, before global rollbacks. */
  revert?: Activity;
  /** Ours: poll the probe until its tolerance is met or the timeout (seconds) elapses. */
  until?: { timeout: Seconds; interval?: Seconds };
  /** Ours (Litmus probe modes): when a method probe runs; see `probe-modes.ts`. */
  mode?: ProbeMode;
  /** Ours (Litmus runProperties) of a modal probe. */
  runProperties?: RunProperties;
  [extra: string]: unknown;
}

export interface Probe extends ActivityBase {
  type: 'probe';
}
export interface Action extends ActivityBase {
  type: 'action';
}
export type Activity = Probe | Action;

export interface Ref {
  ref: string;
}
export type ActivityOrRef = Activity | Ref;

export interface Control {
  name: string;
  provider?: PythonProvider | ModuleProvider | { type: string; [k: string]: unknown };
  scope?: 'before' | 'after';
  automatic?: boolean;
  ref?: string;
}

export interface Hypothesis {
  title: string;
  probes?: ActivityOrRef[];
  controls?: Control[];
}

export type EnvConfigType = 'str' | 'string' | 'int' | 'integer' | 'float' | 'number' | 'bytes' | 'bool' | 'json';

export interface EnvConfigValue {
  type: 'env';
  key: string;
  default?: unknown;
  env_var_type?: EnvConfigType;
}

export type ConfigurationValue = unknown;
export type Configuration = Record<string, ConfigurationValue>;
export type Secrets = Record<string, Record<string, unknown>>;

export type RollbackStrategy = 'default' | 'always' | 'never' | 'deviated';
export type HypothesisStrategy =
  'default' | 'before-method-only' | 'after-method-only' | 'during-method-only' | 'continuously' | 'skip';
export type DryMode = 'probes' | 'actions' | 'activities' | 'pause';

export interface Runtime {
  rollbacks?: { strategy?: RollbackStrategy };
  hypothesis?: { strategy?: HypothesisStrategy; frequency?: number; 'fail-fast'?: boolean };
  /** Ours: strict mode (gate failure fails the run, activity timeouts enforced, method tolerances enforced). */
  strict?: boolean;
  /** Ours: hard limit on the whole run, seconds; when it elapses the run is aborted and faults reverted. */
  'max-duration'?: Seconds;
}

/** Ours: probes watched during the method; a miss reverts every fault at once and ends the run `aborted`. */
export interface AbortConditions {
  /** Seconds between checks (default 1). */
  frequency?: number;
  probes: ActivityOrRef[];
}

/** Ours: bounds the run may not exceed. */
export interface BlastRadiusSpec {
  'max-targets'?: number;
  'max-concurrent-faults'?: number;
  /** Seconds of (target × time) faults may be in effect in total. */
  'max-total-fault-time'?: Seconds;
}

export interface Experiment {
  version?: string;
  title: string;
  description: string;
  tags?: string[];
  contributions?: Record<string, 'high' | 'medium' | 'low' | 'none'>;
  configuration?: Configuration;
  secrets?: Secrets;
  extensions?: { name: string; [k: string]: unknown }[];
  controls?: Control[];
  'steady-state-hypothesis'?: Hypothesis;
  method: ActivityOrRef[];
  rollbacks?: ActivityOrRef[];
  runtime?: Runtime;
  'abort-conditions'?: AbortConditions;
  'blast-radius'?: BlastRadiusSpec;
  [extra: string]: unknown;
}

/** True for `{ ref: "name" }` entries (with or without a `type`, as Chaos Toolkit treats them). */
export function isRef(a: ActivityOrRef): a is Ref {
  return typeof (a as Ref).ref === 'string';
}
