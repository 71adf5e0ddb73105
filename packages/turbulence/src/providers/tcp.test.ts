import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { tcpProvider } from './tcp.js';
import { activityFailure } from '../../test/support/activity-failed.js';

let server: Server;
let port: number;
let accepted = 0;

beforeAll(async () => {
  server = createServer((s) => {
    accepted++;
    s.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const ctx = (signal = new AbortController().signal) => ({
  configuration: {},
  secrets: {},
  signal,
  baseDir: '.',
  rng: new Rng(1),
  strict: false,
});

const failure = activityFailure;

describe('tcp provider', () => {
  it('connects to a listening port and reports the latency', async () => {
    const before = accepted;
    const out = (await tcpProvider.run({ type: 'tcp', host: '127.0.0.1', port: String(port) }, ctx())) as {
      connected: boolean;
      latency_ms: number;
    };
    expect(out.connected).toBe(true);
    expect(out.latency_ms).toBeGreaterThanOrEqual(0);
    expect(out.latency_ms).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(accepted).toBe(before + 1);
  });

  it('fails with the reason when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const msg = await failure(tcpProvider.run({ type: 'tcp', host: '127.0.0.1', port: free }, ctx()));
    expect(msg).toMatch(new RegExp(`^tcp connect to 127\\.0\\.0\\.1:${free} failed: .*ECONNREFUSED`));
  });

  it('rejects a port that is not a number', async () => {
    const msg = await failure(tcpProvider.run({ type: 'tcp', host: '127.0.0.1', port: '${port}' }, ctx()));
    expect(msg).toMatch(/is not a port number/);
  });

  it('stops when the run is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await failure(tcpProvider.run({ type: 'tcp', host: '127.0.0.1', port }, ctx(ac.signal)))).toMatch(/aborted/);
  });

  it('describes itself for dry runs', () => {
    expect(tcpProvider.describe!({ type: 'tcp', host: 'db', port: 5432 })).toBe('tcp connect db:5432');
  });
});
