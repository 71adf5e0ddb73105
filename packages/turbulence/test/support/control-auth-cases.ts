/**
 * The auth and origin cases every control API must pass, written once: the proxy API and the DNS control API
 * (both on `src/control/`) and the zero-dependency failpoint endpoint run this same table
 * (`test/control/auth.test.ts`). Requests go through `node:http` so every header, Host included, is exactly what
 * the case says.
 */
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';

/** A running API under test. */
export interface RunningApi {
  /** Base URL, `http://127.0.0.1:PORT`. */
  url: string;
  close(): Promise<void>;
}

/** How to drive one control API through the table. */
export interface AuthTarget {
  /** Starts the API on `host`, port 0; must reject when the bind needs a token and has none. */
  start(options: { host: string; token?: string }): Promise<RunningApi>;
  /** A GET that answers 200. */
  read: string;
  /** A write a legitimate client makes (sent as JSON); answers 2xx. */
  write: { method: string; path: string; body: unknown };
  /** What the write changes, read back (the table checks refused writes change nothing). */
  state(api: RunningApi): Promise<string>;
  /** Largest body the API takes, in bytes. */
  bodyLimit: number;
}

/** One raw HTTP exchange. */
export interface Raw {
  status: number;
  text: string;
}

/** Sends one request with exactly these headers (no defaults beyond Content-Length). */
export function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Raw> {
  const base = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method, path, headers, setHost: !('Host' in headers), timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    if (body !== undefined) req.setHeader('Content-Length', Buffer.byteLength(body));
    req.end(body);
  });
}

const UA = { 'User-Agent': 'control-auth-cases' };

/** Registers the table's cases for one API. */
export function controlAuthCases(name: string, target: AuthTarget): void {
  const json = (extra: Record<string, string> = {}) => ({ ...UA, 'Content-Type': 'application/json', ...extra });
  const body = JSON.stringify(target.write.body);

  describe(`${name}: control-API auth cases`, () => {
    it('refuses to start off loopback without a token, and counts only literal loopback as loopback', async () => {
      await expect(target.start({ host: '0.0.0.0' })).rejects.toThrow(/token/);
      // A name that starts like a loopback address is still a name: it can resolve anywhere.
      await expect(target.start({ host: '127.example.com' })).rejects.toThrow(/token/);
      const other = await target.start({ host: '127.0.0.2' });
      try {
        expect((await send(other.url, 'GET', target.read, UA)).status).toBe(200);
      } finally {
        await other.close();
      }
    });

    it('with a token, answers 401 without it or with a wrong one, and serves the right one', async () => {
      const api = await target.start({ host: '127.0.0.1', token: 's3cret-token' });
      try {
        expect((await send(api.url, 'GET', target.read, UA)).status).toBe(401);
        expect((await send(api.url, 'GET', target.read, { ...UA, Authorization: 'Bearer wrong' })).status).toBe(401);
        expect((await send(api.url, 'GET', target.read, { ...UA, Authorization: 'Bearer s3cret-token!' })).status).toBe(
          401,
        );
        expect((await send(api.url, 'GET', target.read, { ...UA, Authorization: 's3cret-token' })).status).toBe(401);
        const ok = await send(api.url, 'GET', target.read, { ...UA, Authorization: 'Bearer s3cret-token' });
        expect(ok.status).toBe(200);
        const w = target.write;
        const write = await send(api.url, w.method, w.path, json({ Authorization: 'Bearer s3cret-token' }), body);
        expect(write.status).toBeLessThan(300);
      } finally {
        await api.close();
      }
    });

    it('answers a malformed % escape with 400 (never 500, never a crash) and keeps serving', async () => {
      const api = await target.start({ host: '127.0.0.1' });
      try {
        for (const path of ['/%ZZ', `${target.read}/%ZZ`, `${target.write.path}/%E0%A4%A`, '/%']) {
          const res = await send(api.url, 'GET', path, UA);
          expect(res.status, path).toBe(400);
          expect(JSON.parse(res.text)).toMatchObject({ status: 400 });
        }
        expect((await send(api.url, 'GET', target.read, UA)).status).toBe(200);
      } finally {
        await api.close();
      }
    });

    it('refuses cross-site writes: text/plain from another origin, Sec-Fetch-Site, Origin null', async () => {
      const api = await target.start({ host: '127.0.0.1' });
      const { method, path } = target.write;
      try {
        const before = await target.state(api);
        const evil = { 'Content-Type': 'text/plain', Origin: 'http://evil.example' };
        expect((await send(api.url, method, path, { ...UA, ...evil }, body)).status).toBe(403);
        expect((await send(api.url, method, path, json({ Origin: 'http://evil.example' }), body)).status).toBe(403);
        expect((await send(api.url, method, path, json({ 'Sec-Fetch-Site': 'cross-site' }), body)).status).toBe(403);
        expect((await send(api.url, method, path, json({ 'Sec-Fetch-Site': 'same-site' }), body)).status).toBe(403);
        expect((await send(api.url, method, path, json({ Origin: 'null' }), body)).status).toBe(403);
        // A text/plain POST is what a page can send without a preflight: refused even without Origin.
        const plain = await send(api.url, 'POST', path, { ...UA, 'Content-Type': 'text/plain' }, body);
        expect(plain.status).toBe(415);
        expect(await target.state(api)).toBe(before);
        // The same write from a tool (no Origin) or from the API's own origin goes through.
        const host = new URL(api.url).host;
        const same = json({ Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' });
        expect((await send(api.url, method, path, same, body)).status).toBeLessThan(300);
      } finally {
        await api.close();
      }
    });

    it('answers a body over the limit with 413 and serves the next request on the same connection', async () => {
      const api = await target.start({ host: '127.0.0.1' });
      const { port } = new URL(api.url);
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.on('error', () => {});
      try {
        await once(socket, 'connect');
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        const size = target.bodyLimit + 1;
        const { method, path } = target.write;
        socket.write(
          `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${size}\r\n\r\n`,
        );
        socket.write(' '.repeat(size));
        socket.write(`GET ${target.read} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
        const start = performance.now();
        while (!/HTTP\/1\.1 200 /.test(text) && !socket.destroyed && performance.now() - start < 10_000) {
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(text).toMatch(/^HTTP\/1\.1 413 /);
        expect(text).toMatch(/HTTP\/1\.1 200 /);
        // Today's failure mode was a next request that hung for 5 s.
        expect(performance.now() - start).toBeLessThan(4000);
      } finally {
        socket.destroy();
        await api.close();
      }
    });

    it('refuses a Host header naming another site on a loopback bind (DNS rebinding)', async () => {
      const api = await target.start({ host: '127.0.0.1' });
      try {
        const port = new URL(api.url).port;
        for (const host of [`rebind.example:${port}`, 'evil.example', `127.example.com:${port}`]) {
          expect((await send(api.url, 'GET', target.read, { ...UA, Host: host })).status, host).toBe(403);
        }
        for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`]) {
          expect((await send(api.url, 'GET', target.read, { ...UA, Host: host })).status, host).toBe(200);
        }
      } finally {
        await api.close();
      }
    });
  });
}
