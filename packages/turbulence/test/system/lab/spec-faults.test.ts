/**
 * `config.env` and `config.arg` on a lab service (`{ lab, host, service }`), injected and recovered by separate
 * CLI processes while `lab up`'s supervisor runs the service in its namespace: the restarted service's
 * environment and arguments are read from /proc (what the kernel says it was started with).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { environOf, readProcSync } from '../../../src/os/proc.js';
import { labDown, readLabState } from '../../../src/lab/index.js';
import { requireSystem } from '../../support/system.js';
import { eventually } from '../../support/eventually.js';
import { runCli } from '../../support/cli.js';
import { netnsMatching, uniqueName, uniqueSubnet, useTempHome, writeLab } from './helpers.js';

const sys = requireSystem('root', 'ip');

describe.skipIf(sys.skip)('config.env and config.arg on a lab service', { timeout: 120_000 }, () => {
  useTempHome();
  const name = uniqueName();
  afterAll(async () => {
    await labDown(name);
    for (const ns of netnsMatching(`tb-${name}`)) execFileSync('ip', ['netns', 'del', ns]);
  });
  const pid = () => readLabState(name)?.hosts.find((h) => h.name === 'one')?.services.sleeper?.pid ?? 0;

  it('restarts the service with the changed variable and flag; recover restarts it with the originals', async () => {
    const file = writeLab(`name: ${name}
subnet: ${uniqueSubnet()}
hosts:
  - name: one
    services:
      - name: sleeper
        command: [sh, -c, "sleep 300; true", tbsvc, --mode, calm]
        env: { TB_MODE: calm }
        restart: on-failure
        restartDelay: 100ms
`);
    expect((await runCli(['lab', 'up', file])).code).toBe(0);
    const first = pid();
    expect(environOf(first)?.get('TB_MODE')).toBe('calm');
    const target = ['-t', `lab=${name}`, '-t', 'host=one', '-t', 'service=sleeper'];
    const env = await runCli([
      'fault',
      'inject',
      'config.env',
      ...target,
      '-p',
      'name=TB_MODE',
      '-p',
      'value=storm',
      '--detach',
    ]);
    expect(env.stderr).toBe('');
    expect(await eventually(() => pid() !== first && environOf(pid())?.get('TB_MODE') === 'storm', 10_000)).toBe(true);
    const arg = await runCli([
      'fault',
      'inject',
      'config.arg',
      ...target,
      '-p',
      'flag=--mode',
      '-p',
      'value=storm',
      '--detach',
    ]);
    expect(arg.stderr).toBe('');
    const argv = () => readProcSync(pid())?.argv.slice(-3).join(' ');
    expect(await eventually(() => argv() === 'tbsvc --mode storm', 10_000)).toBe(true);
    expect(environOf(pid())?.get('TB_MODE')).toBe('storm'); // both faults apply to the one restarted process
    expect((await runCli(['recover', '--all', '--keep-labs', '--keep-managed'])).code).toBe(0);
    expect(await eventually(() => argv() === 'tbsvc --mode calm', 10_000)).toBe(true);
    expect(environOf(pid())?.get('TB_MODE')).toBe('calm');
  });
});
