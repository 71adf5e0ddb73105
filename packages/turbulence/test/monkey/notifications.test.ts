/**
 * kube-monkey's `[notifications]` from its config.toml, sent by a running monkey to a real loopback HTTP receiver:
 * one POST per due fault with the message template filled ({$name}, {$kind}, {$namespace}, {$date}, {$time},
 * {$timestamp}, {$error}, {$kubemonkeyid}), the "Name:Value" headers with {$env:NAME} resolved, and with
 * reportSchedule the day's schedule as JSON. A receiver answering 500 is a warning, never a stop.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/core/events.js';
import { acceleratedClock } from '../../src/monkey/clock.js';
import { loadSchedule } from '../../src/monkey/load.js';
import { MonkeyRunner } from '../../src/monkey/runner.js';
import { parseDate } from '../../src/monkey/time.js';
import { hasProc, killOrphans, spawnOrphan, tempHome, type Orphan } from '../system/faults/helpers.js';

const CONFIG = (url: string) => `[kubemonkey]
dry_run = true
run_hour = 8
start_hour = 10
end_hour = 16
time_zone = "Europe/Berlin"
[notifications]
  enabled = true
  reportSchedule = true
  [notifications.attacks]
    endpoint = "${url}"
    message = '''{"victim":"{$name}","kind":"{$kind}","ns":"{$namespace}","when":"{$date} {$time}","ms":{$timestamp},"error":"{$error}","id":"{$kubemonkeyid}"}'''
    headers = ["Authorization:{$env:KM_TEST_TOKEN}", "X-Path:a/b"]
`;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe.skipIf(!hasProc)('monkey notifications (kube-monkey webhooks)', () => {
  let env: ReturnType<typeof tempHome>;
  let server: Server;
  let url = '';
  const received: Received[] = [];
  let victim: Orphan;
  beforeAll(async () => {
    env = tempHome();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.statusCode = req.url === '/broken' ? 500 : 200;
        res.end(req.url === '/broken' ? 'receiver down\n' : 'ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    victim = await spawnOrphan('exec sleep 86407');
  });
  afterAll(async () => {
    await killOrphans();
    await new Promise((r) => server.close(r));
    env.restore();
  });

  const run = async (file: string, days: number) => {
    const pidfile = join(env.home, 'victim.pid');
    writeFileSync(pidfile, `${victim.pid}\n`);
    const schedule = await loadSchedule(file, {
      kind: 'process.kill',
      target: { pidfile },
      mtbf: 1,
      env: { KM_TEST_TOKEN: 'unused-here' },
    });
    const runner = new MonkeyRunner({
      schedule,
      seed: 9,
      clock: acceleratedClock({ origin: Date.parse('2026-12-06T23:00:00Z'), realStart: Date.now(), speed: 60_000 }),
      origin: parseDate('2026-12-07')!,
      until: Date.parse('2026-12-06T23:00:00Z') + days * 86_400_000,
      guardian: false,
      tickMs: 50,
    });
    const events: AnyEvent[] = [];
    runner.events.on((e) => events.push(e));
    await runner.run();
    return events;
  };

  it('posts each due fault with the template filled and the schedule of each day', { timeout: 30_000 }, async () => {
    process.env.KM_TEST_TOKEN = 'Bearer s3cret';
    process.env.KUBE_MONKEY_ID = 'monkey-7';
    try {
      const file = join(env.home, 'config.toml');
      writeFileSync(file, CONFIG(`${url}/hook`));
      const events = await run(file, 2);
      const leashed = events.filter((e) => e.type === 'monkey.leashed');
      expect(leashed).toHaveLength(2); // dry_run: decided and recorded, the process lives
      const attacks = received.filter((r) => r.body.startsWith('{"victim"'));
      const schedules = received.filter((r) => r.body.startsWith('{"text"'));
      expect(attacks).toHaveLength(2);
      expect(schedules).toHaveLength(2);
      for (const a of attacks) {
        expect(a.path).toBe('/hook');
        expect(a.headers.authorization).toBe('Bearer s3cret');
        expect(a.headers['x-path']).toBe('a/b');
        const body = JSON.parse(a.body) as Record<string, unknown>;
        expect(body).toMatchObject({ kind: 'process.kill', ns: '', error: '', id: 'monkey-7' });
        expect(String(body.victim)).toMatch(/sleep 86407/);
        // {$time} is when the fault was done on the monkey's (60,000× accelerated) clock: after its planned instant.
        expect(String(body.when)).toMatch(/^2026-12-0[78] \d\d:\d\d:\d\d CET$/);
        expect(Number(body.ms)).toBeGreaterThan(Date.parse('2026-12-07T09:00:00Z'));
      }
      const text = (JSON.parse(schedules[0]!.body) as { text: string }).text;
      expect(text).toMatch(/Today's schedule \*+\n\tKubeMonkey ID: monkey-7\n\tk8 Api Kind/);
      expect(text).toMatch(/\tprocess\.kill\t\t.*sleep 86407.*\t\t2026-12-07T1[0-5]:/);
    } finally {
      delete process.env.KM_TEST_TOKEN;
      delete process.env.KUBE_MONKEY_ID;
    }
  });

  it('reports a receiver that answers 500 as a warning and keeps going', { timeout: 30_000 }, async () => {
    const file = join(env.home, 'broken.toml');
    writeFileSync(file, CONFIG(`${url}/broken`).replace('reportSchedule = true', 'reportSchedule = false'));
    const events = await run(file, 1);
    expect(events.filter((e) => e.type === 'monkey.leashed')).toHaveLength(1);
    const warning = events.find((e) => e.type === 'run.warning' && /notification/.test(String(e.message)));
    expect(String(warning?.message)).toBe(`notification: POST ${url}/broken returned 500 receiver down, expected 2xx`);
  });
});
