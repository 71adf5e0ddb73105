/**
 * Network fault timing and NFQUEUE throughput (needs root): `npx tsx bench/network-faults.ts`.
 *
 * A lab host runs a UDP echo; this process (on the lab bridge through hostAccess) sends an echo every 1 ms and
 * records each reply's round trip. For partition, loss (100 %) and latency (100 ms) it reports the time from
 * `inject` returning until the first probe that shows the fault, and from `revert` returning until the first probe
 * that gets through normally; the baseline is the probe interval and the normal round trip. Then it downloads
 * 32 MB from the host with and without the NFQUEUE latency path at 0 ms delay (ratio = with / without).
 */
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { Rng } from '../packages/turbulence/src/core/rng.js';
import type { AppliedFault, FaultContext } from '../packages/turbulence/src/core/fault.js';
import type { JsonObject } from '../packages/turbulence/src/core/json.js';
import type { AnyDriver } from '../packages/turbulence/src/faults/kinds.js';
import { latencyDriver } from '../packages/turbulence/src/faults/network/latency.js';
import { lossDriver } from '../packages/turbulence/src/faults/network/loss.js';
import { partitionDriver } from '../packages/turbulence/src/faults/network/partition.js';
import { labUp, parseLabSpec } from '../packages/turbulence/src/lab/index.js';

const ctx: FaultContext = { rng: new Rng(1), signal: new AbortController().signal };
const svc = join(import.meta.dirname, '../packages/turbulence/test/system/lab/fixtures/netsvc.mjs');
process.env.TURBULENCE_HOME ??= '/tmp/turbulence-bench';
const lab = await labUp(
  parseLabSpec(
    `name: tbbench\nsubnet: 10.254.9.0/24\nhostAccess: true\nhosts:\n  - name: b\n    services:\n` +
      `      - name: net\n        command: [${process.execPath}, ${svc}]\n        ready: { tcp: 7003 }\n`,
  ),
);
const host = lab.state.hosts[0]!;

interface Sample {
  sent: number;
  rtt?: number;
}
const samples = new Map<number, Sample>();
const sock = createSocket('udp4');
sock.on('message', (m) => {
  const s = samples.get(Number(m.toString()));
  if (s && s.rtt === undefined) s.rtt = performance.now() - s.sent;
});
let seq = 0;
const pinger = setInterval(() => {
  samples.set(++seq, { sent: performance.now() });
  sock.send(String(seq), 7001, host.address);
}, 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ms from `t0` to the first probe sent after it that matches (judged once its reply had time to arrive). */
async function firstAfter(t0: number, match: (s: Sample) => boolean): Promise<number> {
  await sleep(400);
  const hit = [...samples.values()].filter((s) => s.sent >= t0 && s.sent < performance.now() - 250).find(match);
  return hit ? hit.sent - t0 : NaN;
}

async function measure(
  driver: AnyDriver,
  params: object,
  shows: (s: Sample) => boolean,
  normal: (s: Sample) => boolean,
) {
  const [target] = await driver.resolveTargets({ lab: 'tbbench', hosts: 'b' }, ctx);
  const p = driver.params.parse(params) as JsonObject;
  const fault: AppliedFault = { id: 'bench', kind: driver.kind, target: target!, params: p };
  const a = performance.now();
  fault.state = (await driver.inject(target!, p, ctx)) ?? undefined;
  const injected = performance.now();
  const observable = await firstAfter(injected, shows);
  const r = performance.now();
  await driver.revert(fault, ctx);
  const reverted = performance.now();
  const flowing = await firstAfter(reverted, normal);
  return { kind: driver.kind, injectMs: injected - a, observable, revertMs: reverted - r, flowing };
}

await sleep(500);
const rtts = [...samples.values()]
  .map((s) => s.rtt)
  .filter((x): x is number => x !== undefined)
  .sort((x, y) => x - y);
const baseRtt = rtts[Math.floor(rtts.length / 2)] ?? NaN;
const lost = (s: Sample) => s.rtt === undefined;
const through = (s: Sample) => s.rtt !== undefined && s.rtt < 20;
const rows = [];
for (let i = 0; i < 3; i++) {
  rows.push(await measure(partitionDriver, {}, lost, through));
  rows.push(await measure(lossDriver, { percent: 100 }, lost, through));
  rows.push(await measure(latencyDriver, { delay: 100 }, (s) => (s.rtt ?? 0) > 50, through));
}
clearInterval(pinger);
sock.close();
console.log(`baseline: probe every 1 ms, median round trip ${baseRtt.toFixed(2)} ms`);
console.log('kind                inject(ms)  observable after(ms)  revert(ms)  flowing after(ms)');
for (const r of rows) {
  console.log(
    `${r.kind.padEnd(20)}${r.injectMs.toFixed(1).padStart(10)}${r.observable.toFixed(1).padStart(22)}` +
      `${r.revertMs.toFixed(1).padStart(12)}${r.flowing.toFixed(1).padStart(19)}`,
  );
}

async function download(bytes: number): Promise<number> {
  const t = performance.now();
  const res = await fetch(`http://${host.address}:8080/bytes?n=${bytes}`);
  const n = (await res.arrayBuffer()).byteLength;
  return (n * 8) / ((performance.now() - t) / 1000) / 1e6;
}
const [target] = await latencyDriver.resolveTargets({ lab: 'tbbench', hosts: 'b' }, ctx);
const p = latencyDriver.params.parse({ delay: 0, backend: 'nfqueue' });
const plain: number[] = [];
const queued: number[] = [];
for (let i = 0; i < 3; i++) {
  plain.push(await download(32e6));
  const state = (await latencyDriver.inject(target!, p, ctx)) ?? undefined;
  queued.push(await download(32e6));
  await latencyDriver.revert({ id: 'b', kind: 'network.latency', target: target!, params: p, state }, ctx);
}
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!;
console.log(
  `throughput without NFQUEUE: ${med(plain).toFixed(0)} Mbit/s (median of 3: ${plain.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `throughput through NFQUEUE at 0 ms: ${med(queued).toFixed(0)} Mbit/s (${queued.map((x) => x.toFixed(0)).join(', ')}); ratio ${(med(queued) / med(plain)).toFixed(2)}`,
);
await lab.down();
