/**
 * The shared state directory: `turbulence run` and `fault inject` in other processes, with no `--ui URL`, appear on
 * a dashboard that watches the same TURBULENCE_HOME; two runs at once are each attributed to their own process; a
 * fault reverted from the dashboard is `ui` in the run's journal (the run's end does not overwrite it), and a
 * foreground `fault inject` whose fault the dashboard reverted ends by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProcesses, cliTimeout } from '../support/cli.js';
import { eventually } from '../support/eventually.js';

const home = mkdtempSync(join(tmpdir(), 'turb-ui-sessions-'));
process.env.TURBULENCE_HOME = home;
const { startUiServer } = await import('../../src/ui/server.js');
const { sessionsDir } = await import('../../src/os/home.js');

type Model = { title: string; status: string; faults: { id: string; target: string; revertedBy: string | null }[] };
const stateOf = (pid: number): string => /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '?';

describe('runs in other processes on one dashboard', () => {
  let ui: Awaited<ReturnType<typeof startUiServer>>;
  const victims: ChildProcess[] = [];
  const cli = cliProcesses();
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${ui.url}${path}`)).json()) as T;
  const liveModels = async (): Promise<Model[]> => {
    const runs = await get<{ live: { runId: string }[] }>('/api/runs');
    return Promise.all(
      runs.live.map(async (r) => (await get<{ model: Model }>(`/api/runs/live/${encodeURIComponent(r.runId)}`)).model),
    );
  };
  const experiment = (name: string, pid: number): string => {
    const file = join(home, `${name}.yaml`);
    const lines = [`title: run ${name}`, 'description: pauses its own victim', 'method:', '  - type: action'];
    lines.push(`    name: pause victim ${name}`, '    provider: { type: fault, kind: process.stop, target: { pid: ');
    lines[lines.length - 1] += `${pid} }, duration: 60 }`;
    writeFileSync(file, [...lines, '    pauses: { after: 8 }', ''].join('\n'));
    return file;
  };

  beforeAll(async () => {
    ui = await startUiServer({ host: '127.0.0.1', port: 0, journals: join(home, 'journals'), sessions: sessionsDir() });
    for (let i = 0; i < 3; i++) victims.push(spawn('sleep', ['300'], { stdio: 'ignore' }));
  });
  afterAll(async () => {
    cli.killAll();
    for (const v of victims) v.kill('SIGKILL');
    await ui?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it(
    'shows two runs and a fault inject live, each with its own fault, and records a dashboard revert as ui',
    { timeout: cliTimeout(3, 30_000) },
    async () => {
      const [a, b, c] = victims.map((v) => v.pid!);
      const journalA = join(home, 'a.json');
      const runA = cli.start(['run', experiment('A', a!), '--journal-path', journalA]);
      const runB = cli.start(['run', experiment('B', b!), '--journal-path', join(home, 'b.json')]);
      const inject = cli.start(['fault', 'inject', 'process.stop', '-t', `pid=${c}`, '--duration', '60']);
      // All three appear, none posted with --ui: the dashboard found them in $TURBULENCE_HOME/sessions.
      const ready = async () => (await liveModels()).filter((m) => m.faults.length === 1).length === 3;
      expect(await eventually(ready, 60_000, 100)).toBe(true);
      const models = await liveModels();
      const byTitle = (t: string) => models.find((m) => m.title === t)!;
      // Each run holds exactly its own victim's fault, although both started at the same time.
      expect(byTitle('run A').faults.map((f) => f.target)).toEqual([`sleep 300 (pid ${a})`]);
      expect(byTitle('run B').faults.map((f) => f.target)).toEqual([`sleep 300 (pid ${b})`]);
      expect(byTitle('fault inject process.stop').faults.map((f) => f.target)).toEqual([`sleep 300 (pid ${c})`]);
      expect([a, b, c].map((p) => stateOf(p!))).toEqual(['T', 'T', 'T']);

      // Revert A's fault and the fault inject's from the dashboard, as its buttons do.
      for (const id of [byTitle('run A').faults[0]!.id, byTitle('fault inject process.stop').faults[0]!.id]) {
        const res = await fetch(`${ui.url}/api/faults/${id}/revert`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(res.status).toBe(200);
      }
      expect(stateOf(a!)).not.toBe('T');
      expect(stateOf(c!)).not.toBe('T');
      // The foreground fault inject saw its fault go and ends by itself, its fault reverted by ui.
      expect(await inject.exit).toBe(0);
      expect([await runA.exit, await runB.exit]).toEqual([0, 0]);
      const journal = JSON.parse(readFileSync(journalA, 'utf8')) as { faults: { reverted_by: string }[] };
      expect(journal.faults.map((f) => f.reverted_by)).toEqual(['ui']);
      const ended = async () => (await liveModels()).every((m) => m.status !== 'running');
      expect(await eventually(ended, 15_000, 100)).toBe(true);
      const after = await liveModels();
      const by = (t: string) => after.find((m) => m.title === t)!.faults.map((f) => f.revertedBy);
      expect(by('run A')).toEqual(['ui']);
      expect(by('run B')).toEqual(['run-end']);
      expect(by('fault inject process.stop')).toEqual(['ui']);
    },
  );
});
