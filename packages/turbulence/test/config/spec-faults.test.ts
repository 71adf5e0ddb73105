/**
 * `config.env` and `config.arg` from the outside: the CLI form (`fault inject config.env --target managed=NAME
 * --param name=... --param value=...`), no original value in the ledger (only in a 0600 backup), and bad input
 * refused with "did you mean", exit non-zero, nothing restarted and nothing left. One supervised service for the
 * whole file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurbulenceError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Ledger } from '../../src/faults/ledger.js';
import { FaultManager } from '../../src/faults/manager.js';
import { parsePairs } from '../../src/targets/query.js';
import { ledgerDir } from '../../src/os/home.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { cliTimeout, runCli, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { serviceAnswer, writeEchoService } from './echo-service.js';

const home = mkdtempSync(join(tmpdir(), 'tb-spec-cli-home-'));
process.env.TURBULENCE_HOME = home;
const dir = mkdtempSync(join(tmpdir(), 'tb-spec-cli-'));
const ORIGINAL = 'calm-s3cret-original';
const sup = new Supervisor();
const entries = (sub: string): string[] => (existsSync(join(home, sub)) ? readdirSync(join(home, sub)) : []);
const ledgerEntries = async () => (await new Ledger(ledgerDir(home)).list()).entries;

beforeAll(async () => {
  await sup.start({
    name: 'echo-web',
    command: process.execPath,
    args: [writeEchoService(dir), '--mode', 'calm', '-v'],
    env: { TB_MODE: ORIGINAL },
    cwd: dir,
    readiness: { exec: ['test', '-s', join(dir, 'port')] },
    restart: 'on-failure',
  });
});
afterAll(async () => {
  await sup.stopAll();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('config.env from the command line', () => {
  it(
    'restarts the service with the new value, keeps the original out of the ledger, and restores it at expiry',
    async () => {
      const cli = spawnCli([
        'fault',
        'inject',
        'config.env',
        '--target',
        'managed=echo-web',
        '--param',
        'name=TB_MODE',
        '--param',
        'value=storm',
        '--duration',
        '4s',
      ]);
      expect(await eventually(() => /injected config\.env/.test(cli.stdout()), 20_000)).toBe(true);
      expect((await serviceAnswer(dir)).env).toBe('storm');
      // The ledger names the variable and the backup (path + sha256), never the original value.
      const files = readdirSync(ledgerDir(home)).filter((f) => f.endsWith('.json'));
      const ledgerText = files.map((f) => readFileSync(join(ledgerDir(home), f), 'utf8')).join('\n');
      expect(ledgerText).toContain('env TB_MODE');
      expect(ledgerText).toMatch(/"sha256": "[0-9a-f]{64}"/);
      expect(ledgerText).not.toContain(ORIGINAL);
      const [orig] = entries('config-backups').filter((f) => f.endsWith('.orig'));
      const backup = join(home, 'config-backups', orig!);
      expect(readFileSync(backup, 'utf8')).toBe(ORIGINAL);
      expect(statSync(backup).mode & 0o777).toBe(0o600);
      expect(await cli.exit).toBe(0);
      expect((await serviceAnswer(dir)).env).toBe(ORIGINAL);
      expect(await ledgerEntries()).toEqual([]);
      expect([...entries('spec-overrides'), ...entries('config-backups')]).toEqual([]);
    },
    cliTimeout(1, 10_000),
  );
});

/** `fault inject KIND -t k=v -p k=v` through the CLI's own parsers and a FaultManager, in this process. */
async function inProcess(args: string[]): Promise<unknown> {
  const [kind, ...rest] = args;
  const target: string[] = [];
  const params: string[] = [];
  for (let i = 0; i < rest.length; i += 2) (rest[i] === '-t' ? target : params).push(rest[i + 1]!);
  const m = new FaultManager({ rng: new Rng(1), guardian: false });
  return m.inject(
    { kind: kind!, target: parsePairs(target, '--target'), params: parsePairs(params, '--param') },
    { activity: 'bad input' },
  );
}

describe('config.env and config.arg refuse bad input and change nothing', () => {
  const cases: [string, string[], RegExp[]][] = [
    [
      'an unknown service',
      ['config.env', '-t', 'managed=echo-wbe', '-p', 'name=TB_MODE', '-p', 'value=x'],
      [/no supervised process named "echo-wbe"/, /did you mean "echo-web"/],
    ],
    [
      'a variable the process does not have',
      ['config.env', '-t', 'managed=echo-web', '-p', 'name=TB_MOOD', '-p', 'value=x'],
      [/echo-web has no environment variable TB_MOOD/, /did you mean "TB_MODE"/, /create=true/],
    ],
    [
      'a misspelt target field',
      ['config.env', '-t', 'manged=echo-web', '-p', 'name=TB_MODE', '-p', 'value=x'],
      [/manged/, /did you mean "managed"/],
    ],
    [
      'an invalid variable name',
      ['config.env', '-t', 'managed=echo-web', '-p', 'name=1-BAD', '-p', 'value=x'],
      [/"params","name"/, /is not an environment variable name/],
    ],
    [
      'a flag the arguments do not have',
      ['config.arg', '-t', 'managed=echo-web', '-p', 'flag=--mdoe', '-p', 'value=storm'],
      [/the arguments have no flag --mdoe/, /did you mean "--mode"/],
    ],
    [
      'a value together with unset',
      ['config.env', '-t', 'managed=echo-web', '-p', 'name=TB_MODE', '-p', 'value=x', '-p', 'unset=true'],
      [/either value .* or unset=true/],
    ],
  ];
  // Two through the CLI (exit code, message on stderr); the rest through the same parser and manager in-process.
  for (const [i, [what, args, patterns]] of cases.entries()) {
    it(
      what,
      async () => {
        const before = sup.get('echo-web')?.pid;
        if (i < 2) {
          const res = await runCli(['fault', 'inject', ...args]);
          expect(res.code).not.toBe(0);
          for (const p of patterns) expect(res.stderr).toMatch(p);
        } else {
          const error = await inProcess(args).then(
            () => undefined,
            (err: unknown) => err as TurbulenceError,
          );
          expect(error).toBeInstanceOf(TurbulenceError);
          const text = `${error?.message} ${error?.hint} ${JSON.stringify(error?.location)}`;
          for (const p of patterns) expect(text).toMatch(p);
        }
        expect(sup.get('echo-web')?.pid).toBe(before);
        expect(await ledgerEntries()).toEqual([]);
        expect([...entries('spec-overrides'), ...entries('config-backups')]).toEqual([]);
      },
      cliTimeout(1),
    );
  }
});
