/**
 * `turbulence monkey` as a user runs it: `plan` is the same time line twice and refuses bad input with exit 2;
 * `run` SIGKILLed mid-fault leaves the fault to `recover`, and run again continues the same time line without
 * injecting any entry twice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/faults/ledger.js';
import { FaultManager } from '../../src/faults/manager.js';
import { Rng } from '../../src/core/rng.js';
import { recoverLedger } from '../../src/faults/recover.js';
import { MonkeyStore, monkeyDir } from '../../src/monkey/state.js';
import { cliProcesses, cliTimeout, runCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { hasProc, killOrphans, spawnOrphan, stateOf, tempHome, type Orphan } from '../system/faults/helpers.js';

const PLAN = `
timezone: America/Los_Angeles
window: { days: [mon, tue, wed, thu, fri], start: "09:00", end: "15:00" }
holidays: ["2026-12-25", "2027-01-01"]
maxConcurrent: 1
groups:
  - name: web
    targets: { cmdline: "node .*no-such-web-server" }
    fault: { kind: process.kill, params: { signal: SIGKILL }, duration: 10m }
    meanTimeBetweenFaults: 2
    minTimeBetweenFaults: 1
`;

describe('monkey plan', () => {
  let env: ReturnType<typeof tempHome>;
  beforeAll(() => {
    env = tempHome();
    writeFileSync(join(env.home, 'plan.yaml'), PLAN);
    writeFileSync(join(env.home, 'bad.yaml'), PLAN.replace('America/Los_Angeles', 'America/Los_Angeles_'));
  });
  afterAll(() => env.restore());

  it(
    'prints the same time line twice, JSON lines in time order; bad input exits 2 at file:line:col',
    { timeout: cliTimeout(1) },
    async () => {
      const args = [
        'monkey',
        'plan',
        join(env.home, 'plan.yaml'),
        '--days',
        '30',
        '--seed',
        '7',
        '--start',
        '2026-12-14',
        '--json',
      ];
      const [a, b, bad] = await Promise.all([
        runCli(args),
        runCli(args),
        runCli(['monkey', 'plan', join(env.home, 'bad.yaml'), '--days', '3']),
      ]);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stderr).toMatch(/group web: matches nothing now/); // a warning, not an error
      const lines = a.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { at: string; group: string; kind: string });
      expect(lines.length).toBeGreaterThan(4);
      for (const l of lines) {
        expect(l).toMatchObject({ group: 'web', kind: 'process.kill' });
        expect(l.at).toMatch(
          /^2026-12-\d\dT(09|1[0-4]):\d\d:\d\d\.\d{3}-08:00$|^2027-01-\d\dT(09|1[0-4]):\d\d:\d\d\.\d{3}-08:00$/,
        );
        expect(l.at.slice(0, 10)).not.toBe('2026-12-25');
      }
      expect(lines.map((l) => Date.parse(l.at))).toEqual(lines.map((l) => Date.parse(l.at)).sort((x, y) => x - y));
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/bad\.yaml:2:1 \(at timezone\): "America\/Los_Angeles_" is not a time zone/);
    },
  );
});

const RUN = (pidfile: string) => `
timezone: UTC
window: { days: [sun, mon, tue, wed, thu, fri, sat], start: "00:00", end: "24:00" }
maxFaultDuration: 20h
groups:
  - name: pause
    targets: { pidfile: "${pidfile}" }
    fault: { kind: process.stop, duration: 20h }
    meanTimeBetweenFaults: 1
    minTimeBetweenFaults: 0
`;

describe.skipIf(!hasProc)('monkey run after SIGKILL', () => {
  let env: ReturnType<typeof tempHome>;
  let victim: Orphan;
  const cli = cliProcesses();
  beforeAll(async () => {
    env = tempHome();
    victim = await spawnOrphan('exec sleep 86406');
    writeFileSync(join(env.home, 'victim.pid'), `${victim.pid}\n`);
    writeFileSync(join(env.home, 'restart.yaml'), RUN(join(env.home, 'victim.pid')));
  });
  afterAll(async () => {
    cli.killAll();
    await recoverLedger({ all: true });
    await killOrphans();
    env.restore();
  });

  it(
    'leaves the fault to recover, then continues the time line without a double fault',
    { timeout: cliTimeout(2, 30_000) },
    async () => {
      const childEnv = { ...process.env, TURBULENCE_HOME: env.home, TURBULENCE_GUARDIAN: 'off' };
      const args = [
        'monkey',
        'run',
        join(env.home, 'restart.yaml'),
        '--seed',
        '5',
        '--start',
        '2026-03-02',
        '--clock-speed',
        '21600',
        '--no-control',
        '--json',
      ];
      const injectedIn = (text: string) =>
        text
          .split('\n')
          .filter((l) => l.includes('"monkey.injected"'))
          .map((l) => (JSON.parse(l) as { entry: string }).entry);

      const first = cli.start(args, { env: childEnv });
      await eventually(() => injectedIn(first.stdout()).length > 0, 40_000, 20);
      first.child.kill('SIGKILL');
      await first.exit;
      const firstEntry = injectedIn(first.stdout())[0]!;
      expect(await stateOf(victim.pid)).toBe('T'); // left stopped: its owner died without reverting
      const report = await recoverLedger();
      expect(report.reverted.map((e) => e.kind)).toEqual(['process.stop']);
      expect(await stateOf(victim.pid)).not.toBe('T');

      const second = cli.start(args, { env: childEnv });
      await eventually(() => injectedIn(second.stdout()).length > 0, 40_000, 50);
      second.child.kill('SIGINT');
      expect(await second.exit).toBe(130);

      const events = await new MonkeyStore(monkeyDir('restart', env.home)).readEvents();
      const injected = events.filter((e) => e.type === 'monkey.injected').map((e) => e.entry as string);
      expect(new Set(injected).size).toBe(injected.length);
      expect(injected[0]).toBe(firstEntry);
      expect(injected.length).toBeGreaterThanOrEqual(2);
      expect(injected.slice(1).every((id) => id > firstEntry)).toBe(true);
      expect(events.filter((e) => e.type === 'monkey.started').map((e) => e.resumed)).toEqual([false, true]);
      expect(await stateOf(victim.pid)).not.toBe('T');
      expect((await new Ledger(join(env.home, 'ledger')).list()).entries).toEqual([]);
    },
  );

  it(
    'halt --all throws the kill switch and reverts faults other turbulence processes hold; status shows it',
    { timeout: cliTimeout(2) },
    async () => {
      const other = new FaultManager({ rng: new Rng(1), guardian: false });
      await other.inject({ kind: 'process.stop', target: { pid: victim.pid } }, { activity: 'someone else' });
      await other.detach();
      other.dispose();
      expect(await stateOf(victim.pid)).toBe('T');
      const r = await runCli(['monkey', 'halt', join(env.home, 'restart.yaml'), '--all', '--reason', 'game day over'], {
        env: { ...process.env, TURBULENCE_HOME: env.home },
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/reverted 1 fault\(s\) from the ledger/);
      expect(await stateOf(victim.pid)).not.toBe('T');
      expect(await new MonkeyStore(monkeyDir('restart', env.home)).readHalt()).toMatchObject({
        reason: 'game day over',
        by: 'cli',
      });
      const status = await runCli(['monkey', 'status', join(env.home, 'restart.yaml'), '--json'], {
        env: { ...process.env, TURBULENCE_HOME: env.home },
      });
      expect(JSON.parse(status.stdout)).toMatchObject({
        name: 'restart',
        running: false,
        seed: 5,
        origin: '2026-03-02',
        halted: { reason: 'game day over', by: 'cli' },
        active: [],
      });
    },
  );
});
