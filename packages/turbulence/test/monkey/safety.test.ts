/**
 * The monkey's safety nets against real processes: the outage checker (an HTTP probe of a server the test turns
 * unhealthy) reverts the fault in effect within a second and nothing is injected until resume (over the loopback
 * endpoint); a preflight probe that fails skips with the reason; the endpoint refuses an open bind without token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceleratedClock } from '../../src/monkey/clock.js';
import { serveMonkeyControl } from '../../src/monkey/control.js';
import { loadSchedule } from '../../src/monkey/load.js';
import { MonkeyRunner } from '../../src/monkey/runner.js';
import { eventually } from '../support/eventually.js';
import { acceleratedRunner } from './accelerated.js';
import { hasProc, killOrphans, spawnOrphan, stateOf, tempHome, type Orphan } from '../system/faults/helpers.js';

const schedule = (url: string, pidfile: string) => `
timezone: UTC
window: { days: [sun, mon, tue, wed, thu, fri, sat], start: "00:00", end: "24:00" }
maxFaultDuration: 48h
maxConcurrent: 5
outage:
  interval: 100ms
  probes:
    - name: health
      provider: { type: http, url: "${url}/health", timeout: 2 }
      tolerance: 200
groups:
  - name: pause
    targets: { pidfile: "${pidfile}" }
    fault: { kind: process.stop, duration: 48h } # 4 s real: long past the trip
    meanTimeBetweenFaults: 1
    minTimeBetweenFaults: 0
  - name: gated
    targets: { pidfile: "${pidfile}" }
    fault: { kind: process.stop, duration: 1h }
    meanTimeBetweenFaults: 1
    minTimeBetweenFaults: 0
    preflight:
      - name: never-ready
        provider: { type: http, url: "${url}/ready", timeout: 2 }
        tolerance: 200
`;

describe.skipIf(!hasProc)('monkey safety nets', () => {
  let env: ReturnType<typeof tempHome>;
  let server: Server;
  let healthy = true;
  let url = '';
  let victim: Orphan;
  beforeAll(async () => {
    env = tempHome();
    server = createServer((req, res) => {
      res.statusCode = req.url === '/health' && healthy ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    victim = await spawnOrphan('exec sleep 86405');
  });
  afterAll(async () => {
    await killOrphans();
    await new Promise((r) => server.close(r));
    env.restore();
  });

  it(
    'reverts within a second when the outage checker trips, and injects nothing until resumed',
    { timeout: 60_000 },
    async () => {
      const pidfile = join(env.home, 'victim.pid');
      writeFileSync(pidfile, `${victim.pid}\n`);
      const file = join(env.home, 'safety.yaml');
      writeFileSync(file, schedule(url, pidfile));
      const { runner, events } = await acceleratedRunner(file, { seed: 11 });
      const control = await serveMonkeyControl(runner, { host: '127.0.0.1', port: 0 });
      const done = runner.run();
      try {
        await eventually(() => events.some((e) => e.type === 'monkey.injected' && e.group === 'pause'), 30_000);
        expect(await stateOf(victim.pid)).toBe('T');
        const tripped = Date.now();
        healthy = false;
        await eventually(async () => (await stateOf(victim.pid)) !== 'T', 5_000, 10);
        expect(Date.now() - tripped).toBeLessThan(1000);
        // The process runs again first; the events follow once the ledger is updated (fsync).
        await eventually(() => events.some((e) => e.type === 'monkey.halted'), 5_000);
        const halted = events.find((e) => e.type === 'monkey.halted');
        expect(halted).toMatchObject({ by: 'outage-checker' });
        expect(String(halted?.reason)).toMatch(/outage: health/);

        // Halted: what comes due is skipped with the reason, nothing injected.
        const injectedBefore = events.filter((e) => e.type === 'monkey.injected').length;
        await eventually(
          () => events.some((e) => e.type === 'monkey.skipped' && /^halted: outage/.test(String(e.reason))),
          20_000,
        );
        expect(events.filter((e) => e.type === 'monkey.injected').length).toBe(injectedBefore);

        healthy = true;
        const res = await fetch(`${control.url}/resume`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(res.status).toBe(200);
        await eventually(() => events.filter((e) => e.type === 'monkey.injected').length > injectedBefore, 20_000);
        expect(events.some((e) => e.type === 'monkey.resumed')).toBe(true);
        // The gated group never passes its preflight probe.
        expect(events.some((e) => e.group === 'gated' && /^preflight: never-ready/.test(String(e.reason)))).toBe(true);
        expect(events.some((e) => e.type === 'monkey.injected' && e.group === 'gated')).toBe(false);
        const metrics = await (await fetch(`${control.url}/metrics`)).text();
        expect(metrics).toMatch(/turbulence_monkey_decisions_total\{group="pause",decision="injected"\} [1-9]/);
      } finally {
        runner.stop();
        await done;
        await control.close();
      }
      expect(await stateOf(victim.pid)).not.toBe('T');
      expect(runner.activeFaults()).toEqual([]);
    },
  );

  it(
    'keeps the blast radius: a group hits at most its maxTargets, and all groups together at most maxTargets',
    { timeout: 60_000 },
    async () => {
      const sleepers = await Promise.all([86410, 86411, 86412].map((n) => spawnOrphan(`exec sleep ${n}`)));
      const file = join(env.home, 'blast.yaml');
      const group = (name: string, extra: string) => `
  - name: ${name}
    targets: { cmdline: "^sleep 8641[0-2]$" }
    fault: { kind: process.stop, duration: 48h }
    meanTimeBetweenFaults: 1
    minTimeBetweenFaults: 0
    ${extra}`;
      writeFileSync(
        file,
        `timezone: UTC
window: { days: [mon], start: "09:00", end: "17:00" }
maxFaultDuration: 48h
maxConcurrent: 5
maxTargets: 2
groups:${group('wide', 'killMode: { mode: kill-all }\n    maxTargets: 2')}${group('one', '')}
`,
      );
      const { runner, events } = await acceleratedRunner(file, { seed: 3, until: Date.parse('2026-03-03T00:00:00Z') });
      let stoppedAtOnce = 0;
      runner.events.on((e) => {
        if (e.type === 'monkey.injected') stoppedAtOnce = Math.max(stoppedAtOnce, runner.activeFaults().length);
      });
      await runner.run();
      const injected = events.filter((e) => e.type === 'monkey.injected');
      const skipped = events.filter((e) => e.type === 'monkey.skipped');
      expect(injected).toHaveLength(1);
      expect(skipped).toHaveLength(1);
      expect(String(skipped[0]?.reason)).toMatch(
        /^blast-radius: [12] target\(s\) under faults, [12] more would exceed maxTargets 2$/,
      );
      const wide = injected.find((e) => e.group === 'wide') as { faults?: unknown[] } | undefined;
      if (wide) expect(wide.faults).toHaveLength(2); // kill-all of three, capped at the group's 2
      expect(stoppedAtOnce).toBeLessThanOrEqual(2);
      for (const s of sleepers) expect(await stateOf(s.pid)).not.toBe('T');
    },
  );

  it('refuses to serve the endpoint off loopback without a token', async () => {
    const file = join(env.home, 'safety.yaml');
    const runner = new MonkeyRunner({
      schedule: await loadSchedule(file),
      seed: 1,
      clock: acceleratedClock({ origin: 0, realStart: Date.now(), speed: 1 }),
    });
    await expect(serveMonkeyControl(runner, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/needs a token/);
  });
});
