/**
 * The fault model every driver plugs into.
 *
 *   FaultSpec ──registry.get(kind)──▶ FaultDriver
 *       │                                 │ resolveTargets(spec.target)  → candidates
 *       │  selection mode + seeded RNG ───┘ select()                    → targets (blast radius checked)
 *       ▼
 *   ledger.record(entry)   ← written and fsynced BEFORE the fault takes effect
 *   driver.inject(target, params) → state (saved in the ledger entry)
 *   ... duration / rollback / abort / Ctrl-C / `turbulence recover` ...
 *   driver.revert({target, params, state})   ← safe to run twice, safe when inject never finished
 *   ledger.remove(entry)
 *
 * A driver only has to resolve targets, inject and revert. Checking that a fault is in effect
 * (`verify`) and whether this machine can run it (`check`) are optional capabilities.
 */
import type { z } from 'zod';
import type { JsonObject, JsonValue } from './json.js';
import type { Rng } from './rng.js';
import type { SelectionMode } from './selector.js';

/** Something a fault acts on: a process, a proxy, a namespace host, a failpoint, ... */
export interface Target {
  /** Stable, unique among the candidates of a kind; sorting by it makes selection reproducible. e.g. `pid:4242`. */
  id: string;
  /** The target family: `process`, `proxy`, `netns`, `failpoint`, ... */
  type: string;
  /** For humans: `node server.js (pid 4242)`. */
  name: string;
  /** Whatever the driver needs to find the target again after a crash (pid and start time, proxy URL, ...). */
  attributes: JsonObject;
  /**
   * What names the target across runs when `id` does not (a process's pid changes from run to run; its managed
   * name or command line does not). Seeded selection orders candidates by it, then by `id`, so `--seed` replays
   * the same choice when the same set of processes runs again under other pids. Absent: `id` is stable already.
   */
  identity?: string;
}

/** A fault as an experiment, the CLI or the API asks for it. */
export interface FaultSpec {
  /** Registry key, e.g. `process.kill`, `proxy.toxic`, `network.partition`. */
  kind: string;
  /** Driver-specific target query (e.g. `{ name: "node" }`, `{ pid: 42 }`); validated by the driver. */
  target?: JsonObject;
  /** How many of the matching targets to act on; default `all`. */
  select?: SelectionMode;
  /** Parameters of the kind; validated by the driver's schema. */
  params?: JsonObject;
  /** Milliseconds after which the fault reverts itself. */
  durationMs?: number;
}

/** What a running fault needs from its surroundings. */
export interface FaultContext {
  /** The run's RNG (or a fork of it). */
  rng: Rng;
  /** Aborted when the run is interrupted; long injects should stop early. */
  signal: AbortSignal;
  /** Id of the run that owns the fault, when there is one. */
  runId?: string;
  /**
   * The fault's ledger id (set by the fault manager for `inject`): name every object the fault creates from it
   * (see `faults/naming.ts`), so concurrent faults never share one. `revert` gets the same id as `fault.id`.
   */
  faultId?: string;
  /**
   * Epoch ms at which the fault reverts itself (set by the fault manager for `inject` when it has a duration), for
   * drivers that hand the fault to something outliving this process (the Kubernetes node agent reverts at expiry).
   */
  expiresAt?: number;
}

/** A fault as it is stored in the ledger and handed to `revert`. */
export interface AppliedFault<P = JsonObject> {
  id: string;
  kind: string;
  target: Target;
  params: P;
  /** What `inject` returned (absent when the process died before inject returned). */
  state?: JsonValue;
}

/** Result of a capability check: can this machine run the kind, and if not, why. */
export type CapabilityResult = { ok: true; detail?: string } | { ok: false; reason: string };

/**
 * Injects and reverts one fault kind.
 *
 * @example
 * const stop: FaultDriver<{ signal?: string }> = {
 *   kind: 'process.stop', summary: 'pause a process with SIGSTOP', params: z.object({}),
 *   targets: ['process'],
 *   resolveTargets: (query) => resolveProcesses(query),
 *   inject: async (t) => { process.kill(Number(t.attributes.pid), 'SIGSTOP'); },
 *   revert: async (f) => { process.kill(Number(f.target.attributes.pid), 'SIGCONT'); },
 * };
 */
export interface FaultDriver<P = JsonObject> {
  /** Registry key: `<family>.<name>`. */
  readonly kind: string;
  /** One line for `--help`, `doctor` and the docs. */
  readonly summary: string;
  /** Schema of `params`; defaults are applied by it. */
  readonly params: z.ZodType<P>;
  /** False for faults that cannot be undone (a SIGKILL): revert then only cleans up its own records. */
  readonly reversible?: boolean;
  /**
   * The target types this kind acts on (`process`, `netns`, `proxy`, `failpoint`, `dns-server`, `clock`; see
   * `targets/index.ts`). The fault manager refuses a resolved target of any other type.
   */
  readonly targets?: readonly string[];
  /**
   * Candidates matching a target query, usually one call into the `targets/` layer. The fault manager applies the
   * safety guard (PID 1, its own tree, empty queries) to what this returns; throw `TARGET_REFUSED` for anything
   * else the kind cannot act on.
   */
  resolveTargets(query: JsonObject | undefined, ctx: FaultContext): Promise<Target[]>;
  /** Makes the fault take effect; returns what revert needs beyond target and params. Safe to run twice. */
  inject(target: Target, params: P, ctx: FaultContext): Promise<JsonValue | void>;
  /**
   * Undoes the fault. Safe to run twice, and safe when inject never ran or never finished. Returns a note when what
   * it did is not simply "undone": e.g. `nothing to undo: restarted by its supervisor before revert (pid 4242)`,
   * so the terminal and the journal tell what really happened instead of claiming a revert.
   */
  revert(fault: AppliedFault<P>, ctx: FaultContext): Promise<void | string>;
  /**
   * Called when the runner leaves the fault in effect and exits (`fault inject --detach`): for a fault whose
   * effect is tied to this process staying alive (a lease it renews), hand it over so it lasts until its expiry,
   * `turbulence fault revert` or `recover`. Absent: nothing ties the fault to this process.
   */
  detach?(fault: AppliedFault<P>, ctx: FaultContext): Promise<void>;
  /** True when the fault is observably in effect (checked right after inject when present). */
  verify?(fault: AppliedFault<P>, ctx: FaultContext): Promise<boolean>;
  /** Whether this machine can run the kind at all (root, kernel features, binaries). */
  check?(): Promise<CapabilityResult>;
  /**
   * For a fault that cannot coexist with another on the same object (one value per failpoint, one offset per
   * clock, one SIGSTOP per process): a key naming that object. The manager refuses a fault whose key equals the
   * key of a fault still in the ledger, instead of letting the second silently replace the first.
   */
  exclusive?(target: Target, params: P): string | undefined;
}

/** A fault injected by the `fault` provider, as reported back to the runner. */
export interface InjectedFault {
  id: string;
  kind: string;
  target: Target;
  /** Epoch milliseconds at which the fault reverts itself, when it has a duration. */
  expiresAt?: number;
}

/** What the `fault` provider needs from the run: the run owns every fault it injects and reverts them. */
export interface FaultInjector {
  /** Resolves targets, applies selection and blast radius, records in the ledger, injects. */
  inject(spec: FaultSpec, owner: { activity: string }): Promise<InjectedFault[]>;
}

/** A driver of any kind, as registries and family indexes hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each driver has its own params type
export type AnyDriver = FaultDriver<any>;

/** What a fault family's module (`faults/<family>/index.ts`) exports: its drivers, one line each. */
export interface FaultFamily {
  drivers: readonly AnyDriver[];
}

/** Bounds a run may not exceed. All optional; unset means unbounded. */
export interface BlastRadius {
  /** Max targets one fault may act on. */
  maxTargets?: number;
  /** Max faults active at once in the run. */
  maxConcurrentFaults?: number;
  /** Max sum of (target × time) a run's faults may be in effect, in milliseconds. */
  maxTotalFaultTimeMs?: number;
}
