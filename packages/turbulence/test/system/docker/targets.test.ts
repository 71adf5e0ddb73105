/**
 * Container targets on a real Docker Engine: every query form, the skip label, the errors a person sees, seeded
 * selection and blast radius through the fault manager, and 20 containers paused at once by a runner that is then
 * SIGKILLed: `turbulence recover` unpauses every one, and a container removed meanwhile does not block the rest.
 * One set of containers serves the whole file; `afterAll` removes exactly those (label `turbulence.test=<run>`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { FaultManager } from '../../../src/faults/manager.js';
import { Ledger } from '../../../src/faults/ledger.js';
import { resolveContainers } from '../../../src/targets/container.js';
import { runDockerProbe } from '../../../src/providers/docker.js';
import { cliTimeout, runCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { engine, removeTestContainers, startContainers, stateOf, testRun } from './helpers.js';

const sys = requireSystem('root', 'dockerd');
const run = testRun();
const FLEET = 20;
const fleet = Array.from({ length: FLEET }, (_, i) => run.name(`fleet-${String(i).padStart(2, '0')}`));
const names = (ts: { name: string }[]) => ts.map((t) => t.name).sort();

describe.skipIf(sys.skip)('container targets', () => {
  const home = mkdtempSync(join(tmpdir(), 'turbulence-docker-targets-'));
  const env = { ...process.env, TURBULENCE_HOME: home };
  const ids: string[] = [];

  beforeAll(async () => {
    const base = { 'turbulence.test': run.id };
    ids.push(...(await startContainers(fleet, { ...base, role: 'fleet' })));
    await startContainers([run.name('web-1'), run.name('web-2')], {
      ...base,
      app: 'web',
      tier: 'front',
      'com.docker.compose.project': run.id,
      'com.docker.compose.service': 'web',
    });
    await startContainers([run.name('api-1')], { ...base, app: 'api', 'com.docker.compose.project': run.id });
    await startContainers([run.name('skipme')], { ...base, app: 'web', tier: 'front', 'turbulence.skip': 'true' });
  }, 120_000);

  afterAll(async () => {
    await removeTestContainers(run.id);
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('finds containers by exact name, re2 regex, id prefix, ANDed labels and compose labels', async () => {
    expect(names(await resolveContainers({ name: run.name('web-1') }))).toEqual([run.name('web-1')]);
    expect(names(await resolveContainers({ name: `/${run.name('web-2')}` }))).toEqual([run.name('web-2')]);
    expect(names(await resolveContainers({ name: `re2:^${run.id}-(web|api)-` }))).toEqual(
      [run.name('api-1'), run.name('web-1'), run.name('web-2')].sort(),
    );
    expect(names(await resolveContainers({ id: ids[3]!.slice(0, 12) }))).toEqual([fleet[3]]);
    expect(names(await resolveContainers({ label: `app=web,tier=front,turbulence.test=${run.id}` }))).toEqual([
      run.name('web-1'),
      run.name('web-2'),
    ]);
    expect(names(await resolveContainers({ label: ['app=api', `turbulence.test=${run.id}`] }))).toEqual([
      run.name('api-1'),
    ]);
    expect(names(await resolveContainers({ project: run.id }))).toHaveLength(3);
    expect(names(await resolveContainers({ project: run.id, service: 'web' }))).toHaveLength(2);
  });

  it('the docker probe reports state, health, restart count and exit code; a paused container is refused by pause', async () => {
    expect(await runDockerProbe({ type: 'docker', name: run.name('web-1') })).toEqual({
      name: run.name('web-1'),
      state: 'running',
      running: true,
      paused: false,
      health: 'none',
      restart_count: 0,
      exit_code: 0,
    });
    await engine.getContainer(run.name('web-2')).pause();
    try {
      const byLabel = await runDockerProbe({ type: 'docker', label: `app=web,tier=front,turbulence.test=${run.id}` });
      expect(byLabel).toMatchObject({ total: 3, running: 2, paused: 1 }); // skipme too: a probe only reads
      // A container someone else paused is refused, so no revert of ours would unpause it.
      const m = new FaultManager({ rng: new Rng(1), ledger: new Ledger(join(home, 'paused')) });
      await expect(
        m.inject({ kind: 'container.pause', target: { name: run.name('web-2') } }, { activity: 'x' }),
      ).rejects.toMatchObject({ code: 'TURB_ERR_TARGET_REFUSED', hint: expect.stringMatching(/paused already/) });
      expect((await stateOf(run.name('web-2')))?.Paused).toBe(true);
    } finally {
      await engine.getContainer(run.name('web-2')).unpause();
    }
    await expect(runDockerProbe({ type: 'docker', name: run.name('nope') })).rejects.toMatchObject({
      code: 'TURB_ERR_ACTIVITY_FAILED',
    });
  });

  it('never returns a container labelled turbulence.skip=true', async () => {
    await expect(resolveContainers({ name: run.name('skipme') })).rejects.toMatchObject({
      hint: expect.stringMatching(/turbulence\.skip=true/),
    });
    const web = await resolveContainers({ label: ['app=web', `turbulence.test=${run.id}`] });
    expect(names(web)).not.toContain(run.name('skipme'));
  });

  it('says what is wrong: unknown name (with the nearest), bad regex, bad label, bad id', async () => {
    await expect(resolveContainers({ name: run.name('web-3') })).rejects.toMatchObject({
      code: 'TURB_ERR_TARGET_REFUSED',
      hint: expect.stringMatching(/did you mean "tb[0-9a-f]+-web-[12]"/),
    });
    await expect(resolveContainers({ name: 're2:(' })).rejects.toMatchObject({ code: 'TURB_ERR_FAULT_INVALID_PARAMS' });
    await expect(resolveContainers({ label: '=web' })).rejects.toThrow(/label "=web" is not key=value/);
    await expect(resolveContainers({ id: 'xyz' })).rejects.toThrow(/hex digits/);
    await expect(resolveContainers({ name: `re2:^${run.id}-nothing` })).rejects.toMatchObject({
      code: 'TURB_ERR_TARGET_REFUSED',
    });
  });

  it('chooses the same containers for the same seed, and keeps to the blast radius', async () => {
    const pick = async (seed: number) => {
      const m = new FaultManager({ rng: new Rng(seed), dryRun: true, ledger: new Ledger(join(home, 'dry')) });
      const faults = await m.inject(
        {
          kind: 'container.pause',
          target: { label: `role=fleet,turbulence.test=${run.id}` },
          select: { mode: 'count', value: 3 },
        },
        { activity: 'seeded' },
      );
      return names(faults.map((f) => f.target));
    };
    const first = await pick(42);
    expect(first).toHaveLength(3);
    expect(await pick(42)).toEqual(first);
    const capped = new FaultManager({ rng: new Rng(1), dryRun: true, blastRadius: { maxTargets: 5 } });
    await expect(
      capped.inject(
        { kind: 'container.pause', target: { label: `role=fleet,turbulence.test=${run.id}` } },
        { activity: 'x' },
      ),
    ).rejects.toThrow(/5/);
  });

  it('reports a container removed while its fault was on, instead of claiming a revert', async () => {
    const [victim] = await startContainers([run.name('gone-1')], { 'turbulence.test': run.id, role: 'gone' });
    expect(victim).toBeTruthy();
    const m = new FaultManager({ rng: new Rng(3), ledger: new Ledger(join(home, 'gone')) });
    const notes: (string | undefined)[] = [];
    m.on('fault-reverted', (f) => notes.push(f.note));
    await m.inject({ kind: 'container.pause', target: { name: run.name('gone-1') } }, { activity: 'gone' });
    expect((await stateOf(run.name('gone-1')))?.Paused).toBe(true);
    await engine.getContainer(run.name('gone-1')).remove({ force: true });
    await m.revertAll('run-end');
    expect(notes).toEqual([`nothing to undo: container ${run.name('gone-1')} is gone (removed meanwhile)`]);
  });

  it(
    'pauses 20 containers at once; after SIGKILL of the runner `recover` unpauses them, one removed meanwhile is no block',
    { timeout: cliTimeout(2, 60_000) },
    async () => {
      const spec = { kind: 'container.pause', target: { label: `role=fleet,turbulence.test=${run.id}` } };
      const runner = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, '../../support/fault-runner.ts'), JSON.stringify(spec)],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise((r) => runner.once('close', r));
      let out = '';
      runner.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        expect(await eventually(() => out.includes('injected '), 60_000, 100)).toBe(true);
        const paused = async () => (await Promise.all(fleet.map(stateOf))).filter((s) => s?.Paused).length;
        expect(await paused()).toBe(FLEET);
        runner.kill('SIGKILL');
        await exited;
        expect(await paused()).toBe(FLEET); // the faults outlive the runner
        await engine.getContainer(fleet[0]!).remove({ force: true });
        const recover = await runCli(['recover'], { env });
        expect(recover.stderr).toBe('');
        expect(recover.code).toBe(0);
        const states = await Promise.all(fleet.slice(1).map(stateOf));
        expect(states.filter((s) => s?.Running && !s.Paused)).toHaveLength(FLEET - 1);
        const left = (await new Ledger(join(home, 'ledger')).list()).entries;
        expect(left).toEqual([]);
      } finally {
        if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL');
        await exited;
      }
    },
  );

  it(
    'fails with a clear error, and exits non-zero, when Docker is unreachable; doctor says so per kind',
    { timeout: cliTimeout(2) },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tb-nodocker-'));
      const res = await runCli(['fault', 'inject', 'container.pause', '--target', 'name=web-1', '--duration', '1s'], {
        env: { ...env, DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` },
      });
      rmSync(dir, { recursive: true, force: true });
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/Docker is unreachable/);
      expect(res.stderr).toMatch(/start dockerd/);
      const doctor = await runCli(['doctor'], { env: { ...env, DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` } });
      expect(doctor.stdout).toMatch(/NO\s+container\.pause\s+no Docker daemon answers/);
    },
  );
});
