/** The control layer's pure rules, and its factory over real HTTP. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { ControlError, errorReply } from './errors.js';
import { crossSiteReason, hostnameOf, isJson, tokenMatches } from './guard.js';
import { isLoopbackHost } from './loopback.js';
import { createControlServer, listenControl } from './server.js';

describe('control-API rules', () => {
  it('counts only literal loopback addresses and localhost as loopback', () => {
    for (const host of ['127.0.0.1', '127.255.0.9', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LocalHost']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['127.example.com', '127.0.0.1.nip.io', '0.0.0.0', '::', '128.0.0.1', '10.0.0.1', '', 'local']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('reads the host name out of a Host header', () => {
    expect(hostnameOf('[::1]:8474')).toBe('::1');
    expect(hostnameOf('localhost:80')).toBe('localhost');
    expect(hostnameOf('example.com')).toBe('example.com');
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('Bearer abc', 'abc')).toBe(true);
    for (const header of [undefined, '', 'Bearer ab', 'Bearer abcd', 'bearer abc', 'abc']) {
      expect(tokenMatches(header, 'abc'), String(header)).toBe(false);
    }
  });

  it('tells cross-site writes from same-origin ones and tools', () => {
    expect(crossSiteReason({ host: '127.0.0.1:1' })).toBeUndefined();
    expect(crossSiteReason({ host: '127.0.0.1:1', origin: 'http://127.0.0.1:1' })).toBeUndefined();
    expect(crossSiteReason({ host: '127.0.0.1:1', 'sec-fetch-site': 'none' })).toBeUndefined();
    expect(crossSiteReason({ host: '127.0.0.1:1', origin: 'http://127.0.0.1:2' })).toMatch(/another site/);
    expect(crossSiteReason({ host: '127.0.0.1:1', 'sec-fetch-site': 'same-site' })).toMatch(/same-site/);
    expect(crossSiteReason({ host: '127.0.0.1:1', origin: 'not a url' })).toMatch(/not a URL/);
    expect(isJson('application/json; charset=utf-8')).toBe(true);
    expect(isJson('application/vnd.api+json')).toBe(true);
    expect(isJson('text/plain')).toBe(false);
  });

  it('maps errors to {error, status} with the right status', () => {
    expect(errorReply(new ControlError('gone', 404, 'look'))).toEqual({
      status: 404,
      body: { error: 'gone', status: 404, hint: 'look' },
    });
    const invalid = new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, 'bad rule', { hint: 'fix it' });
    expect(errorReply(invalid)).toMatchObject({ status: 400, body: { code: invalid.code, hint: 'fix it' } });
    expect(errorReply(new TurbulenceError(ErrorCodes.INTERNAL, 'oops')).status).toBe(500);
    expect(errorReply(Object.assign(new Error('x'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))).toEqual({
      status: 413,
      body: { error: 'request body too large', status: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
    });
    expect(errorReply(new TypeError('boom'))).toEqual({ status: 500, body: { error: 'boom', status: 500 } });
  });
});

describe('createControlServer', () => {
  it('validates bodies by schema, answers 400 for bad JSON, and logs through a given pino logger', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = createControlServer({
      host: '127.0.0.1',
      logger: pino({ level: 'info' }, sink),
      refuseOpenBind: () => new Error('token'),
    });
    app.post('/things', { schema: { body: { type: 'object', required: ['name'] } } }, (req, reply) =>
      reply.code(201).send(req.body),
    );
    const { url } = await listenControl(app, '127.0.0.1', 0);
    try {
      const post = (body: string) =>
        fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect((await post('{"name":"a"}')).status).toBe(201);
      const invalid = await post('{"other":1}');
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ status: 400, error: expect.stringMatching(/name/) });
      const garbled = await post('{nope');
      expect(await garbled.json()).toMatchObject({ status: 400, error: expect.stringMatching(/not JSON/) });
      expect(await (await fetch(`${url}/nothing`)).json()).toEqual({ error: 'no route GET /nothing', status: 404 });
      expect(lines.some((l) => l.includes('"url":"/things"'))).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('refuses a non-loopback bind without a token, before binding anything', () => {
    expect(() =>
      createControlServer({ host: '127.example.com', refuseOpenBind: (h) => new Error(`${h} needs a token`) }),
    ).toThrow('127.example.com needs a token');
  });
});
