/**
 * `proxy.toxic` with an HTTP toxic (http_status on an http proxy) under the shared driver contract, observed
 * through real requests; and experiment-time validation of HTTP toxic attributes.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { toxicParams } from '../../src/faults/proxy/schema.js';
import { parseParams } from '../../src/faults/registry.js';
import { createProxyServer } from '../../src/proxy/index.js';
import { driverContract } from '../support/driver-contract.js';
import { cleanup } from './helpers.js';
import { upstreamHttp } from './http-support.js';

driverContract({
  kind: 'proxy.toxic',
  async setup() {
    const upstream = await upstreamHttp();
    const server = await createProxyServer({ port: 0, seed: 1 });
    const proxy = await server.createProxy({ name: 'web', upstream: `127.0.0.1:${upstream.port}`, protocol: 'http' });
    const status = async (path: string) => (await request(`http://${proxy.listen}${path}`)).statusCode;
    return {
      query: { proxy: 'web', url: server.url },
      params: { type: 'http_status', attributes: { status: 503, path: '/api/*', headers: { 'Retry-After': '1' } } },
      inEffect: async () => (await status('/api/x')) === 503 && (await status('/other')) === 200,
      cleanup: async () => {
        await server.close();
        await upstream.close();
        await cleanup();
      },
    };
  },
});

describe('proxy.toxic params with HTTP toxics', () => {
  it('checks HTTP toxic attributes when the experiment is validated, naming the attribute', () => {
    const driver = { kind: 'proxy.toxic', params: toxicParams };
    let err: unknown;
    try {
      parseParams(driver, { type: 'http_status', attributes: { status: 42, path: '/(/' } });
    } catch (e) {
      err = e;
    }
    const text = JSON.stringify(err, Object.getOwnPropertyNames(err)) + String(err);
    expect(text).toMatch(/status must be an integer from 100 to 599/);
    expect(text).toMatch(/RE2/);
    expect(parseParams(driver, { type: 'http_delay', attributes: { delay: 100 } })).toBeDefined();
  });

  it('checks the attributes of every built-in toxic (gRPC, TLS, UDP, bytes) and lets other types through', () => {
    const driver = { kind: 'proxy.toxic', params: toxicParams };
    const refused = (params: Parameters<typeof parseParams>[1]): string => {
      try {
        parseParams(driver, params);
      } catch (e) {
        return JSON.stringify(e, Object.getOwnPropertyNames(e)) + String(e);
      }
      return '';
    };
    expect(refused({ type: 'grpc_status', attributes: { code: 'UNAVAILBLE' } })).toMatch(
      /did you mean \\?"UNAVAILABLE\\?"/,
    );
    expect(refused({ type: 'tls_version', attributes: { version: 'SSLv3' } })).toMatch(/TLSv1 or TLSv1.1/);
    expect(refused({ type: 'latency', attributes: { latency: 'slow' } })).toMatch(/latency must be an integer/);
    expect(refused({ type: 'grpc_delay', attributes: { delay: 50, method: 'SayHello' } })).toBe('');
    // A toxic type turbulence does not ship (a real Toxiproxy may have its own) is not second-guessed.
    expect(refused({ type: 'my_custom_toxic', attributes: { anything: 1 } })).toBe('');
  });
});
