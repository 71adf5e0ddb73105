/** The `dns` provider against a real chaos DNS server answering from rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { createDnsServer, type DnsServer } from '../dns/server.js';
import { dnsProvider } from './dns.js';
import type { ProviderContext } from './types.js';

const ctx = (): ProviderContext => ({
  configuration: {},
  secrets: {},
  signal: new AbortController().signal,
  baseDir: process.cwd(),
  rng: new Rng(1),
  strict: false,
});

describe('dns provider', () => {
  let server: DnsServer;
  let at: string;

  beforeAll(async () => {
    server = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: '127.0.0.1:9',
      upstreamTimeoutMs: 200,
      rules: [
        { name: 'svc.test', action: { type: 'answer', records: [{ type: 'A', data: '127.0.0.7', ttl: 9 }] } },
        { name: 'svc.test', action: 'truncate' },
        { name: 'gone.test', action: 'drop' },
      ],
    });
    const { dns } = await server.start();
    at = `${dns.host}:${dns.port}`;
  });
  afterAll(() => server.close());

  it('reports answers, rcode, the TC bit and latency', async () => {
    const udp = await dnsProvider.run({ type: 'dns', server: at, name: 'svc.test', transport: 'udp' }, ctx());
    expect(udp).toMatchObject({ rcode: 'NOERROR', tc: true, transport: 'udp', addresses: [] });
    const auto = await dnsProvider.run({ type: 'dns', server: at, name: 'svc.test' }, ctx());
    expect(auto).toMatchObject({ rcode: 'NOERROR', tc: true, transport: 'tcp', addresses: ['127.0.0.7'] });
    expect(auto).toMatchObject({ answers: [{ name: 'svc.test', type: 'A', ttl: 9, data: '127.0.0.7' }] });
    expect((auto as { latency_ms: number }).latency_ms).toBeGreaterThan(0);
  });

  it('fails the activity when no answer comes in time', async () => {
    await expect(
      dnsProvider.run({ type: 'dns', server: at, name: 'gone.test', timeout: 0.2, transport: 'udp' }, ctx()),
    ).rejects.toMatchObject({
      code: 'TURB_ERR_ACTIVITY_FAILED',
      message: expect.stringMatching(/gone\.test.*within 200 ms/),
    });
  });

  it('validates its object and describes itself', () => {
    expect(dnsProvider.schema.safeParse({ type: 'dns', server: at, name: 'x', transport: 'quic' }).success).toBe(false);
    expect(dnsProvider.describe!({ type: 'dns', server: at, name: 'svc.test' })).toBe(
      `dns A svc.test via ${at} (auto)`,
    );
  });
});
