/**
 * The outage checker's Prometheus query against a real Prometheus (Debian's `prometheus`, installed by
 * scripts/setup-system.sh) scraping a loopback /metrics the test controls: below `max` nothing happens; when the
 * scraped value goes above it the running monkey halts and reverts the fault in effect; an unreachable Prometheus
 * counts as an outage (fail safe), and a query with no samples does not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutage } from '../../src/monkey/probes.js';
import { eventually } from '../support/eventually.js';
import { inCI, which } from '../support/system.js';
import { acceleratedRunner } from './accelerated.js';
import { hasProc, killOrphans, spawnOrphan, stateOf, tempHome, type Orphan } from '../system/faults/helpers.js';

const missing = !which('prometheus')
  ? 'needs `prometheus` (Debian: prometheus; scripts/setup-system.sh installs it)'
  : '';
if (missing && inCI) throw new Error(`system test prerequisite missing in CI: ${missing}`);
if (missing) console.warn(`[skip] ${missing}`);

/** The TCP port a process listens on, read back from /proc (it was started on port 0). */
function listeningPort(pid: number): number | undefined {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && inodes.has(f[9] ?? '')) return parseInt(f[1]!.split(':')[1]!, 16);
  }
  return undefined;
}

const schedule = (url: string, pidfile: string) => `
timezone: UTC
window: { days: [sun, mon, tue, wed, thu, fri, sat], start: "00:00", end: "24:00" }
maxFaultDuration: 48h
outage:
  interval: 100ms
  prometheus: { url: "${url}", query: "max(checkout_errors)", max: 0 }
groups:
  - name: pause
    targets: { pidfile: "${pidfile}" }
    fault: { kind: process.stop, duration: 48h }
    meanTimeBetweenFaults: 1
    minTimeBetweenFaults: 0
`;

describe.skipIf(missing !== '' || !hasProc)('outage checker: a Prometheus query', () => {
  let env: ReturnType<typeof tempHome>;
  let dir: string;
  let app: Server;
  let errors = 0;
  let prometheus: ChildProcess;
  let url = '';
  let victim: Orphan;

  beforeAll(async () => {
    env = tempHome();
    dir = mkdtempSync(join(tmpdir(), 'turbulence-prometheus-'));
    app = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# TYPE checkout_errors gauge\ncheckout_errors ${errors}\n`);
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(app.address() as AddressInfo).port}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 250ms }\nscrape_configs:\n  - job_name: app\n    static_configs: [{ targets: ['${target}'] }]\n`,
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--web.listen-address=127.0.0.1:0',
      ],
      { stdio: 'ignore' },
    );
    const pid = prometheus.pid!;
    let port: number | undefined;
    await eventually(() => (port = listeningPort(pid)) !== undefined, 20_000);
    if (port === undefined) throw new Error('prometheus did not listen within 20 s');
    url = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      try {
        const body = (await (await fetch(`${url}/api/v1/query?query=up`)).json()) as {
          data: { result: { value: [number, string] }[] };
        };
        return body.data.result[0]?.value[1] === '1';
      } catch {
        return false; // not listening yet
      }
    }, 20_000);
    victim = await spawnOrphan('exec sleep 86406');
  }, 60_000);

  afterAll(async () => {
    await killOrphans();
    prometheus?.kill('SIGTERM');
    await new Promise((r) => app.close(r));
    rmSync(dir, { recursive: true, force: true });
    env.restore();
  });

  it('reads the query: below max holds, no sample holds, an unreachable Prometheus is an outage', async () => {
    const check = (query: string, at = url) =>
      checkOutage({ prometheus: { url: at, query, max: 0 }, interval: '1s' }, dir);
    expect(await check('max(checkout_errors)')).toEqual({ ok: true });
    expect(await check('max(no_such_metric)')).toEqual({ ok: true });
    const down = await check('max(checkout_errors)', 'http://127.0.0.1:1');
    expect(down.ok).toBe(false);
  });

  it(
    'halts the running monkey and reverts its fault once the scraped value goes above max',
    { timeout: 60_000 },
    async () => {
      const pidfile = join(dir, 'victim.pid');
      writeFileSync(pidfile, `${victim.pid}\n`);
      const file = join(dir, 'prometheus-monkey.yaml');
      writeFileSync(file, schedule(url, pidfile));
      const { runner, events } = await acceleratedRunner(file, { seed: 2 });
      const done = runner.run();
      try {
        await eventually(() => events.some((e) => e.type === 'monkey.injected'), 30_000);
        expect(await stateOf(victim.pid)).toBe('T');
        errors = 5;
        await eventually(() => events.some((e) => e.type === 'monkey.halted'), 15_000);
        expect(String(events.find((e) => e.type === 'monkey.halted')?.reason)).toBe(
          'outage: prometheus max(checkout_errors) = 5 > 0',
        );
        await eventually(async () => (await stateOf(victim.pid)) !== 'T', 5_000);
        expect(runner.activeFaults()).toEqual([]);
      } finally {
        errors = 0;
        runner.stop();
        await done;
      }
    },
  );
});
