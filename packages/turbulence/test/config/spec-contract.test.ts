/**
 * Driver contract of `config.env` and `config.arg`: a real HTTP service under the real supervisor (in this test
 * process), observed from outside over loopback: it answers with the environment variable and the arguments it
 * was started with. Revert must restart it with the originals, also after the runner is SIGKILLed and
 * `turbulence recover` (another process) reverts it: the env case through the supervisor's own restart policy
 * (`on-failure`), the arg case through a restart by the reverting process (`never`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { driverContract, type ContractTarget } from '../support/driver-contract.js';
import { serviceAnswer, writeEchoService } from './echo-service.js';

// Overrides and backups live in TURBULENCE_HOME: this file's own, shared with the spawned runner and CLI.
const home = mkdtempSync(join(tmpdir(), 'tb-spec-home-'));
process.env.TURBULENCE_HOME = home;
afterAll(() => rmSync(home, { recursive: true, force: true }));

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/** A supervised echo service; the fault is in effect while `changed(answer)` holds. */
function echoService(
  restart: 'never' | 'on-failure',
  args: string[],
  params: ContractTarget['params'],
  changed: (a: { env: string | null; argv: string[] }) => boolean,
): () => Promise<ContractTarget> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-spec-'));
    const script = writeEchoService(dir);
    const sup = new Supervisor();
    const name = `echo-${randomBytes(3).toString('hex')}`;
    await sup.start({
      name,
      command: process.execPath,
      args: [script, ...args],
      env: { TB_MODE: 'calm' },
      cwd: dir,
      readiness: { exec: ['test', '-s', join(dir, 'port')] },
      restart,
    });
    return {
      query: { managed: name },
      params: params ?? {},
      inEffect: async () => changed(await serviceAnswer(dir)),
      leftovers: () =>
        Promise.resolve([
          ...entries(join(home, 'spec-overrides')).map((e) => `override ${e}`),
          ...entries(join(home, 'config-backups')).map((e) => `backup ${e}`),
        ]),
      cleanup: async () => {
        await sup.stopAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

driverContract({
  kind: 'config.env',
  variant: 'supervised HTTP service, restarted by its supervisor',
  settleMs: 8000,
  setup: echoService('on-failure', [], { name: 'TB_MODE', value: 'storm' }, (a) => a.env === 'storm'),
});

driverContract({
  kind: 'config.arg',
  variant: 'supervised HTTP service, restarted by the reverting process',
  settleMs: 8000,
  setup: echoService('never', ['--mode', 'calm', '-v'], { flag: '--mode', value: 'storm' }, (a) =>
    a.argv.includes('storm'),
  ),
});
