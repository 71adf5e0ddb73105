/** The control API over real HTTP, against a real server answering from rules (no upstream needed). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsQuery } from './client.js';
import { createDnsServer, type DnsServer } from './server.js';

describe('DNS control API', () => {
  let server: DnsServer;
  let api: string;
  let dns: string;

  beforeAll(async () => {
    server = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: '127.0.0.1:9',
      api: '127.0.0.1:0',
      seed: 3,
      upstreamTimeoutMs: 200,
    });
    const addr = await server.start();
    api = addr.api as string;
    dns = `${addr.dns.host}:${addr.dns.port}`;
  });
  afterAll(() => server.close());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(api + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { details: string[] } & { id: string }[],
    };
  };

  it('adds, lists, counts hits of and removes rules', async () => {
    const added = await call('POST', '/rules', { id: 'gone', name: 'gone.test', action: 'nxdomain' });
    expect(added).toMatchObject({ status: 201, body: { id: 'gone', action: { type: 'nxdomain' }, hits: 0 } });
    expect((await dnsQuery({ server: dns, name: 'gone.test' })).rcode).toBe('NXDOMAIN');
    expect((await dnsQuery({ server: dns, name: 'gone.test', transport: 'tcp' })).rcode).toBe('NXDOMAIN');
    expect((await call('GET', '/rules/gone')).body).toMatchObject({ matched: 2, hits: 2 });
    expect((await call('GET', '/rules')).body.map((r: { id: string }) => r.id)).toEqual(['gone']);
    expect((await call('DELETE', '/rules/gone')).status).toBe(204);
    expect((await call('DELETE', '/rules/gone')).status).toBe(404);
    expect((await dnsQuery({ server: dns, name: 'gone.test' })).rcode).toBe('SERVFAIL');
  });

  it('upserts with PUT, refuses duplicate ids with POST and clears everything with DELETE /rules', async () => {
    expect(
      (await call('PUT', '/rules/spoof', { action: { type: 'answer', records: [{ type: 'A', data: '127.1.2.3' }] } }))
        .status,
    ).toBe(200);
    expect((await call('PUT', '/rules/spoof', { action: 'refused' })).body).toMatchObject({
      id: 'spoof',
      action: { type: 'refused' },
    });
    expect((await call('POST', '/rules', { id: 'spoof', action: 'drop' })).status).toBe(409);
    expect((await dnsQuery({ server: dns, name: 'any.test' })).rcode).toBe('REFUSED');
    expect((await call('DELETE', '/rules')).status).toBe(204);
    expect((await call('GET', '/rules')).body).toEqual([]);
  });

  it('answers bad input with 400 and a Toxiproxy-style error naming the field', async () => {
    const bad = await call('POST', '/rules', { action: { type: 'delay', ms: -5 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 400, code: 'TURB_ERR_FAULT_INVALID_PARAMS' });
    expect(bad.body.details.join('\n')).toMatch(/action\.ms/);
    expect((await call('POST', '/rules', '{not json')).status).toBe(400);
    expect((await call('GET', '/nowhere')).status).toBe(404);
  });

  it('reports health and counters', async () => {
    expect((await call('GET', '/health')).body).toMatchObject({ status: 'ok', upstream: '127.0.0.1:9', seed: 3 });
    const stats = (await call('GET', '/stats')).body;
    expect(stats).toMatchObject({
      queries: 4,
      answered: 4,
      dropped: 0,
      byRcode: { NXDOMAIN: 2, SERVFAIL: 1, REFUSED: 1 },
    });
  });

  it('will not listen beyond loopback without a token, and checks the token when set', async () => {
    const open = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:9', api: '0.0.0.0:0' });
    await expect(open.start()).rejects.toThrow(/only with a token/);
    const locked = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: '127.0.0.1:9',
      api: '127.0.0.1:0',
      apiToken: 's3cret',
    });
    const { api: url } = await locked.start();
    try {
      expect((await fetch(`${url}/rules`)).status).toBe(401);
      expect((await fetch(`${url}/rules`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});
