/**
 * A three-host lab (a, b, c) for network fault tests, each host running `fixtures/netsvc.mjs`, plus `probe()` to
 * measure from inside a host with `fixtures/netprobe.mjs`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { FaultContext } from '../../../src/core/fault.js';
import { Rng } from '../../../src/core/rng.js';
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
