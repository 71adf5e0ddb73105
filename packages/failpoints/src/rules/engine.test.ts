import { execFile, spawn } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileWhen, rulesEngine } from './engine.js';
import { coreTargets } from './targets/index.js';
import { scanExports } from './exports-scan.js';
import { compileGlob, globMatch } from './glob.js';

const engine = rulesEngine();
const dir = fs.mkdtempSync(join(tmpdir(), 'fp-rules-'));
const file = join(dir, 'data.txt');
fs.writeFileSync(file, 'real content');
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('hello from server'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => engine.clear());
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) =>
  new Promise<string>((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });

describe('rules on fs', () => {
  it('rejects fs.promises.readFile with a real-looking EIO for matching paths only', async () => {
    engine.set('eio', { target: 'fs.promises.readFile', when: { path: `${dir}/**` }, action: 'error(EIO)' });
    await expect(fs.promises.readFile(file, 'utf8')).rejects.toMatchObject({
      code: 'EIO',
      errno: -5,
      syscall: 'open',
      path: file,
      message: `EIO: i/o error, open '${file}'`,
    });
    await expect(fs.promises.readFile(new URL(import.meta.url))).resolves.toBeInstanceOf(Buffer);
  });

  it('reaches ESM named imports of node:fs/promises through their live binding', async () => {
    engine.set('eio', { target: 'fs.promises.readFile', action: 'error(EIO)' });
    await expect(readFile(file)).rejects.toMatchObject({ code: 'EIO' });
    engine.remove('eio');
    await expect(readFile(file, 'utf8')).resolves.toBe('real content');
  });

  it('puts back the very same function objects when the last rule goes', () => {
    const before = [fs.promises.readFile, fs.readFile, fs.readFileSync];
    engine.set('a', { target: 'fs.promises.readFile', action: 'error(EIO)' });
    engine.set('b', { target: 'fs.promises.readFile', action: 'delay(1)' });
    engine.set('c', { target: 'fs.readFile', action: 'error(EIO)' });
    engine.set('d', { target: 'fs.readFileSync', action: 'error(EIO)' });
    expect(fs.promises.readFile).not.toBe(before[0]);
    engine.remove('a');
    expect(fs.promises.readFile).not.toBe(before[0]);
    engine.remove('b');
    engine.remove('c');
    engine.remove('d');
    expect([fs.promises.readFile, fs.readFile, fs.readFileSync]).toEqual(before);
    expect(fs.promises.readFile).toBe(before[0]);
  });

  it('calls back fs.readFile with the error, and throws from readFileSync', async () => {
    engine.set('cb', { target: 'fs.readFile', action: 'error(ENOSPC)' });
    engine.set('sync', { target: 'fs.readFileSync', action: 'error(EACCES)' });
    const err = await new Promise<NodeJS.ErrnoException | null>((r) => fs.readFile(file, (e) => r(e)));
    expect(err).toMatchObject({ code: 'ENOSPC', errno: -28, syscall: 'open', path: file });
    expect(() => fs.readFileSync(file)).toThrow(expect.objectContaining({ code: 'EACCES' }) as Error);
  });

  it('returns a value instead of reading, and counts hits', async () => {
    engine.set('fake', { target: 'fs.promises.readFile', action: '1*return("fake")' });
    await expect(fs.promises.readFile(file, 'utf8')).resolves.toBe('fake');
    await expect(fs.promises.readFile(file, 'utf8')).resolves.toBe('real content');
    expect(engine.get('fake')).toMatchObject({ hits: 2, fired: 1 });
  });

  it('delays the call without blocking the event loop', async () => {
    engine.set('slow', { target: 'fs.promises.readFile', action: 'delay(80)' });
    const t0 = performance.now();
    await expect(fs.promises.readFile(file, 'utf8')).resolves.toBe('real content');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
  });
});

describe('rules on the network', () => {
  it('refuses net.connect to the matching port while the server is up', async () => {
    engine.set('refuse', { target: 'net.connect', when: { port }, action: 'error(ECONNREFUSED)' });
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Error('connected')));
      s.on('error', resolve);
    });
    expect(err).toMatchObject({
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      message: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  it('makes dns.lookup fail with ENOTFOUND for a matching host', async () => {
    engine.set('nx', { target: 'dns.lookup', when: { host: '*.example' }, action: 'error(ENOTFOUND)' });
    await expect(promisify(dns.lookup)('api.example')).rejects.toMatchObject({
      code: 'ENOTFOUND',
      hostname: 'api.example',
      syscall: 'getaddrinfo',
    });
    await expect(promisify(dns.lookup)('localhost')).resolves.toMatchObject({ address: expect.any(String) });
  });

  it('fails http.get without touching the network, and passes other methods through', async () => {
    engine.set('down', {
      target: 'http.get',
      when: { host: '127.0.0.1', method: 'get' },
      action: '1*error(ECONNRESET)',
    });
    await expect(get(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(get(`http://127.0.0.1:${port}/`)).resolves.toBe('hello from server');
  });

  it('rejects fetch like undici does, with the system error as cause', async () => {
    engine.set('f', { target: 'fetch', when: { url: `http://127.0.0.1:${port}/**` }, action: 'error(ECONNREFUSED)' });
    const err = (await fetch(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e)) as TypeError;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(err.cause).toMatchObject({ code: 'ECONNREFUSED' });
    engine.remove('f');
    expect(await (await fetch(`http://127.0.0.1:${port}/x`)).text()).toBe('hello from server');
  });

  it('answers fetch with a status from return(503)', async () => {
    engine.set('f', { target: 'fetch', action: 'return(503)' });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(503);
  });
});

describe('rules on child_process', () => {
  it('makes spawn emit the error without running the command', async () => {
    engine.set('nospawn', { target: 'child_process.spawn', when: { command: 'touch' }, action: 'error(EACCES)' });
    const marker = join(dir, 'touched');
    const child = spawn('touch', [marker]);
    child.stdout.resume();
    const err = await new Promise<NodeJS.ErrnoException>((r) => child.on('error', r));
    expect(err).toMatchObject({ code: 'EACCES', syscall: 'spawn touch', path: 'touch' });
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('keeps util.promisify(execFile) working through the wrapper', async () => {
    engine.set('other', { target: 'child_process.execFile', when: { command: 'nope' }, action: 'error(EIO)' });
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', 'process.stdout.write("ok")']);
    expect(stdout).toBe('ok');
  });
});

describe('the no-match path', () => {
  const httpGet = coreTargets.get('http.get')!;

  it('reads only the facts a condition needs, cheapest first, and stops at the first that fails', () => {
    const reads: string[] = [];
    const options = {
      get host() {
        reads.push('host');
        return '127.0.0.1';
      },
      get port() {
        reads.push('port');
        return 8080;
      },
      get path() {
        reads.push('path');
        return '/x';
      },
    };
    // port is tested before host, and fails: host and path (for url) are never read.
    const test = compileWhen({ url: 'http://127.0.0.1:9/**', host: '127.0.0.1', port: 9 }, httpGet.facts)!;
    expect(test(options, undefined)).toBe(false);
    expect(reads).toEqual(['port']);
    reads.length = 0;
    expect(compileWhen({ host: '127.0.0.1' }, httpGet.facts)!(options, undefined)).toBe(true);
    expect(reads).toEqual(['host']);
  });

  it('reads http facts from the options first and the URL second, as Node merges them', () => {
    const when = (w: object) => compileWhen(w, httpGet.facts)!;
    expect(when({ host: 'api.example', port: 8443 })('http://api.example:8443/a', undefined)).toBe(true);
    expect(when({ host: 'other.example' })('http://api.example/a', { hostname: 'other.example' })).toBe(true);
    expect(when({ port: 80 })('http://api.example/a', undefined)).toBe(true);
    expect(when({ url: 'http://localhost:80/' })({}, undefined)).toBe(true);
    expect(when({ method: 'post' })({ method: 'Post' }, undefined)).toBe(true);
    expect(when({ method: 'get' })({ method: 'POST' }, undefined)).toBe(false);
    expect(when({ host: 'api.example' })('not a url', undefined)).toBe(false);
    // A condition on a fact the target does not have could never match: it is not compiled.
    expect(() => when({ command: 'ls' })).toThrow('when.command: the target has no "command" fact');
    expect(() => when({ pth: '/x' })).toThrow('when.pth: the target has no "pth" fact');
  });

  it('keeps the wrapper: this, arguments, name and length, and reuses it when a rule comes back', async () => {
    const before = http.get;
    engine.set('a', { target: 'http.get', when: { host: 'nowhere.example' }, action: 'error(EIO)' });
    const wrapper = http.get;
    expect(wrapper).not.toBe(before);
    expect([wrapper.name, wrapper.length]).toEqual([before.name, before.length]);
    await expect(get(`http://127.0.0.1:${port}/`)).resolves.toBe('hello from server');
    engine.remove('a');
    expect(http.get).toBe(before);
    engine.set('b', { target: 'http.get', when: { host: '127.0.0.1' }, action: 'error(ECONNRESET)' });
    expect(http.get).toBe(wrapper);
    // A copy of the wrapper taken under the first rule sees the second rule too.
    const copy = wrapper as (url: string) => http.ClientRequest;
    const err = await new Promise<Error>((resolve) => copy(`http://127.0.0.1:${port}/`).on('error', resolve));
    expect(err).toMatchObject({ code: 'ECONNRESET' });
  });

  it('passes `this` and every argument through to the original', () => {
    const owner = fs as unknown as Record<string, unknown>;
    const stat = owner.statSync;
    let seen: unknown[] = [];
    owner.statSync = function (this: unknown, ...args: unknown[]) {
      seen = [this, ...args];
      return 'stat';
    };
    try {
      engine.set('t', { target: 'fs.statSync', when: { path: '/nowhere/**' }, action: 'error(EIO)' });
      expect(fs.statSync('/tmp', { bigint: false })).toBe('stat');
      expect(seen).toEqual([fs, '/tmp', { bigint: false }]);
    } finally {
      engine.clear();
      owner.statSync = stat;
    }
  });

  it('moves on to later rules when an earlier one matches but does not fire', async () => {
    engine.set('spent', { target: 'fs.promises.readFile', when: { path: `${dir}/**` }, action: '1*return("first")' });
    engine.set('second', { target: 'fs.promises.readFile', when: { path: '**/data.txt' }, action: 'return("second")' });
    await expect(fs.promises.readFile(file, 'utf8')).resolves.toBe('first');
    await expect(fs.promises.readFile(file, 'utf8')).resolves.toBe('second');
    expect(engine.get('spent')).toMatchObject({ hits: 2, fired: 1 });
    expect(engine.get('second')).toMatchObject({ hits: 1, fired: 1 });
  });
});

describe('rule validation', () => {
  it.each([
    [{ target: 'fs.nothing', action: 'error(EIO)' }, /unknown target "fs.nothing"/],
    [{ target: 'net.connect', action: 'delay(10)' }, /delay needs an asynchronous target/],
    [{ target: 'net.connect', action: 'return(1)' }, /return is not supported/],
    [{ target: 'fs.readFile', action: 'explode' }, /^rule bad: action: explode: unknown task "explode"/],
    [{ target: 'fs.readFile' }, /^rule bad: action: must be a string such as "error\(EIO\)"$/],
    [{ target: 'fs.readFile', action: 'error(EIO)', when: 'x' }, /^rule bad: when: must be an object/],
    [{ target: 'net.connect', action: 'error(EIO)', when: { port: '80' } }, /^rule bad: when.port: must be a number/],
  ])('refuses %j', (rule, message) => {
    const before = fs.readFile;
    expect(() => engine.set('bad', rule)).toThrow(message);
    expect(fs.readFile).toBe(before);
    expect(engine.list()).toEqual([]);
  });

  it.each([
    // A fact of another family, and a typo: the message names the field and lists what the target can match.
    ['fs.promises.readFile', { host: 'db' }, 'when.host: fs.promises.readFile has no "host" fact; it can match: path'],
    ['fs.readFile', { pth: '/data/**' }, 'when.pth: fs.readFile has no "pth" fact; it can match: path'],
    ['fs.renameSync', { port: 1 }, 'when.port: fs.renameSync has no "port" fact; it can match: path, dest'],
    ['dns.promises.lookup', { url: 'x' }, 'when.url: dns.promises.lookup has no "url" fact; it can match: host'],
    ['net.connect', { method: 'GET' }, 'when.method: net.connect has no "method" fact; it can match: port, host, path'],
    ['http.get', { path: '/x' }, 'when.path: http.get has no "path" fact; it can match: host, port, method, url'],
    ['fetch', { command: 'ls' }, 'when.command: fetch has no "command" fact; it can match: url, host, port, method'],
    ['child_process.exec', { host: 'x' }, 'when.host: child_process.exec has no "host" fact; it can match: command'],
    [
      'app:src/store.js#save',
      { path: '/x' },
      'when.path: app:src/store.js#save has no "path" fact; it can match: nothing (app: targets take no "when": remove it)',
    ],
  ])('refuses a when field %s cannot match (%j), naming the field and what it can match', (target, when, message) => {
    engine.set('keep', { target: 'fs.readFile', when: { path: '/keep/**' }, action: 'error(EIO)' });
    const before = engine.list();
    const patched = fs.readFile;
    // Also with a valid field beside it, and with a value of the wrong type (the missing fact is the problem).
    const wrongType = Object.fromEntries(Object.keys(when).map((k) => [k, true]));
    for (const w of [when, { ...when, path: '/x' }, wrongType]) {
      expect(() => engine.set('bad', { target, when: w, action: 'error(EIO)' })).toThrow(`rule bad: ${message}`);
    }
    expect(engine.list()).toEqual(before);
    expect(fs.readFile).toBe(patched);
    // Nothing is lost: an existing rule of that name stays as it was.
    engine.set('bad', { target: 'fs.readFile', action: 'error(EIO)' });
    expect(() => engine.set('bad', { target, when, action: 'error(EIO)' })).toThrow(message);
    expect(engine.get('bad')).toMatchObject({ target: 'fs.readFile', action: 'error(EIO)' });
  });

  it('refuses an unknown rule field (a misspelt when would fire on every call), suggesting the closest', () => {
    const before = fs.readFile;
    expect(() => engine.set('typo', { target: 'fs.readFile', whn: { path: '/x' }, action: 'error(EIO)' })).toThrow(
      /^rule typo: whn: unknown field; did you mean "when"\? \(a rule has name, target, when, action/,
    );
    expect(() => engine.set('odd', { target: 'fs.readFile', action: 'error(EIO)', probability: 0.5 })).toThrow(
      /^rule odd: probability: unknown field \(/,
    );
    expect(fs.readFile).toBe(before);
    expect(engine.list()).toEqual([]);
    // Free text, and a rule as GET /rules lists it (with its counters), are accepted.
    engine.set('noted', { target: 'fs.readFile', action: 'error(EIO)', comment: 'why', description: 'what' });
    engine.set('again', { ...engine.get('noted'), name: 'again' });
    expect(engine.get('again')).toMatchObject({ target: 'fs.readFile', action: 'error(EIO)' });
  });

  it('accepts every field a target lists, and an empty when on an app: target', () => {
    engine.set('a', { target: 'app:src/store.js#save', when: {}, action: 'error(EIO)' });
    engine.set('b', { target: 'net.connect', when: { port: 5432, host: 'db', path: '/s' }, action: 'error(EIO)' });
    const all = { host: 'h', port: 1, method: 'GET', url: 'http://h/' };
    engine.set('c', { target: 'https.request', when: all, action: 'error(EIO)' });
    engine.set('d', { target: 'fetch', when: all, action: 'error(EIO)' });
    expect(engine.list().map((r) => r.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('matches when.dest on the two-path fs functions', async () => {
    const dest = join(dir, 'moved.txt');
    engine.set('mv', { target: 'fs.promises.rename', when: { dest: '**/moved.txt' }, action: 'error(EXDEV)' });
    await expect(fs.promises.rename(file, dest)).rejects.toMatchObject({ code: 'EXDEV', path: file, dest });
    await expect(fs.promises.rename(join(dir, 'none'), join(dir, 'other'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('helpers', () => {
  it('compiles globs to the same answers as the regular expressions', () => {
    const patterns = ['/data/**', '/data/*', '*.internal', 'file?.txt', '**', '*', '?', 'a**b', 'a*b*c', '**/x'];
    const more = ['/a/**/b.txt', 'abc', '', 'a?', '*a*', 'GET', 'G*', 'a*a', 'x**'];
    const texts = ['/data/a/b', '/data/', 'db.internal', 'a/b.internal', 'file1.txt', 'file.txt', '', 'a', 'ab'];
    const moreTexts = ['axb', 'a/b', 'abc', 'axbyc', '/x', 'q/x', '/a/b.txt', '/a/c/b.txt', 'GET', 'GETX', 'aa', 'xax'];
    for (const p of [...patterns, ...more])
      for (const t of [...texts, ...moreTexts]) expect([p, t, compileGlob(p)(t)]).toEqual([p, t, globMatch(p, t)]);
  });

  it('matches globs across and within path segments', () => {
    expect(globMatch('/data/**', '/data/a/b')).toBe(true);
    expect(globMatch('/data/*', '/data/a/b')).toBe(false);
    expect(globMatch('*.internal', 'db.internal')).toBe(true);
    expect(globMatch('file?.txt', 'file1.txt')).toBe(true);
  });

  it('finds the exports of a module source', () => {
    const src = `export async function commit() {}\nexport const a = 1, b = 2;\nexport class K {}\n// export function hidden() {}\nfunction x() {}\nexport { x as renamed, x };\nexport default x;`;
    expect(scanExports(src)).toEqual({ names: ['commit', 'a', 'K', 'renamed', 'x'], hasDefault: true });
  });
});
