/**
 * TLS on proxies with real clients: Node's `https`/`tls` (error codes) and `curl` (exit codes and messages).
 * The test CA lives in a temporary TURBULENCE_HOME. Covers termination (http and tcp proxies), re-origination
 * to a TLS upstream (verified or not), every TLS toxic as a real failure and a clean handshake once removed,
 * the CA file modes, and bad input.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient, type ProxyServer } from '../../src/proxy/index.js';
import { issueLeaf, newAuthority, testCa, type Authority } from '../../src/proxy/tls/ca.js';
import { builtinToxics } from '../../src/proxy/toxics/index.js';
import { runCli } from '../support/cli.js';
import { cleanup, echoServer, http, portOf, proxyServer } from './helpers.js';

const home = mkdtempSync(join(tmpdir(), 'tb-tls-'));
process.env.TURBULENCE_HOME = home;

let server: ProxyServer;
let api: ProxyClient;
let ca: Authority;
let port: number;
let upstreamClose: () => void;

beforeAll(async () => {
  const up = createServer((_req, res) => res.end('hello'));
  up.listen(0, '127.0.0.1');
  await once(up, 'listening');
  upstreamClose = () => up.close();
  server = await proxyServer({ seed: 5 });
  api = new ProxyClient(server.url);
  const upPort = (up.address() as { port: number }).port;
  const proxy = await api.createProxy({
    name: 'web',
    upstream: `127.0.0.1:${upPort}`,
    protocol: 'http',
    tls: { terminate: true },
  });
  port = portOf(proxy.listen);
  ca = await testCa();
});
afterAll(async () => {
  await cleanup();
  upstreamClose();
  rmSync(home, { recursive: true, force: true });
});

/** One HTTPS GET with Node (a fresh connection each time): `200 hello` or the error code. */
function nodeGet(): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      { agent: false, host: '127.0.0.1', servername: 'localhost', port, path: '/', ca: ca.cert, timeout: 3000 },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

/** The same with curl: its exit code and the first line of its output. */
function curlGet(): Promise<{ code: number; text: string }> {
  const caFile = join(home, 'proxy-ca', 'ca.pem');
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '--max-time', '5', '--cacert', caFile, `https://localhost:${port}/`],
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, text: `${stdout}${stderr}`.split('\n')[0] ?? '' });
      },
    );
  });
}

describe('tls', () => {
  it('terminates with a certificate from the persisted test CA (key 0600, dir 0700)', async () => {
    expect(await nodeGet()).toBe('200 hello');
    expect(await curlGet()).toEqual({ code: 0, text: 'hello' });
    expect(statSync(join(home, 'proxy-ca', 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'proxy-ca')).mode & 0o777).toBe(0o700);
    expect((await api.get('web')).tls).toEqual({ terminate: true, upstream: false, verifyUpstream: true });
  });

  const faults: [string, Record<string, number>, RegExp, number, RegExp][] = [
    ['tls_expired', {}, /^CERT_HAS_EXPIRED$/, 60, /certificate has expired/],
    ['tls_wrong_host', {}, /^ERR_TLS_CERT_ALTNAME_INVALID$/, 60, /no alternative certificate subject name/],
    ['tls_untrusted', {}, /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$/, 60, /unable to get local issuer certificate/],
    ['tls_reset_handshake', {}, /^ECONNRESET$/, 35, /reset by peer/i],
    ['tls_version', {}, /^EPROTO$/, 35, /SSL/],
    ['tls_handshake_timeout', { timeout: 300 }, /^ECONNRESET$/, 35, /SSL/],
  ];
  it('has a case for every registered TLS toxic (the TLS toxic contract)', () => {
    const registered = builtinToxics.filter((t) => t.protocol === 'tls').map((t) => t.type);
    expect(faults.map(([type]) => type).sort()).toEqual(registered.sort());
  });

  it.each(faults)(
    '%s: a real TLS failure for Node and curl; a clean handshake once removed',
    async (type, attributes, node, curlCode, curlText) => {
      await api.addToxic('web', { name: 'f', type, attributes });
      expect(await nodeGet()).toMatch(node);
      const curl = await curlGet();
      expect(curl.code).toBe(curlCode);
      expect(curl.text).toMatch(curlText);
      await api.removeToxic('web', 'f');
      expect(await nodeGet()).toBe('200 hello');
      expect(await server.metrics.metrics()).toMatch(
        /turbulence_proxy_tls_faults_total\{proxy="web",toxic="f"\} [1-9]/,
      );
    },
  );

  it('terminates on a tcp proxy too, and re-originates TLS upstream, verified by default', async () => {
    const echo = await echoServer();
    const tcp = await api.createProxy({ name: 'tcp', upstream: `127.0.0.1:${echo.port}`, tls: { terminate: true } });
    const socket = tlsConnect({ host: '127.0.0.1', servername: 'localhost', port: portOf(tcp.listen), ca: ca.cert });
    await once(socket, 'secureConnect');
    socket.write('ping');
    const [data] = (await once(socket, 'data')) as [Buffer];
    expect(data.toString()).toBe('ping');
    socket.destroy();

    const trusted = await issueLeaf(ca, { names: ['localhost', '127.0.0.1'] });
    const stranger = await issueLeaf(await newAuthority('stranger'), { names: ['localhost', '127.0.0.1'] });
    const tlsEcho = async (pair: { cert: string; key: string }) => {
      const s = createTlsServer(pair, (c) => {
        c.on('error', () => {});
        c.pipe(c);
      });
      s.on('tlsClientError', () => {});
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
      return s;
    };
    const good = await tlsEcho(trusted);
    const bad = await tlsEcho(stranger);
    const roundTrip = async (name: string, upstreamPort: number, verify: boolean) => {
      const p = await api.createProxy({
        name,
        upstream: `127.0.0.1:${upstreamPort}`,
        tls: { upstream: true, verifyUpstream: verify },
      });
      const { connect } = await import('node:net');
      const c = connect({ host: '127.0.0.1', port: portOf(p.listen) });
      c.on('error', () => {});
      c.write('x');
      const got = await new Promise<string>((resolve) => {
        c.once('data', (d: Buffer) => resolve(d.toString()));
        c.once('close', () => resolve('closed'));
      });
      c.destroy();
      return got;
    };
    expect(await roundTrip('up-good', (good.address() as { port: number }).port, true)).toBe('x');
    expect(await roundTrip('up-bad', (bad.address() as { port: number }).port, true)).toBe('closed');
    expect(await roundTrip('up-bad-noverify', (bad.address() as { port: number }).port, false)).toBe('x');
    good.close();
    bad.close();
  });

  it('`turbulence proxy ca --out FILE` writes the same CA; `proxy create --tls-terminate` makes a TLS proxy', async () => {
    const out = join(home, 'exported.pem');
    const env = { ...process.env, TURBULENCE_HOME: home };
    const written = await runCli(['proxy', 'ca', '--out', out], { env });
    expect(written.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(out, 'utf8').trim()).toBe(ca.cert.trim());
    const created = await runCli(
      ['proxy', 'create', 'cli-tls', '-l', '127.0.0.1:0', '-u', '127.0.0.1:1', '--tls-terminate', '--url', server.url],
      { env },
    );
    expect(created.code).toBe(0);
    expect((await api.get('cli-tls')).tls).toEqual({ terminate: true, upstream: false, verifyUpstream: true });
    const bad = await runCli(
      ['proxy', 'toxic', 'add', 'web', '-t', 'tls_version', '-a', 'version=SSLv3', '--url', server.url],
      { env },
    );
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/version must be TLSv1 or TLSv1\.1/);
  });

  it('refuses bad TLS input with 400, the field and the fix', async () => {
    const cases: [unknown, RegExp][] = [
      [{ terminate: true, cert: ca.cert }, /tls\.cert given without tls\.key.*fix/],
      [{}, /tls needs "terminate": true/],
      [{ terminate: 'yes' }, /tls\.terminate must be true or false/],
      [{ terminate: true, certificate: 'x' }, /tls\.certificate is not a TLS option/],
    ];
    for (const [tls, message] of cases) {
      const res = await http(server.url, 'POST', '/proxies', { name: 'bad', upstream: '127.0.0.1:1', tls });
      expect([res.status, res.json.error]).toEqual([400, expect.stringMatching(message)]);
    }
    await api.createProxy({ name: 'plain', upstream: '127.0.0.1:1' });
    const res = await http(server.url, 'POST', '/proxies/plain/toxics', { type: 'tls_expired' });
    expect([res.status, res.json.error]).toEqual([
      400,
      expect.stringMatching(/terminates TLS.*"tls": \{"terminate": true\}/),
    ]);
    expect((await api.list()).bad).toBeUndefined();
  });
});
