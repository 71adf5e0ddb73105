import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formEncode, isJsonContentType, runHttp } from './http.js';
import { activityFailure } from '../../test/support/activity-failed.js';
import { selfSignedCert } from '../../test/support/self-signed.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let last: Seen | undefined;

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  last = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/json') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true,"items":[1,2]}');
  } else if (path === '/json-charset') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end('{"ok":1}');
  } else if (path === '/dup') {
    res.setHeader('X-Request-ID', 'r1');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.writeHead(200).end('ok');
  } else if (path === '/slow') {
    setTimeout(() => res.writeHead(200).end('late'), 1500).unref();
  } else if (path === '/reset') {
    req.socket.destroy();
  } else if (path === '/down') {
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end('unavailable');
  } else {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Test': 'yes' }).end('hello');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => route(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const ctx = (strict = false, signal = new AbortController().signal) => ({ signal, strict });

const failure = activityFailure;

describe('http provider', () => {
  it('returns status, headers and a text body', async () => {
    const out = await runHttp({ type: 'http', url: `${base}/text` }, ctx());
    expect(out).toMatchObject({ status: 200, body: 'hello' });
    expect(out.headers['X-Test']).toBe('yes');
  });

  // chaoslib/provider/http.py: `if r.headers.get("Content-Type") == "application/json": body = r.json()
  // else: body = r.text` -- Express/FastAPI/Spring's "application/json; charset=utf-8" stays text.
  it('parses a JSON body only for exactly application/json, as chaoslib does; strict mode accepts a charset', async () => {
    expect((await runHttp({ type: 'http', url: `${base}/json` }, ctx())).body).toEqual({ ok: true, items: [1, 2] });
    expect((await runHttp({ type: 'http', url: `${base}/json-charset` }, ctx())).body).toBe('{"ok":1}');
    expect((await runHttp({ type: 'http', url: `${base}/json-charset` }, ctx(true))).body).toEqual({ ok: 1 });
  });

  // chaoslib/provider/http.py returns `dict(**r.headers)`: names as the server sent them, repeats joined by ", ".
  it('keeps header names as the server spelled them', async () => {
    const out = await runHttp({ type: 'http', url: `${base}/dup` }, ctx());
    expect(out.headers).toMatchObject({ 'X-Request-ID': 'r1', 'Set-Cookie': 'a=1, b=2' });
    expect(out.headers['x-request-id']).toBeUndefined();
  });

  // requests' `json=` is `json.dumps(arguments)`: ", " and ": " separators, non-ASCII as \uXXXX.
  it('sends JSON bodies with requests separators', async () => {
    await runHttp(
      {
        type: 'http',
        url: `${base}/p`,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        arguments: { a: 1, b: [1, 2.5], c: 'é', d: { e: null } },
      },
      ctx(),
    );
    expect(last!.body).toBe('{"a": 1, "b": [1, 2.5], "c": "\\u00e9", "d": {"e": null}}');
  });

  // requests raises MissingSchema/InvalidURL (not ConnectionError): chaoslib lets it escape, the method aborts.
  it('throws a runner error (not a failed activity) for a URL that cannot be parsed', async () => {
    const err = await runHttp({ type: 'http', url: '${base_url}/health' }, ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TURB_ERR_EXPERIMENT_INVALID' });
  });

  it('sends GET arguments as a query string and upper-cases the method', async () => {
    await runHttp({ type: 'http', url: `${base}/q?x=0`, method: 'get', arguments: { a: 1, b: ['x', 'y'] } }, ctx());
    expect(last).toMatchObject({ method: 'GET', url: '/q?x=0&a=1&b=x&b=y' });
  });

  it('sends a JSON body only when Content-Type is exactly application/json', async () => {
    const args = { name: 'db', n: 2 };
    await runHttp(
      {
        type: 'http',
        url: `${base}/p`,
        method: 'post',
        headers: { 'Content-Type': 'application/json' },
        arguments: args,
      },
      ctx(),
    );
    expect(JSON.parse(last!.body)).toEqual(args);
    await runHttp({ type: 'http', url: `${base}/p`, method: 'POST', arguments: args }, ctx());
    expect(last!.body).toBe('name=db&n=2');
    expect(last!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('treats a 503 as an answer, not an error', async () => {
    const out = await runHttp({ type: 'http', url: `${base}/down`, expected_status: 200 }, ctx());
    expect(out).toMatchObject({ status: 503, body: 'unavailable' });
  });

  it('honours expected_status in strict mode', async () => {
    const msg = await failure(runHttp({ type: 'http', url: `${base}/down`, expected_status: [200, 204] }, ctx(true)));
    expect(msg).toBe('status 503 not in expected_status [200, 204]');
  });

  it('fails with "activity took too long to complete" when the answer is slower than the timeout', async () => {
    const started = Date.now();
    const msg = await failure(runHttp({ type: 'http', url: `${base}/slow`, timeout: 0.2 }, ctx()));
    expect(msg).toBe('activity took too long to complete');
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('uses the read part of a [connect, read] timeout', async () => {
    const msg = await failure(runHttp({ type: 'http', url: `${base}/slow`, timeout: [1, 0.2] }, ctx()));
    expect(msg).toBe('activity took too long to complete');
  });

  it('fails with "failed to connect to <url>" when nothing listens, after its retries', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((r) => closed.close(r));
    const msg = await failure(runHttp({ type: 'http', url, max_retries: 2 }, ctx()));
    expect(msg).toMatch(new RegExp(`^failed to connect to ${url}: .*ECONNREFUSED`));
  });

  it('reports a connection broken before the answer as a connection failure', async () => {
    const msg = await failure(runHttp({ type: 'http', url: `${base}/reset` }, ctx()));
    expect(msg).toMatch(new RegExp(`^failed to connect to ${base}/reset: `));
  });

  it('stops when the run aborts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const msg = await failure(runHttp({ type: 'http', url: `${base}/slow` }, ctx(false, ac.signal)));
    expect(msg).toMatch(/aborted/);
    expect(Date.now() - started).toBeLessThan(1400);
  });
});

describe('http helpers', () => {
  it('form-encodes objects, list values and strings like Python requests', () => {
    expect(formEncode({ a: 'x y', b: [1, 2], c: null })).toBe('a=x+y&b=1&b=2');
    expect(formEncode('raw=1')).toBe('raw=1');
    expect(formEncode(undefined)).toBe('');
  });

  it('recognises JSON content types', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(false);
    expect(isJsonContentType('Application/JSON')).toBe(false);
    expect(isJsonContentType('application/json; charset=utf-8', true)).toBe(true);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(isJsonContentType('text/plain')).toBe(false);
  });
});

describe('http provider over TLS', () => {
  let dir: string;
  let tls: HttpsServer;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'turb-tls-'));
    const { key, cert } = selfSignedCert(dir);
    tls = createHttpsServer({ key, cert }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"tls":true}');
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    tls.closeAllConnections();
    await new Promise((r) => tls.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a self-signed certificate by default', async () => {
    expect(await failure(runHttp({ type: 'http', url }, ctx()))).toMatch(/^failed to connect to https:.*self.signed/i);
  });

  it('accepts it with verify_tls: false', async () => {
    expect(await runHttp({ type: 'http', url, verify_tls: false }, ctx())).toMatchObject({
      status: 200,
      body: { tls: true },
    });
  });
});
