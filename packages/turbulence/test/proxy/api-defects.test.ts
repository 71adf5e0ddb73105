/**
 * Regression tests for the proxy API defects of issue 14 and the Toxiproxy fidelity fixes of issue 13 §4: a
 * malformed path escape, a populate of thousands of proxies, an oversized body on a keep-alive connection, a
 * proxy created without `listen`, unknown toxic attributes and the slicer's piece sizes.
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { MAX_POPULATE } from '../../src/proxy/collection.js';
import { cleanup, dial, echoServer, http, portOf, proxyServer, readBytes, tcpServer } from './helpers.js';

afterEach(cleanup);

/** Sends raw bytes on one connection and collects what comes back until `until` matches or 10 s pass. */
async function rawExchange(port: number, requests: string[], until: RegExp): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  let text = '';
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (until.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  for (const r of requests) socket.write(r);
  await done;
  socket.destroy();
  return text;
}

describe('proxy API defects (issue 14)', () => {
  it('answers a malformed % escape in any path segment with 400 and keeps serving', async () => {
    const server = await proxyServer();
    await http(server.url, 'POST', '/proxies', { name: 'a', upstream: '127.0.0.1:9' });
    for (const path of ['/proxies/%ZZ', '/proxies/a/toxics/%E0%A4%A', '/%ZZ', '/proxies/%/toxics']) {
      const res = await http(server.url, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.json).toMatchObject({ status: 400 });
    }
    expect((await http(server.url, 'DELETE', '/proxies/%ZZ')).status).toBe(400);
    expect((await http(server.url, 'GET', '/version')).status).toBe(200);
    expect((await http(server.url, 'GET', '/proxies/a')).status).toBe(200);
  });

  it('answers an oversized body with 413 and the same keep-alive connection serves the next request', async () => {
    const server = await proxyServer();
    const size = 4 * 1024 * 1024 + 1;
    const big = `POST /populate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`;
    const next = 'GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const start = performance.now();
    const text = await rawExchange(server.port, [big, ' '.repeat(size), next], /"version"/);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('request body too large');
    expect(text).toMatch(/HTTP\/1\.1 200 [^]*"version": ?"2\.12\.0"/);
    expect(performance.now() - start).toBeLessThan(4000);
  });

  it('keeps existing proxies moving data while it populates 2,000 proxies', { timeout: 120_000 }, async () => {
    const echo = await echoServer();
    const server = await proxyServer();
    const live = (await http(server.url, 'POST', '/proxies', { name: 'live', upstream: `127.0.0.1:${echo.port}` }))
      .json;
    const socket = await dial(portOf(live.listen));
    const entries = Array.from({ length: 2000 }, (_, i) => ({ name: `p${i}`, upstream: '127.0.0.1:9' }));
    let populating = true;
    const populate = http(server.url, 'POST', '/populate', entries).finally(() => (populating = false));
    let rounds = 0;
    let worst = 0;
    while (populating) {
      const reply = readBytes(socket, 4);
      socket.write('ping');
      const { ms } = await reply;
      worst = Math.max(worst, ms);
      rounds++;
    }
    const res = await populate;
    expect(res.status).toBe(201);
    expect(res.json.proxies).toHaveLength(2000);
    expect(rounds).toBeGreaterThan(5);
    // Before the fix one populate held the event loop for its whole run (14 s for 2,000 proxies).
    expect(worst).toBeLessThan(2000);
  });

  it(`refuses a populate of more than ${MAX_POPULATE} proxies with 413, creating nothing`, async () => {
    const server = await proxyServer();
    const entries = Array.from({ length: MAX_POPULATE + 1 }, (_, i) => ({ name: `p${i}`, upstream: 'x:1' }));
    const res = await http(server.url, 'POST', '/populate', entries);
    expect(res.status).toBe(413);
    expect(res.json.error).toMatch(new RegExp(`over the limit of ${MAX_POPULATE}`));
    expect((await http(server.url, 'GET', '/proxies')).json).toEqual({});
  });
});

describe('Toxiproxy fidelity (issue 13 §4)', () => {
  it("accepts bodiless writes as Toxiproxy's clients send them, with or without a content type", async () => {
    const server = await proxyServer();
    const node = await rawExchange(server.port, ['POST /reset HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], /\r\n\r\n/);
    expect(node).toMatch(/^HTTP\/1\.1 204 /);
    const ruby = await rawExchange(
      server.port,
      ['POST /reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n'],
      /\r\n\r\n/,
    );
    expect(ruby).toMatch(/^HTTP\/1\.1 204 /);
    const go = await rawExchange(
      server.port,
      ['POST /reset HTTP/1.1\r\nHost: localhost:8474\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n'],
      /\r\n\r\n/,
    );
    expect(go).toMatch(/^HTTP\/1\.1 204 /);
  });

  it('creates a proxy without listen on 127.0.0.1 (201), then answers 409 for the same name', async () => {
    const server = await proxyServer();
    const first = await http(server.url, 'POST', '/proxies', { name: 'nolisten', upstream: '127.0.0.1:9' });
    expect(first.status).toBe(201);
    expect(first.json.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(first.json.listen)).toBeGreaterThan(0);
    const again = await http(server.url, 'POST', '/proxies', { name: 'nolisten', upstream: '127.0.0.1:9' });
    expect([again.status, again.json.error]).toEqual([409, 'proxy already exists']);
  });

  it('refuses unknown toxic attributes with 400 naming them, on create and on update', async () => {
    const server = await proxyServer();
    await http(server.url, 'POST', '/proxies', { name: 'a', upstream: '127.0.0.1:9' });
    const bad = await http(server.url, 'POST', '/proxies/a/toxics', { type: 'latency', attributes: { latncy: 5 } });
    expect([bad.status, bad.json.error]).toEqual([
      400,
      'invalid attributes for latency toxic: unknown attribute latncy',
    ]);
    await http(server.url, 'POST', '/proxies/a/toxics', { name: 'l', type: 'latency', attributes: { latency: 5 } });
    const update = await http(server.url, 'PATCH', '/proxies/a/toxics/l', { attributes: { rate: 5 } });
    expect(update.status).toBe(400);
    expect((await http(server.url, 'GET', '/proxies/a/toxics/l')).json.attributes).toEqual({ latency: 5, jitter: 0 });
  });

  it('slicer: size_variation == average_size works, and no read is larger than average + variation', async () => {
    const payload = Buffer.from(Array.from({ length: 400 }, (_, i) => i % 251));
    const source = await tcpServer((s) => s.end(payload));
    const server = await proxyServer();
    const toxiproxy = new Toxiproxy(server.url);
    const proxy = await toxiproxy.createProxy({
      name: 's',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${source.port}`,
    });
    await proxy.addToxic({
      type: 'slicer',
      name: 'slicer_downstream',
      stream: 'downstream',
      toxicity: 1,
      attributes: { average_size: 10, size_variation: 10, delay: 1000 },
    });
    const equal = await http(server.url, 'GET', '/proxies/s/toxics/slicer_downstream');
    expect(equal.json.attributes).toEqual({ average_size: 10, size_variation: 10, delay: 1000 });
    await http(server.url, 'PATCH', '/proxies/s/toxics/slicer_downstream', {
      attributes: { average_size: 10, size_variation: 5, delay: 1000 },
    });
    const socket = await dial(portOf(proxy.listen));
    const reads: number[] = [];
    socket.on('data', (d: Buffer) => reads.push(d.length));
    const { data } = await readBytes(socket, payload.length);
    expect(data.equals(payload)).toBe(true);
    expect(Math.max(...reads)).toBeLessThanOrEqual(15);
    expect(reads.length).toBeGreaterThanOrEqual(400 / 15);
  });
});
