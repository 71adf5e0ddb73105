/**
 * A reconnect storm whose runner is SIGKILLed mid-blip leaves its proxy disabled (the one thing of a load that
 * outlives the runner: the workers die with it); `turbulence recover` reverts the ledger entry, which enables the
 * proxy again. The real CLI on both sides, a real turbulence proxy in this process.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/faults/ledger.js';
import { ledgerDir } from '../../src/os/home.js';
import { createProxyServer, type ProxyServer } from '../../src/proxy/index.js';
import { cliTimeout, runCli, spawnCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';

const home = mkdtempSync(join(tmpdir(), 'tb-load-crash-'));
const env = { ...process.env, TURBULENCE_HOME: home };
let server: Server;
let proxy: ProxyServer;
let proxied = '';

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const upstream = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = await createProxyServer({ port: 0, seed: 1 });
  proxied = (await proxy.createProxy({ name: 'api', listen: '127.0.0.1:0', upstream })).toJSON().listen;
});
afterAll(async () => {
  await proxy.close();
  server.closeAllConnections();
  server.close();
  rmSync(home, { recursive: true, force: true });
});

const enabled = (): boolean | undefined => proxy.proxies.get('api')?.toJSON().enabled;

describe('load.reconnect-storm after a SIGKILL of its runner', () => {
  it(
    'leaves the proxy disabled mid-blip; recover enables it again and empties the ledger',
    async () => {
      const drop = JSON.stringify({ proxy: 'api', api: proxy.url, blip: '60s' });
      const cli = spawnCli(
        [
          'fault',
          'inject',
          'load.reconnect-storm',
          '--target',
          `url=http://${proxied}/`,
          '--param',
          'clients=4',
          '--param',
          'duration=60s',
          '--param',
          'interval=50ms',
          '--param',
          `drop=${drop}`,
        ],
        { env },
      );
      try {
        expect(await eventually(() => enabled() === false, 30_000, 50)).toBe(true);
      } finally {
        cli.child.kill('SIGKILL');
        await cli.exit;
      }
      expect(enabled()).toBe(false); // the blip outlives its runner
      const recover = await runCli(['recover'], { env });
      expect(recover.stderr).toBe('');
      expect(recover.code).toBe(0);
      expect(enabled()).toBe(true);
      expect((await new Ledger(ledgerDir(home)).list()).entries).toEqual([]);
    },
    cliTimeout(2, 30_000),
  );
});
