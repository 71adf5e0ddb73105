/**
 * One busybox container for two kinds that act inside it:
 * - `container.limit-memory` seen by the kernel, not only in the cgroup file: a process in the container that fills
 *   48 MiB of tmpfs (`dd` into /dev/shm, pages charged to the container's memory cgroup) is OOM-killed under a
 *   16 MiB cap, and succeeds again after revert. The container had no limit before, which the Engine's update could
 *   not have restored.
 * - the issue's own words, through the real CLI: `turbulence fault inject container.pause --target name=NAME
 *   --duration 3s` pauses it (inspect says paused) and it runs again after 3 s; a `fault inject` SIGKILLed while the
 *   container is paused, then `turbulence recover`, leaves it running.
 * - `turbulence docker pause ...` (a Pumba line) through the real CLI.
 * - `container.exec` from Pumba's `exec` line (argv, no shell: a `;` stays a plain argument), and a failing command
 *   reported with its exit code and output.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePumba } from '../../../src/cli/pumba/parse.js';
import { planPumba } from '../../../src/cli/pumba/plan.js';
import { shellWords } from '../../support/shell-words.js';
import { cliTimeout, runCli, spawnCli } from '../../support/cli.js';
import { settles } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { containerFaults, engine, startContainers, stateOf, testRun } from './helpers.js';

const sys = requireSystem('root', 'dockerd', 'docker');
const run = testRun();
const name = run.name('mem');
const exec = promisify(execFile);

/** Exit code of `dd` writing 48 MiB into the container's /dev/shm (137: OOM-killed), the file removed after. */
async function fill(): Promise<number> {
  const code = await exec('docker', ['exec', name, 'dd', 'if=/dev/zero', 'of=/dev/shm/fill', 'bs=1M', 'count=48'], {
    timeout: 20_000,
  }).then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  );
  await exec('docker', ['exec', name, 'rm', '-f', '/dev/shm/fill']).catch(() => undefined);
  return code;
}

describe.skipIf(sys.skip)('container.limit-memory', () => {
  const { home, manager, cleanup } = containerFaults('inside', 5, run.id);

  beforeAll(() => startContainers([name], { 'turbulence.test': run.id }, ['sleep', '3600']), 60_000);
  afterAll(cleanup, 60_000);

  it('OOM-kills a process over the cap; revert lifts the cap back to unlimited', { timeout: 60_000 }, async () => {
    expect((await engine.getContainer(name).inspect()).HostConfig.Memory).toBe(0);
    expect(await fill()).toBe(0);
    const [fault] = await manager.inject(
      { kind: 'container.limit-memory', target: { name }, params: { max: '16MiB' } },
      { activity: 'cap memory' },
    );
    expect(await fill()).toBe(137);
    await manager.revert(fault!.id);
    expect(await fill()).toBe(0);
  });

  it(
    "exec: Pumba's exec line runs argv in the container, no shell; a failing command says why",
    { timeout: 60_000 },
    async () => {
      const plan = planPumba(parsePumba(shellWords(`exec --command "touch" --args "/tmp/a;" --args "/tmp/b" ${name}`)));
      await manager.inject(plan.fault!, { activity: 'pumba exec' });
      const ls = await exec('docker', ['exec', name, 'ls', '/tmp']);
      expect(ls.stdout.split('\n').sort()).toEqual(expect.arrayContaining(['a;', 'b']));
      await expect(
        manager.inject(
          { kind: 'container.exec', target: { name }, params: { command: ['ls', '/nowhere'] } },
          { activity: 'failing exec' },
        ),
      ).rejects.toThrow(/failed: exit 1: .*nowhere/);
      await expect(
        manager.inject(
          { kind: 'container.exec', target: { name }, params: { command: 'no-such-program' } },
          { activity: 'missing program' },
        ),
      ).rejects.toThrow(/no-such-program is not a program in the container/);
    },
  );

  it(
    'turbulence fault inject container.pause --duration 3s pauses it, it runs again after 3 s; SIGKILL + recover unpauses',
    { timeout: cliTimeout(3, 20_000) },
    async () => {
      const env = { ...process.env, TURBULENCE_HOME: home };
      const paused = async () => (await stateOf(name))?.Paused === true;
      const timed = spawnCli(['fault', 'inject', 'container.pause', '--target', `name=${name}`, '--duration', '3s'], {
        env,
      });
      expect(await settles(paused, true, 20_000)).toBe(true);
      const since = Date.now();
      expect(await settles(paused, false, 10_000)).toBe(true);
      expect(Date.now() - since).toBeGreaterThan(1000); // held for its duration, not reverted at once
      expect(await timed.exit).toBe(0);
      const held = spawnCli(['fault', 'inject', 'container.pause', '--target', `name=${name}`, '--duration', '10m'], {
        env,
      });
      expect(await settles(paused, true, 20_000)).toBe(true);
      held.child.kill('SIGKILL');
      await held.exit;
      expect(await paused()).toBe(true); // the fault outlives its runner
      const recover = await runCli(['recover'], { env });
      expect(recover.code).toBe(0);
      expect(await paused()).toBe(false);
      expect((await stateOf(name))?.Running).toBe(true);
    },
  );

  it(
    'turbulence docker --log-level info pause --duration 2s NAME: the Pumba line through the real CLI',
    { timeout: cliTimeout(1, 10_000) },
    async () => {
      const env = { ...process.env, TURBULENCE_HOME: home };
      const r = spawnCli(['docker', '--log-level', 'info', 'pause', '--duration', '2s', name], { env });
      expect(await settles(async () => (await stateOf(name))?.Paused === true, true, 20_000)).toBe(true);
      expect(await r.exit).toBe(0);
      expect(r.stdout()).toMatch(/injected container\.pause on .*\n[\s\S]*reverted container\.pause/);
      expect((await stateOf(name))?.Paused).toBe(false);
    },
  );
});
