/**
 * `config.*` from the outside: the fixed CLI form, bad input (refused, exit non-zero, nothing changed, nothing in
 * the ledger), a file changed since injection (kept unless forced), and reloads (a failing one restores the file).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/json.js';
import { Rng } from '../../src/core/rng.js';
import { Ledger } from '../../src/faults/ledger.js';
import { FaultManager } from '../../src/faults/manager.js';
import { ledgerDir } from '../../src/os/home.js';
import { cliTimeout, runCli, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';

const home = mkdtempSync(join(tmpdir(), 'tb-config-cli-home-'));
process.env.TURBULENCE_HOME = home;
const dir = mkdtempSync(join(tmpdir(), 'tb-config-cli-'));
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const backups = (): string[] =>
  existsSync(join(home, 'config-backups')) ? readdirSync(join(home, 'config-backups')) : [];
const ledgerEntries = async () => (await new Ledger(ledgerDir(home)).list()).entries;

const YAML = '# app\nserver:\n  port: 8080 # public\n  host: 0.0.0.0\n';
/** A file in a directory of its own. */
function file(text: string | Buffer, name = 'app.yaml'): string {
  const path = join(mkdtempSync(join(dir, 'f-')), name);
  writeFileSync(path, text);
  return path;
}

let server: Server;
let hits = 0;
let failHttp = false;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits += 1;
    res.statusCode = failHttp ? 500 : 204;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const manager = () => new FaultManager({ rng: new Rng(1), guardian: false });

describe('config.set from the command line', () => {
  it(
    'injects with the fixed CLI form, and reverts byte for byte when the duration ends',
    async () => {
      const path = file(YAML);
      chmodSync(path, 0o640);
      const before = sha(path);
      const cli = spawnCli([
        'fault',
        'inject',
        'config.set',
        '--target',
        `path=${path}`,
        '--param',
        'key=server.port',
        '--param',
        'value=9999',
        '--duration',
        '3s',
      ]);
      expect(await eventually(() => /injected config\.set/.test(cli.stdout()), 20_000)).toBe(true);
      expect(readFileSync(path, 'utf8')).toBe(YAML.replace('8080', '9999'));
      expect(await cli.exit).toBe(0);
      expect(sha(path)).toBe(before);
      expect(statSync(path).mode & 0o777).toBe(0o640);
      expect(backups()).toEqual([]);
    },
    cliTimeout(1, 5000),
  );

  it(
    'refuses a key that is not there, naming the missing part, and changes nothing',
    async () => {
      const path = file(YAML);
      const res = await runCli([
        'fault',
        'inject',
        'config.set',
        '--target',
        `path=${path}`,
        '--param',
        'key=server.prot',
        '--param',
        'value=1',
      ]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/key server\.prot not found: server has no key "prot"/);
      expect(res.stderr).toMatch(/did you mean "port"/);
      expect(readFileSync(path, 'utf8')).toBe(YAML);
      expect(await ledgerEntries()).toEqual([]);
    },
    cliTimeout(1),
  );
});

describe('config faults refuse bad input and leave nothing applied', () => {
  const refused = async (target: Record<string, string>, params: JsonObject, pattern: RegExp) => {
    const m = manager();
    await expect(m.inject({ kind: 'config.set', target, params }, { activity: 't' })).rejects.toThrow(pattern);
    expect(await ledgerEntries()).toEqual([]);
    expect(backups()).toEqual([]);
  };

  it('a file that does not parse', async () => {
    const path = file('server:\n  port: [8080\n');
    await refused({ path }, { key: 'server.port', value: 1 }, /is not valid YAML/);
    expect(readFileSync(path, 'utf8')).toBe('server:\n  port: [8080\n');
  });

  it('a binary file', async () => {
    const path = file(Buffer.from([0x61, 0x3a, 0x20, 0x00, 0x01, 0x0a]));
    await refused({ path }, { key: 'a', value: 1 }, /binary file \(a NUL byte at offset 3\)/);
  });

  it('a symlink leading outside its directory, unless that directory is allowed', async () => {
    const real = file(YAML);
    const link = join(mkdtempSync(join(dir, 'links-')), 'link.yaml');
    symlinkSync(real, link);
    await refused({ path: link }, { key: 'server.port', value: 1 }, /symlink to .* refusing to follow it/);
    const m = manager();
    await m.inject(
      { kind: 'config.set', target: { path: link, allow: join(real, '..') }, params: { key: 'server.port', value: 1 } },
      { activity: 't' },
    );
    expect(readFileSync(real, 'utf8')).toMatch(/port: 1 /);
    await m.revertAll();
    expect(readFileSync(real, 'utf8')).toBe(YAML);
  });

  it('a missing file, and a value the file already holds', async () => {
    await refused({ path: join(dir, 'nope.yaml') }, { key: 'a', value: 1 }, /does not exist/);
    await refused({ path: file(YAML) }, { key: 'server.port', value: 8080 }, /would not change/);
  });
});

describe('a file changed since injection', () => {
  it(
    'is not overwritten by the revert; `fault revert ID --force` restores the original',
    async () => {
      const path = file(YAML);
      const before = sha(path);
      const m = manager();
      const [f] = await m.inject(
        { kind: 'config.set', target: { path }, params: { key: 'server.port', value: 1 } },
        { activity: 't' },
      );
      writeFileSync(path, 'edited by someone else\n');
      const failures = await m.revertAll();
      expect(failures[0]?.error.message).toMatch(
        /changed since turbulence changed it.*not overwriting it \(revert with --force/,
      );
      expect(readFileSync(path, 'utf8')).toBe('edited by someone else\n');
      m.dispose();
      const res = await runCli(['fault', 'revert', f!.id, '--force']);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(sha(path)).toBe(before);
      expect(backups()).toEqual([]);
      expect(await ledgerEntries()).toEqual([]);
    },
    cliTimeout(1),
  );
});

describe('reload', () => {
  it('runs a command (argv, no shell) after inject and after revert', async () => {
    const path = file(YAML);
    const marker = join(dir, 'reloads');
    const command = [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(marker)}, 'r')`];
    const m = manager();
    await m.inject(
      { kind: 'config.set', target: { path }, params: { key: 'server.port', value: 1, reload: { command } } },
      { activity: 't' },
    );
    expect(readFileSync(marker, 'utf8')).toBe('r');
    await m.revertAll();
    expect(readFileSync(marker, 'utf8')).toBe('rr');
  });

  it('a failing reload restores the file and fails the fault', async () => {
    const path = file(YAML);
    const before = sha(path);
    failHttp = true;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reload`;
    const m = manager();
    await expect(
      m.inject(
        { kind: 'config.delete', target: { path }, params: { key: 'server.host', reload: { http: url } } },
        { activity: 't' },
      ),
    ).rejects.toThrow(/reload \(POST .*\) failed: HTTP 500; the file was restored/);
    expect(hits).toBeGreaterThan(0);
    expect(sha(path)).toBe(before);
    expect(await ledgerEntries()).toEqual([]);
    expect(backups()).toEqual([]);
  });
});
