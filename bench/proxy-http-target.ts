/**
 * A proxy under test for bench/proxy-http.ts, in its own process:
 *   tsx bench/proxy-http-target.ts <mode> <upstreamPort> [src]
 * (`src`: another checkout's `packages/turbulence/src` for the turbulence modes, as `--before=REF` extracts it)
 * Modes: node-http (a plain node:http reverse proxy with a keep-alive agent), turbulence-http (an http proxy with
 * one toxic that matches nothing), turbulence-tcp (a tcp proxy), node-tls (a plain node:tls terminator piping to
 * the upstream), turbulence-tls (a tcp proxy with tls.terminate), dgram-relay (a minimal dgram relay, one socket
 * per client), turbulence-udp (a udp proxy). Prints `{"port": N, "ca": PEM?}` once listening; exits when stdin
 * closes.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ProxyModule from '../packages/turbulence/src/proxy/index.js';
import { issueLeaf, testCa } from '../packages/turbulence/src/proxy/tls/ca.js';

const [mode = 'node-http', upstreamText = '0', src] = process.argv.slice(2);
const upstream = Number(upstreamText);
const { createProxyServer } = (await import(
  src ? pathToFileURL(join(src, 'proxy/index.js')).href : '../packages/turbulence/src/proxy/index.js'
)) as typeof ProxyModule;

async function start(): Promise<{ port: number; ca?: string }> {
  if (mode === 'node-http') {
    const agent = new Agent({ keepAlive: true });
    const server = createServer((req, res) => {
      const out = request(
        { host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers: req.headers, agent },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as { port: number }).port };
  }
  if (mode === 'node-tls') {
    const ca = await testCa();
    const leaf = await issueLeaf(ca, { names: ['localhost', '127.0.0.1'] });
    const server = createTlsServer(leaf, (socket) => {
      const up = connect({ host: '127.0.0.1', port: upstream });
      socket.on('error', () => up.destroy());
      up.on('error', () => socket.destroy());
      socket.pipe(up).pipe(socket);
    });
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as { port: number }).port, ca: ca.cert };
  }
  if (mode === 'dgram-relay') {
    const listener = createSocket('udp4');
    const sessions = new Map<string, ReturnType<typeof createSocket>>();
    listener.on('message', (msg, from) => {
      const key = `${from.address}|${from.port}`;
      let s = sessions.get(key);
      if (!s) {
        s = createSocket('udp4');
        s.on('message', (reply) => listener.send(reply, from.port, from.address));
        sessions.set(key, s);
      }
      s.send(msg, upstream, '127.0.0.1');
    });
    listener.bind(0, '127.0.0.1');
    await once(listener, 'listening');
    return { port: listener.address().port };
  }
  const protocol = mode === 'turbulence-http' ? 'http' : mode === 'turbulence-udp' ? 'udp' : 'tcp';
  const server = await createProxyServer({ seed: 1, api: false });
  const proxy = await server.createProxy({
    name: 'bench',
    upstream: `127.0.0.1:${upstream}`,
    protocol,
    ...(mode === 'turbulence-tls' ? { tls: { terminate: true } } : {}),
  });
  if (mode === 'turbulence-http') {
    server.addToxic('bench', { type: 'http_status', attributes: { status: 503, path: '/never/*' } });
  }
  const port = Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
  return mode === 'turbulence-tls' ? { port, ca: (await testCa()).cert } : { port };
}

void createNetServer; // (kept for symmetry with bench/proxy-target.ts)
const info = await start();
process.stdout.write(`${JSON.stringify(info)}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
