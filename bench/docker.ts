/**
 * Container fault timing on a real Docker Engine (needs root and dockerd): `npx tsx bench/docker.ts [--rounds N]`.
 *
 * A busybox httpd container (port 80, an index page); this process probes it with real HTTP requests from the host.
 * For container.kill (restart: true), container.pause and container.partition it reports, per round, the time from
 * calling `inject` until the effect shows (Engine: stopped / paused; a request started then fails) and from calling
 * `revert` until healed (a request gets its page). Baseline in the same run: Pumba's way of a network fault, a helper
 * container in the target's namespace (`docker run --rm --cap-add NET_ADMIN --network container:X busybox ip link
 * set eth0 down`, and `up` to heal; busybox's `tc` here cannot add a qdisc, and the kernel has no netem).
 */
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Rng } from '../packages/turbulence/src/core/rng.js';
import type { FaultContext, Target } from '../packages/turbulence/src/core/fault.js';
import type { AnyDriver } from '../packages/turbulence/src/faults/kinds.js';
import { killDriver, pauseDriver } from '../packages/turbulence/src/faults/docker/lifecycle.js';
import { networkDrivers } from '../packages/turbulence/src/faults/docker/network.js';
import { resolveContainers } from '../packages/turbulence/src/targets/container.js';

const exec = promisify(execFile);
const IMAGE = 'turbulence/busybox:latest';
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 7);
const engine = new Docker();
const name = `tbbench-${process.pid}`;
const ctx: FaultContext = { rng: new Rng(1), signal: new AbortController().signal };

const c = await engine.createContainer({
  Image: IMAGE,
  name,
  Cmd: ['sh', '-c', 'echo ok > /var/www/index.html && exec httpd -f -p 80 -h /var/www'],
  Labels: { 'turbulence.bench': 'docker' },
  HostConfig: { Init: true },
});
await c.start();
const info = await c.inspect();
const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress ?? '';
const [target] = (await resolveContainers({ name })) as [Target];

/** One HTTP GET of the page; true when it answered 200 within `ms`. */
const page = (ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request({ host: ip, port: 80, path: '/', timeout: ms }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });

/** ms from t0 until `check()` holds (polled every 2 ms, bounded). */
async function until(t0: number, check: () => Promise<boolean>, limitMs = 15_000): Promise<number> {
  while (performance.now() - t0 < limitMs) {
    const at = performance.now();
    if (await check()) return at - t0;
    await new Promise((r) => setTimeout(r, 2));
  }
  return NaN;
}
const state = async () => (await c.inspect()).State;
const failsNow = async () => !(await page(150));
const healed = async () => page(300);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (max ${Math.max(...xs).toFixed(0)})`;

interface Row {
  what: string;
  inject: number[];
  revert: number[];
}

async function turbulence(
  what: string,
  driver: AnyDriver,
  params: object,
  shows: () => Promise<boolean>,
): Promise<Row> {
  const row: Row = { what, inject: [], revert: [] };
  for (let i = 0; i < rounds; i++) {
    await until(performance.now(), healed);
    const fault = {
      id: `bench-${what}-${i}`,
      kind: driver.kind,
      target,
      params: driver.params.parse(params) as object,
    };
    const t0 = performance.now();
    const st = await driver.inject(target, fault.params, { ...ctx, faultId: fault.id });
    row.inject.push(await until(t0, shows));
    const t1 = performance.now();
    await driver.revert({ ...fault, ...(st === undefined ? {} : { state: st }) }, ctx);
    row.revert.push(await until(t1, healed));
  }
  return row;
}

async function helperContainer(): Promise<Row> {
  const row: Row = { what: 'partition: helper container + ip link (Pumba-style baseline)', inject: [], revert: [] };
  const helper = (up: 'up' | 'down') =>
    exec('docker', [
      'run',
      '--rm',
      '--cap-add',
      'NET_ADMIN',
      '--network',
      `container:${name}`,
      IMAGE,
      'ip',
      'link',
      'set',
      'eth0',
      up,
    ]);
  for (let i = 0; i < rounds; i++) {
    await until(performance.now(), healed);
    const t0 = performance.now();
    await helper('down');
    row.inject.push(await until(t0, failsNow));
    const t1 = performance.now();
    await helper('up');
    row.revert.push(await until(t1, healed));
  }
  return row;
}

const partition = networkDrivers.find((d) => d.kind === 'container.partition')!;
const rows: Row[] = [];
try {
  rows.push(
    await turbulence('kill (restart: true)', killDriver, { restart: true }, async () => !(await state()).Running),
  );
  rows.push(await turbulence('pause', pauseDriver, {}, async () => (await state()).Paused));
  rows.push(await turbulence('partition (container.partition)', partition, {}, failsNow));
  rows.push(await helperContainer());
} finally {
  await c.remove({ force: true });
}
const { stdout: load } = await exec('uptime');
console.log(`rounds ${rounds}; load: ${load.trim()}`);
console.log('| fault | inject → effect (median, max) | revert → healed (median, max) |');
console.log('| --- | --- | --- |');
for (const r of rows) console.log(`| ${r.what} | ${fmt(r.inject)} | ${fmt(r.revert)} |`);
const base = rows[3]!;
const ours = rows[2]!;
console.log(
  `partition ratio (turbulence / helper container): inject ${(median(ours.inject) / median(base.inject)).toFixed(2)}×, ` +
    `revert ${(median(ours.revert) / median(base.revert)).toFixed(2)}×`,
);
