/**
 * A three-host lab (a, b, c) for network fault tests, each host running `fixtures/netsvc.mjs`, plus `probe()` to
 * measure from inside a host with `fixtures/netprobe.mjs`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { AppliedFault, FaultContext } from '../../../src/core/fault.js';
import type { JsonObject } from '../../../src/core/json.js';
import { Rng } from '../../../src/core/rng.js';
import type { AnyDriver } from '../../../src/faults/kinds.js';
import { labUp, parseLabSpec, type RunningLab } from '../../../src/lab/index.js';
import { uniqueName, uniqueSubnet, useTempHome } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Starts the lab; the caller must `down()` it in afterAll. */
export async function startNetLab(): Promise<RunningLab> {
  useTempHome();
  const svc = `[${process.execPath}, ${join(FIXTURES, 'netsvc.mjs')}]`;
  const host = (n: string) =>
    `  - name: ${n}\n    services:\n      - name: net\n        command: ${svc}\n        ready: { tcp: 7003, timeout: 20s }\n`;
  const spec = parseLabSpec(
    `name: ${uniqueName()}\nsubnet: ${uniqueSubnet()}\nhosts:\n${['a', 'b', 'c'].map(host).join('')}`,
  );
  return labUp(spec);
}

/** Runs netprobe inside a lab host and parses its JSON line. */
export function probe(lab: RunningLab, host: string, args: (string | number)[]): Promise<Record<string, number>> {
  const ns = lab.state.hosts.find((h) => h.name === host)?.netns as string;
  const argv = ['netns', 'exec', ns, process.execPath, join(FIXTURES, 'netprobe.mjs'), ...args.map(String)];
  return new Promise((resolve, reject) => {
    execFile('ip', argv, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`probe ${args.join(' ')} failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout) as Record<string, number>);
    });
  });
}

/** Address of a lab host. */
export const addr = (lab: RunningLab, host: string): string =>
  lab.state.hosts.find((h) => h.name === host)?.address as string;

/** A fault context for driver calls in tests. */
export const ctx = (): FaultContext => ({ rng: new Rng(1), signal: new AbortController().signal });

/** The lab of one `describe` block and fault helpers for it (see {@link useNetLab}). */
export interface NetLab {
  /** The running lab (set once the block's `beforeAll` has run). */
  readonly lab: RunningLab;
  /** Resolves the hosts' targets, injects each as the manager would, and checks `verify`. */
  inject: (driver: AnyDriver, hosts: string | string[], params: JsonObject) => Promise<AppliedFault<JsonObject>[]>;
  /** Reverts each fault twice (the second must be harmless). */
  revert: (faults: AppliedFault<JsonObject>[]) => Promise<void>;
  /** The network namespace of a host. */
  ns: (host: string) => string;
}

/**
 * Starts a net lab for the enclosing `describe` (down after it), with fault helpers; whatever a failed test left
 * injected is reverted after it.
 */
export function useNetLab(): NetLab {
  let lab: RunningLab | undefined;
  const active: AppliedFault<JsonObject>[] = [];
  const drivers = new Map<string, AnyDriver>();
  beforeAll(async () => {
    lab = await startNetLab();
  });
  afterEach(async () => {
    for (const f of active.splice(0)) await drivers.get(f.kind)?.revert(f, ctx());
  });
  afterAll(async () => {
    await lab?.down();
  });
  return {
    get lab() {
      return lab as RunningLab;
    },
    inject: async (driver, hosts, params) => {
      drivers.set(driver.kind, driver);
      const targets = await driver.resolveTargets({ lab: (lab as RunningLab).state.name, hosts }, ctx());
      const parsed = driver.params.parse(params) as JsonObject;
      const out: AppliedFault<JsonObject>[] = [];
      for (const target of targets) {
        const fault: AppliedFault<JsonObject> = { id: 'f', kind: driver.kind, target, params: parsed };
        active.push(fault);
        fault.state = (await driver.inject(target, parsed, ctx())) ?? undefined;
        expect(await driver.verify?.(fault, ctx())).toBe(true);
        out.push(fault);
      }
      return out;
    },
    revert: async (faults) => {
      for (const f of faults) {
        await drivers.get(f.kind)?.revert(f, ctx());
        await drivers.get(f.kind)?.revert(f, ctx()); // twice: must be harmless
        active.splice(active.indexOf(f), 1);
      }
    },
    ns: (host) => (lab as RunningLab).state.hosts.find((h) => h.name === host)?.netns as string,
  };
}
