/**
 * mTLS through proxies, with real Node TLS clients and an upstream that requires client certificates:
 *
 *   - a tcp proxy without `tls` passes the client's own handshake (and certificate) through, byte for byte;
 *   - a terminating proxy with `clientAuth: require` verifies the client's certificate against `clientCa`,
 *     presents its own `upstreamCert` to the upstream, and (http proxies, HTTP/1.1 and HTTP/2) passes the client's
 *     verified identity in `x-forwarded-client-cert` (a forged one from the client is dropped);
 *   - a client without a certificate, or with one from another CA, is refused.
 */
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { createServer as createHttpsServer, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../src/proxy/index.js';
import { issueLeaf, newAuthority, testCa, type KeyPair } from '../../src/proxy/tls/ca.js';
import { runCli } from '../support/cli.js';
import { cleanup, http, portOf, proxyServer } from './helpers.js';

const home = mkdtempSync(join(tmpdir(), 'tb-mtls-'));
process.env.TURBULENCE_HOME = home;

let api: ProxyClient;
let apiUrl: string;
let upstreamPort: number;
let closeUpstream: () => void;
let alice: KeyPair;
let mallory: KeyPair;
let proxyIdentity: KeyPair;
let clientCaPem: string;
let caPem: string;

beforeAll(async () => {
  const ca = await testCa();
  caPem = ca.cert;
  const clientCa = await newAuthority('client CA');
  clientCaPem = clientCa.cert;
  const upstreamCa = await newAuthority('upstream clients CA');
  alice = await issueLeaf(clientCa, { names: ['alice'], usage: 'client' });
  mallory = await issueLeaf(await newAuthority('other CA'), { names: ['mallory'], usage: 'client' });
  proxyIdentity = await issueLeaf(upstreamCa, { names: ['turbulence-proxy'], usage: 'client' });
  // The upstream: a certificate from the test CA, and it requires client certificates from upstreamCa.
  const serving = await issueLeaf(ca, { names: ['127.0.0.1', 'localhost'] });
  const up = createHttpsServer(
    { ...serving, ca: [upstreamCa.cert], requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(`${String(peer.subject?.CN)} ${String(req.headers['x-forwarded-client-cert'] ?? '-')}`);
    },
  );
  up.listen(0, '127.0.0.1');
  await once(up, 'listening');
  upstreamPort = (up.address() as { port: number }).port;
  closeUpstream = () => up.close();
  const server = await proxyServer({ seed: 3 });
  apiUrl = server.url;
  api = new ProxyClient(server.url);
});
afterAll(async () => {
  await cleanup();
  closeUpstream();
  rmSync(home, { recursive: true, force: true });
});

/** One HTTPS GET on a fresh connection with an optional client certificate: the body, or the error code. */
function get(port: number, cert?: KeyPair, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path: '/',
        agent: false,
        ca: caPem,
        headers,
        timeout: 4000,
        ...(cert ? { cert: cert.cert, key: cert.key } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
        res.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
    req.end();
  });
}

const hashOf = (pem: string) => new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();

describe('mTLS', () => {
  it('a tcp proxy without tls passes the client certificate through end to end', async () => {
    const p = await api.createProxy({ name: 'tcp', upstream: `127.0.0.1:${upstreamPort}` });
    expect(await get(portOf(p.listen), proxyIdentity)).toBe('turbulence-proxy -');
    expect(await get(portOf(p.listen))).toMatch(/^error /);
  });

  it('a terminating http proxy verifies clients, presents its own certificate upstream and forwards the identity', async () => {
    const p = await api.createProxy({
      name: 'mtls',
      upstream: `127.0.0.1:${upstreamPort}`,
      protocol: 'http',
      tls: {
        terminate: true,
        clientAuth: 'require',
        clientCa: clientCaPem,
        upstream: true,
        upstreamCert: proxyIdentity.cert,
        upstreamKey: proxyIdentity.key,
      },
    });
    expect(p.tls).toEqual({
      terminate: true,
      upstream: true,
      verifyUpstream: true,
      clientAuth: 'require',
      clientCa: 'custom',
      upstreamCert: 'custom',
    });
    const port = portOf(p.listen);
    const identity = `Hash=${hashOf(alice.cert)};Subject="CN=alice"`;
    expect(await get(port, alice)).toBe(`turbulence-proxy ${identity}`);
    // A forged header from the client is replaced by the verified identity.
    expect(await get(port, alice, { 'X-Forwarded-Client-Cert': 'Hash=forged' })).toBe(`turbulence-proxy ${identity}`);
    expect(await get(port)).toMatch(/^error /);
    expect(await get(port, mallory)).toMatch(/^error /);
    // HTTP/2 (ALPN h2) carries the same identity.
    const session = h2connect(`https://localhost:${port}`, { ca: caPem, cert: alice.cert, key: alice.key });
    session.on('error', () => {});
    try {
      const req = session.request({ ':path': '/' });
      req.setEncoding('utf8');
      let body = '';
      req.on('data', (d: string) => (body += d));
      await once(req, 'end');
      expect(body).toBe(`turbulence-proxy ${identity}`);
    } finally {
      session.destroy();
    }
  });

  it('`proxy create --tls-client-auth/--tls-client-ca/--tls-upstream-cert/--tls-upstream-key` from the CLI', async () => {
    const dir = mkdtempSync(join(home, 'pem-'));
    const [caFile, certFile, keyFile] = ['ca.pem', 'cert.pem', 'key.pem'].map((f) => join(dir, f)) as [
      string,
      string,
      string,
    ];
    writeFileSync(caFile, clientCaPem);
    writeFileSync(certFile, proxyIdentity.cert);
    writeFileSync(keyFile, proxyIdentity.key);
    const base = ['proxy', 'create', 'cli', '-l', '127.0.0.1:0', '-u', `127.0.0.1:${upstreamPort}`, '--url', apiUrl];
    const created = await runCli([
      ...base,
      '--protocol',
      'http',
      '--tls-terminate',
      '--tls-client-auth',
      'require',
      '--tls-client-ca',
      caFile,
      '--tls-upstream',
      '--tls-upstream-cert',
      certFile,
      '--tls-upstream-key',
      keyFile,
    ]);
    expect(created.code).toBe(0);
    const p = await api.get('cli');
    expect(p.tls).toMatchObject({ clientAuth: 'require', clientCa: 'custom', upstreamCert: 'custom' });
    expect(await get(portOf(p.listen), alice)).toMatch(/^turbulence-proxy Hash=/);
    const typo = await runCli([...base, '--tls-terminate', '--tls-client-auth', 'requir']);
    expect(typo.code).toBe(2);
    expect(typo.out).toMatch(/did you mean "require"/);
    const missing = await runCli([...base, '--tls-terminate', '--tls-client-ca', join(dir, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/--tls-client-ca .*nope\.pem: ENOENT/);
  });

  it('refuses bad mTLS options with 400, the field and the fix', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ terminate: true, clientAuth: 'maybe' }, /tls.clientAuth must be one of none, request, require/],
      [{ upstream: true, upstreamCert: proxyIdentity.cert }, /tls.upstreamCert given without tls.upstreamKey/],
      [{ upstream: true, clientAuth: 'require' }, /need \\?"terminate\\?": true/],
      [
        { terminate: true, upstreamCert: proxyIdentity.cert, upstreamKey: proxyIdentity.key },
        /need \\?"upstream\\?": true/,
      ],
    ];
    for (const [tls, message] of cases) {
      const res = await http(apiUrl, 'POST', '/proxies', { name: 'bad', upstream: '127.0.0.1:1', tls });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(message);
    }
  });
});
