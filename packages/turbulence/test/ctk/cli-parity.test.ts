/**
 * CLI and settings parity with `chaos run` (chaostoolkit/commands/run.py, chaoslib/loader.py):
 *
 * - `--no-verify-tls` also applies to loading an experiment from an https URL (load_experiment(..., verify_tls));
 * - settings `auths.<host:port>` become `Authorization: <type> <value>` for a URL on that host, after
 *   `CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN` (chaoslib/loader.py);
 * - `--ctk-exit-codes`: exit 1 for an invalid experiment (ctx.exit(1) after ensure_experiment_is_valid);
 * - `--no-exit`: exit 0 once the run ended, whatever its status (`if (has_failed or has_deviated) and not no_exit`).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiment/load.js';
import { cliTimeout, runCli } from '../support/cli.js';
import { selfSignedCert } from '../support/self-signed.js';

let dir: string;
let server: Server;
let url: string;
let lastAuth: string | undefined;
const EXPERIMENT = { title: 'remote', description: 'd', method: [] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'turb-ctk-cli-'));
  const { key, cert } = selfSignedCert(dir);
  server = createServer({ key, cert }, (req, res) => {
    lastAuth = req.headers.authorization;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(EXPERIMENT));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/experiment.json`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('loading from a URL', () => {
  it('refuses a self-signed certificate unless verifyTls is false (--no-verify-tls)', async () => {
    await expect(loadExperiment(url, { env: {} })).rejects.toThrow(/cannot fetch/);
    const loaded = await loadExperiment(url, { env: {}, verifyTls: false });
    expect(loaded.experiment.title).toBe('remote');
  });

  it('sends the settings auth of the host, the env token first', async () => {
    const host = new URL(url).host;
    const auths = { [host]: { type: 'bearer', value: 'from-settings' } };
    await loadExperiment(url, { env: {}, verifyTls: false, auths });
    expect(lastAuth).toBe('bearer from-settings');
    await loadExperiment(url, { env: { CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN: 'from-env' }, verifyTls: false, auths });
    expect(lastAuth).toBe('bearer from-env');
  });
});

describe('exit codes', () => {
  it(
    '--ctk-exit-codes exits 1 for an invalid experiment; --no-exit exits 0 for a deviated run',
    async () => {
      const invalid = join(dir, 'invalid.json');
      await writeFile(invalid, JSON.stringify({ title: 't', method: [] })); // no description
      const a = await runCli(['run', invalid, '--ctk-exit-codes', '--journal-path', join(dir, 'j1.json')]);
      expect(a.code, a.out).toBe(1);
      expect(a.out).toContain('description');

      const deviated = join(dir, 'deviated.json');
      await writeFile(
        deviated,
        JSON.stringify({
          title: 't',
          description: 'd',
          'steady-state-hypothesis': {
            title: 'h',
            probes: [{ type: 'probe', name: 'p', tolerance: 1, provider: { type: 'process', path: 'true' } }],
          },
          method: [],
          runtime: { hypothesis: { strategy: 'after-method-only' } },
        }),
      );
      const b = await runCli(['run', deviated, '--no-exit', '--journal-path', join(dir, 'j2.json')]);
      expect(b.code, b.out).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'j2.json'), 'utf8'))).toMatchObject({ deviated: true });
    },
    cliTimeout(2),
  );
});
