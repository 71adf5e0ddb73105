/**
 * Fuzzing the HTTP control APIs with fast-check (fixed seed, bounded runs: seconds, and the same cases every
 * time): random methods, paths (with stray `%`, unicode, dots, empty segments), content types and bodies (JSON
 * values, proxy/toxic/rule-shaped objects with random fields, garbage text) against the proxy API, the DNS control
 * API and the failpoint endpoint. Every request must get an answer within 5 s, never a 5xx (except the proxy's
 * documented Toxiproxy bind/resolve errors, which are 500 with `listen tcp ...`), every error as `{error, status}`,
 * and the server must still answer afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ControlServer } from '../../../failpoints/src/server.js';
import { createDnsServer, type DnsServer } from '../../src/dns/server.js';
import { createProxyServer, type ProxyServer } from '../../src/proxy/server.js';
import { send } from '../support/control-auth-cases.js';

const SEED = 20261207;
const RUNS = 300;
const UA = { 'User-Agent': 'fuzz' };

const segment = fc.oneof(
  fc.constantFrom('proxies', 'toxics', 'rules', 'failpoints', 'populate', 'reset', 'version', 'stats', 'health'),
  fc.constantFrom('%', '%Z', '%ZZ', '%E0%A4%A', '%00', '%2F', '%25', '..', '.', '', 'x y', '%FF%FE', 'é', '😀'),
  fc.string({ unit: fc.constantFrom(...'ab-_.%~09AZ:@!$&()*+,;='.split('')), maxLength: 12 }),
);
const randomPath = fc
  .array(segment, { minLength: 1, maxLength: 5 })
  .map((parts) => `/${parts.join('/')}`.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)));
/** The real routes (with a live proxy named `p`), so bodies reach the handlers rather than the 404. */
const realPath = fc.constantFrom(
  '/proxies',
  '/proxies/p',
  '/proxies/p/toxics',
  '/proxies/p/toxics/latency_downstream',
  '/proxies/p/connections',
  '/populate',
  '/reset',
  '/version',
  '/rules',
  '/rules/r1',
  '/stats',
  '/cache',
  '/failpoints',
  '/failpoints/f1',
  '/rules/f1',
);
const path = fc.oneof(realPath, randomPath);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
const contentType = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'text/plain',
  undefined,
);
/** Listen values that can only bind loopback (a fuzzer must not open ports on other interfaces). */
const listen = fc.oneof(
  fc.constantFrom('127.0.0.1:0', 'localhost:0', '', '127.0.0.1', ':', '127.0.0.1:99999', '[::1]:x'),
  fc.string({ maxLength: 12 }).filter((s) => !/:\d+$/.test(s)),
);
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(null));
const proxyBody = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 8 }), anyValue),
    listen,
    upstream: fc.string({ maxLength: 12 }),
    enabled: anyValue,
  },
  { requiredKeys: [] },
);
const toxicBody = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 8 }), anyValue),
    type: fc.oneof(
      fc.constantFrom('latency', 'bandwidth', 'slicer', 'timeout', 'limit_data', 'down', 'noop'),
      anyValue,
    ),
    stream: fc.oneof(fc.constantFrom('upstream', 'downstream', 'UPSTREAM', ''), anyValue),
    toxicity: fc.oneof(fc.double(), anyValue),
    attributes: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.integer(), fc.double(), anyValue)),
      anyValue,
    ),
  },
  { requiredKeys: [] },
);
const ruleBody = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 8 }), anyValue),
    name: fc.oneof(fc.constantFrom('a.test', '*.test', '/^x/', ''), anyValue),
    action: fc.oneof(
      fc.constantFrom('nxdomain', 'drop', 'refused', 'truncate', 'delay(10)', 'ttl(1)', 'bogus(1'),
      anyValue,
    ),
    probability: fc.oneof(fc.double(), anyValue),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  anyValue.map((v) => JSON.stringify(v)),
  proxyBody.map((v) => JSON.stringify(v)),
  fc.array(proxyBody, { maxLength: 3 }).map((v) => JSON.stringify(v)),
  toxicBody.map((v) => JSON.stringify(v)),
  ruleBody.map((v) => JSON.stringify(v)),
  fc.record({ actions: fc.oneof(fc.string({ maxLength: 20 }), anyValue) }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
  fc.constant(''),
);
const request = fc.record({ method, path, contentType, body: fc.option(body, { nil: undefined }) });

interface Api {
  url: string;
  alive: string;
  /** A 5xx the API documents (Toxiproxy's raw bind errors); anything else is a failure. */
  allowed5xx?: (status: number, text: string) => boolean;
}

async function hammer(api: Api): Promise<void> {
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string> = { ...UA };
      if (r.contentType) headers['Content-Type'] = r.contentType;
      const sendBody = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body;
      const res = await send(api.url, r.method, r.path, headers, sendBody);
      if (res.status >= 500)
        expect(api.allowed5xx?.(res.status, res.text), `${r.method} ${r.path} → ${res.text}`).toBe(true);
      if (res.status >= 400 && res.text.startsWith('{')) {
        expect(JSON.parse(res.text)).toMatchObject({ error: expect.any(String), status: res.status });
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  expect((await send(api.url, 'GET', api.alive, UA)).status).toBe(200);
}

describe('fuzzing the control APIs (fixed seed, bounded budget)', () => {
  let proxy: ProxyServer;
  let dns: DnsServer;
  let failpoints: ControlServer;
  let dnsApi: string;

  beforeAll(async () => {
    proxy = await createProxyServer({ port: 0, seed: 1 });
    await proxy.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    await proxy.createProxy({ name: 'proxies', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    dns = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:9', api: '127.0.0.1:0', seed: 1 });
    dnsApi = (await dns.start()).api as string;
    failpoints = await serve({ address: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await proxy?.close();
    await dns?.close();
    await failpoints?.close();
  });

  it('proxy API: no crash, no undocumented 5xx, no hang', { timeout: 120_000 }, async () => {
    await hammer({
      url: proxy.url,
      alive: '/version',
      allowed5xx: (status, text) => status === 500 && /"error":"listen tcp/.test(text),
    });
  });

  it('DNS control API: no crash, no 5xx, no hang', { timeout: 120_000 }, async () => {
    await hammer({ url: dnsApi, alive: '/health' });
  });

  it(
    'failpoint endpoint: no crash, no 5xx except 501 for rules without the hook, no hang',
    { timeout: 120_000 },
    async () => {
      await hammer({ url: failpoints.address, alive: '/health', allowed5xx: (status) => status === 501 });
    },
  );
});
