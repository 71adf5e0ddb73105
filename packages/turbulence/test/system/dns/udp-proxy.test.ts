/**
 * A `protocol: udp` proxy in front of a real dnsmasq, with real DNS clients: Node's `dns.Resolver` and `dig`
 * (via execFile). Clean answers through the proxy; `udp_drop` at toxicity 1 makes the client time out; a
 * `udp_truncate` reply is a malformed answer to the client; `udp_delay` shows in the client's timing; removal
 * restores clean answers.
 */
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyServer, type ProxyServer } from '../../../src/proxy/index.js';
import { requireSystem, which } from '../../support/system.js';
import { startDnsmasq, type Dnsmasq } from './dnsmasq.js';

const sys = requireSystem('dnsmasq', 'dig');

describe.skipIf(sys.skip)('udp proxy in front of dnsmasq', () => {
  let dnsmasq: Dnsmasq;
  let server: ProxyServer;
  let port: number;

  beforeAll(async () => {
    dnsmasq = await startDnsmasq({ 'api.test': ['10.1.2.3'] });
    server = await createProxyServer({ api: false, seed: 3 });
    const proxy = await server.createProxy({ name: 'dns', upstream: dnsmasq.address, protocol: 'udp' });
    port = Number(proxy.listen.split(':')[1]);
  });
  afterAll(async () => {
    await server?.close();
    await dnsmasq?.stop();
  });

  const resolve = async (): Promise<string> => {
    const resolver = new Resolver({ timeout: 300, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    try {
      return (await resolver.resolve4('api.test')).join(',');
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? 'error';
    }
  };
  const digShort = (): Promise<{ code: number; out: string }> =>
    new Promise((done) => {
      execFile(
        which('dig') ?? 'dig',
        ['@127.0.0.1', '-p', String(port), '+short', '+time=1', '+tries=1', 'api.test', 'A'],
        (err, stdout) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout.trim() }),
      );
    });

  it('answers through the proxy; drop, truncate and delay show in real clients; removal restores', async () => {
    expect(await resolve()).toBe('10.1.2.3');
    expect(await digShort()).toEqual({ code: 0, out: '10.1.2.3' });

    server.addToxic('dns', { name: 'drop', type: 'udp_drop', stream: 'upstream' });
    expect(await resolve()).toBe('ETIMEOUT');
    expect((await digShort()).code).toBe(9); // dig: no reply from server
    server.removeToxic('dns', 'drop');

    server.addToxic('dns', { name: 'cut', type: 'udp_truncate', stream: 'downstream', attributes: { bytes: 7 } });
    expect(await resolve()).toMatch(/^(EBADRESP|ETIMEOUT|EFORMERR)$/);
    server.removeToxic('dns', 'cut');

    server.addToxic('dns', { name: 'slow', type: 'udp_delay', stream: 'downstream', attributes: { delay: 150 } });
    const start = performance.now();
    expect(await resolve()).toBe('10.1.2.3');
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    server.removeToxic('dns', 'slow');

    expect(await resolve()).toBe('10.1.2.3');
    expect(await digShort()).toEqual({ code: 0, out: '10.1.2.3' });
  });
});
