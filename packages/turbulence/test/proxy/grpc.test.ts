/**
 * gRPC through `protocol: http` proxies with a real `@grpc/grpc-js` client and server (h2c, and h2 over TLS by
 * ALPN): calls pass through untouched (unary and streaming, status in trailers), and the gRPC toxics follow the
 * toxic contract: defaults, toxicity 0 → no effect and 1 → the effect on a real call, service/method/metadata
 * matching, live removal on the same channel, seeded replay, and 400s for bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient, type ProxyServer } from '../../src/proxy/index.js';
import { testCa } from '../../src/proxy/tls/ca.js';
import { builtinToxics } from '../../src/proxy/toxics/index.js';
import { cleanup, proxyServer } from './helpers.js';

const home = mkdtempSync(join(tmpdir(), 'tb-grpc-'));
process.env.TURBULENCE_HOME = home;

const PROTO = fileURLToPath(new URL('../../../../examples/proxy/greeter.proto', import.meta.url));
const definition = grpc.loadPackageDefinition(loader.loadSync(PROTO, { keepCase: true }));
const Greeter = (definition.turbulence as grpc.GrpcObject).test as grpc.GrpcObject;
const GreeterClient = (Greeter.Greeter as grpc.ServiceClientConstructor) ?? undefined;

type Reply = { message: string };
interface Outcome {
  code: number;
  details: string;
  message?: string;
  ms: number;
}

let upstream: grpc.Server;
let upstreamPort: number;
let server: ProxyServer;
let api: ProxyClient;
let client: grpc.Client;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  upstream = new grpc.Server();
  upstream.addService(GreeterClient.service, {
    SayHello: (call: grpc.ServerUnaryCall<{ name: string }, Reply>, done: grpc.sendUnaryData<Reply>) =>
      done(null, { message: `hello ${call.request.name}` }),
    SayBye: (call: grpc.ServerUnaryCall<{ name: string }, Reply>, done: grpc.sendUnaryData<Reply>) =>
      done(null, { message: `bye ${call.request.name}` }),
    Count: (call: grpc.ServerWritableStream<{ name: string }, Reply>) => {
      for (let i = 1; i <= 3; i++) call.write({ message: `${call.request.name} ${i}` });
      call.end();
    },
  });
  upstreamPort = await new Promise<number>((resolve, reject) =>
    upstream.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  server = await proxyServer({ seed: 9 });
  api = new ProxyClient(server.url);
  const proxy = await api.createProxy({ name: 'grpc', upstream: `127.0.0.1:${upstreamPort}`, protocol: 'http' });
  client = channel(proxy.listen);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await cleanup();
  upstream.forceShutdown();
  rmSync(home, { recursive: true, force: true });
});

function channel(target: string, credentials = grpc.credentials.createInsecure(), options = {}): grpc.Client {
  const c = new GreeterClient(target, credentials, options);
  clients.push(c);
  return c;
}

/** One unary call, never throwing: status code, details, the reply's message and the time it took. */
function call(
  on: grpc.Client,
  method: 'SayHello' | 'SayBye',
  name = 'ada',
  metadata = new grpc.Metadata(),
): Promise<Outcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    const fn = (on as unknown as Record<string, unknown>)[method] as (
      req: { name: string },
      md: grpc.Metadata,
      opts: grpc.CallOptions,
      cb: (err: grpc.ServiceError | null, reply?: Reply) => void,
    ) => void;
    fn.call(on, { name }, metadata, { deadline: Date.now() + 5000 }, (err, reply) => {
      const ms = performance.now() - start;
      if (err) resolve({ code: err.code, details: err.details, ms });
      else resolve({ code: 0, details: '', message: reply?.message, ms });
    });
  });
}

function stream(on: grpc.Client): Promise<{ code: number; messages: string[] }> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    const s = (on as unknown as { Count(req: { name: string }): grpc.ClientReadableStream<Reply> }).Count({
      name: 'n',
    });
    s.on('data', (r: Reply) => messages.push(r.message));
    s.on('error', (err: grpc.ServiceError) => resolve({ code: err.code, messages }));
    s.on('status', (st: grpc.StatusObject) => st.code === grpc.status.OK && resolve({ code: 0, messages }));
  });
}

interface GrpcCase {
  defaults: Record<string, unknown>;
  effect: Record<string, unknown>;
  fired: (o: Outcome) => boolean;
}

const MATCH = { service: '', method: '', header: '' };
const CASES: Record<string, GrpcCase> = {
  grpc_status: {
    defaults: { code: 14, message: '', ...MATCH },
    effect: { code: 'UNAVAILABLE', message: 'down for maintenance ü' },
    fired: (o) => o.code === Number(grpc.status.UNAVAILABLE) && o.details === 'down for maintenance ü',
  },
  grpc_delay: {
    defaults: { delay: 0, jitter: 0, ...MATCH },
    // Long enough that an undelayed call on a loaded machine is never mistaken for a delayed one.
    effect: { delay: 1000 },
    fired: (o) => o.code === Number(grpc.status.OK) && o.ms >= 950,
  },
};

describe('gRPC through an http proxy', () => {
  it('passes unary and streaming calls through untouched, status in the trailers', async () => {
    expect(await call(client, 'SayHello')).toMatchObject({ code: 0, message: 'hello ada' });
    expect(await stream(client)).toEqual({ code: 0, messages: ['n 1', 'n 2', 'n 3'] });
  });

  it('grpc_status UNAVAILABLE on one method only; removing it restores the method on the same channel', async () => {
    await api.addToxic('grpc', {
      name: 'down',
      type: 'grpc_status',
      attributes: { code: 14, message: 'no', service: 'turbulence.test.Greeter', method: 'SayHello' },
    });
    expect(await call(client, 'SayHello')).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'no' });
    expect(await call(client, 'SayBye')).toMatchObject({ code: 0, message: 'bye ada' });
    expect((await stream(client)).code).toBe(0);
    await api.removeToxic('grpc', 'down');
    expect(await call(client, 'SayHello')).toMatchObject({ code: 0, message: 'hello ada' });
  });

  it('refuses bad input with a 400 that names the attribute and the fix', async () => {
    await expect(
      api.addToxic('grpc', { name: 'x', type: 'grpc_status', attributes: { code: 'UNAVAILBLE' } }),
    ).rejects.toThrow(/code "UNAVAILBLE" is not a gRPC status code: did you mean "UNAVAILABLE"\?/);
    await expect(api.addToxic('grpc', { name: 'x', type: 'grpc_status', attributes: { code: 17 } })).rejects.toThrow(
      /code must be a gRPC status code 0-16/,
    );
    await expect(
      api.addToxic('grpc', { name: 'x', type: 'grpc_delay', attributes: { service: '/(unclosed/' } }),
    ).rejects.toThrow(/service: .*not a valid RE2/);
    await api.createProxy({ name: 'tcp', upstream: `127.0.0.1:${upstreamPort}` });
    await expect(api.addToxic('tcp', { type: 'grpc_status' })).rejects.toThrow(/needs a proxy with protocol http/);
    await api.deleteProxy('tcp');
    expect(await api.toxics('grpc')).toEqual([]);
  });

  it('works over TLS with ALPN h2 (proxy terminates, upstream h2c)', async () => {
    const ca = await testCa();
    const p = await api.createProxy({
      name: 'grpcs',
      upstream: `127.0.0.1:${upstreamPort}`,
      protocol: 'http',
      tls: { terminate: true },
    });
    const port = p.listen.slice(p.listen.lastIndexOf(':') + 1);
    const secure = channel(`localhost:${port}`, grpc.credentials.createSsl(Buffer.from(ca.cert)));
    expect(await call(secure, 'SayBye')).toMatchObject({ code: 0, message: 'bye ada' });
    await api.addToxic('grpcs', { name: 's', type: 'grpc_status', attributes: { code: 'PERMISSION_DENIED' } });
    expect((await call(secure, 'SayBye')).code).toBe(grpc.status.PERMISSION_DENIED);
    await api.deleteProxy('grpcs');
  });
});

describe('gRPC toxic contract', () => {
  it('has a case for every registered gRPC toxic', () => {
    expect(Object.keys(CASES).sort()).toEqual(
      builtinToxics
        .filter((t) => t.type.startsWith('grpc_'))
        .map((t) => t.type)
        .sort(),
    );
  });

  describe.each(Object.entries(CASES))('%s', (type, c) => {
    const add = (name: string, toxicity: number, extra: Record<string, unknown> = {}) =>
      api.addToxic('grpc', { name, type, toxicity, attributes: { ...c.effect, ...extra } });

    it('fills in its defaults', async () => {
      const t = await api.addToxic('grpc', { name: 'd', type, attributes: {} });
      await api.removeToxic('grpc', 'd');
      expect(t.attributes).toEqual(c.defaults);
    });

    it('toxicity 0 has no effect, 1 shows on a real call, and removal is live on the same channel', async () => {
      expect(c.fired(await call(client, 'SayHello'))).toBe(false);
      await add('t', 0);
      expect(c.fired(await call(client, 'SayHello'))).toBe(false);
      await api.updateToxic('grpc', 't', { toxicity: 1 });
      expect(c.fired(await call(client, 'SayHello'))).toBe(true);
      await api.removeToxic('grpc', 't');
      expect(c.fired(await call(client, 'SayHello'))).toBe(false);
    });

    it('applies only to the calls its service, method and metadata select', async () => {
      await add('m', 1, { service: 'turbulence.*', method: '/^Say(Hello|Hi)$/', header: 'x-tenant: blue*' });
      const md = (tenant: string) => {
        const m = new grpc.Metadata();
        m.set('x-tenant', tenant);
        return m;
      };
      try {
        expect(c.fired(await call(client, 'SayHello', 'a', md('blue-7')))).toBe(true);
        expect(c.fired(await call(client, 'SayHello', 'a', md('red')))).toBe(false);
        expect(c.fired(await call(client, 'SayBye', 'a', md('blue')))).toBe(false);
      } finally {
        await api.removeToxic('grpc', 'm');
      }
    });

    it('replays its per-call choices from the seed', async () => {
      const draws = async (seed: number) => {
        const own = await proxyServer({ seed });
        const ownApi = new ProxyClient(own.url);
        const p = await ownApi.createProxy({ name: 'r', upstream: `127.0.0.1:${upstreamPort}`, protocol: 'http' });
        await ownApi.addToxic('r', { name: 'x', type, toxicity: 0.5, attributes: { ...c.effect, method: 'None' } });
        const ch = channel(p.listen);
        for (let i = 0; i < 6; i++) await call(ch, 'SayBye');
        const [conn] = (await ownApi.connections('r')) as unknown as { requests: { toxics: { draw: number }[] }[] }[];
        ch.close();
        return conn?.requests.map((r) => r.toxics[0]?.draw);
      };
      const first = await draws(5);
      expect(first).toHaveLength(6);
      expect(await draws(5)).toEqual(first);
      expect(await draws(6)).not.toEqual(first);
    });
  });
});
