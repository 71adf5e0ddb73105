import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { loadExperiment, loadExperimentObject, parseExperiment } from './load.js';

const JSON_TEXT = `{
  "title": "t",
  "description": "d",
  "method": [
    {
      "type": "action",
      "name": "a",
      "provider": { "type": "http", "url": "http://127.0.0.1:1/" }
    }
  ]
}
`;
const YAML_TEXT = `title: t
description: d
method:
  - type: action
    name: a
    provider:
      type: http
      url: http://127.0.0.1:1/
`;

async function rejection(p: Promise<unknown>): Promise<TurbulenceError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TurbulenceError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('loadExperiment from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('loads JSON and YAML (.yaml and .yml) to the same structure', async () => {
    const j = await loadExperiment(file('e.json', JSON_TEXT));
    const y = await loadExperiment(file('e.yaml', YAML_TEXT));
    const yml = await loadExperiment(file('e.yml', YAML_TEXT));
    expect(j.format).toBe('json');
    expect(y.format).toBe('yaml');
    expect(y.experiment).toEqual(j.experiment);
    expect(yml.experiment).toEqual(j.experiment);
    expect(j.baseDir).toBe(dir);
    expect(j.source).toBe(join(dir, 'e.json'));
  });

  it('maps key paths to line:column in JSON and YAML, falling back to the deepest existing node', async () => {
    const j = await loadExperiment(file('p.json', JSON_TEXT));
    const y = await loadExperiment(file('p.yaml', YAML_TEXT));
    expect(j.positions.locate(['method', 0, 'provider', 'url'])).toEqual({ line: 8, column: 37 });
    expect(y.positions.locate(['method', 0, 'provider', 'url'])).toEqual({ line: 8, column: 7 });
    expect(j.positions.locate(['method', 0])).toEqual({ line: 5, column: 5 });
    expect(y.positions.locate(['method', 0])).toEqual({ line: 4, column: 5 });
    // "tolerance" does not exist: the activity's own position
    expect(y.positions.locate(['method', 0, 'tolerance'])).toEqual({ line: 4, column: 5 });
    expect(y.positions.locate(['nope', 3])).toEqual({ line: 1, column: 1 });
  });

  it('follows YAML aliases when locating a path, and merges << keys', () => {
    const text = [
      'title: t',
      'description: d',
      'x-http: &http',
      '  type: http',
      '  url: http://127.0.0.1:1/',
      'method:',
      '  - type: probe',
      '    name: p',
      '    provider: *http',
      '  - type: probe',
      '    name: q',
      '    provider:',
      '      <<: *http',
      '      timeout: 3',
    ].join('\n');
    const y = parseExperiment(text, 'yaml');
    expect(y.experiment.method[1]).toMatchObject({
      provider: { type: 'http', url: 'http://127.0.0.1:1/', timeout: 3 },
    });
    expect(y.positions.locate(['method', 0, 'provider', 'url'])).toEqual({ line: 5, column: 3 });
    expect(y.positions.locate(['method', 1, 'provider', 'timeout'])).toEqual({ line: 14, column: 7 });
  });

  it('reads YAML as PyYAML does (1.1 booleans) and keeps dates as text', () => {
    const y = parseExperiment('title: t\ndescription: d\nmethod: []\nflag: yes\nwhen: 2024-01-02\n', 'yaml');
    expect(y.experiment.flag).toBe(true);
    expect(y.experiment.when).toBe('2024-01-02');
  });

  it('reports a JSON syntax error with file:line:col and what was expected', async () => {
    const path = file('bad.json', '{\n  "title": "t",\n  "method": [1, 2\n}\n');
    const err = await rejection(loadExperiment(path));
    expect(err.code).toBe(ErrorCodes.LOAD_FAILED);
    expect(err.location).toMatchObject({ file: path, line: 4, column: 1 });
    expect(err.message).toMatch(/^invalid JSON: Expected ',' or ']' after array element/);
  });

  it('points at a trailing comma or a missing value in JSON', () => {
    const at = (text: string) => {
      try {
        parseExperiment(text, 'json', { source: 'x.json' });
      } catch (err) {
        const { line, column } = (err as TurbulenceError).location ?? {};
        return `${line}:${column} ${(err as TurbulenceError).message}`;
      }
      return 'no error';
    };
    expect(at('{\n  "method": [1, 2,],\n  "t": "a,]"\n}')).toBe("2:19 invalid JSON: Unexpected token ']'");
    expect(at('{\n  "title": "x:}",\n  "b": }')).toBe("3:8 invalid JSON: Unexpected token '}'");
  });

  it('reports a YAML syntax error with file:line:col', async () => {
    const path = file('bad.yaml', 'title: t\nmethod:\n  - name: a\n   type: probe\n');
    const err = await rejection(loadExperiment(path));
    expect(err.code).toBe(ErrorCodes.LOAD_FAILED);
    expect(err.message).toMatch(/^invalid YAML: /);
    expect(err.location).toMatchObject({ file: path, line: 4 });
  });

  it('refuses other extensions, missing paths, unknown schemes and empty documents', async () => {
    const txt = await rejection(loadExperiment(file('e.txt', JSON_TEXT)));
    expect(txt.message).toContain('only files with json, yaml or yml extensions are supported');
    const missing = await rejection(loadExperiment(join(dir, 'absent.json')));
    expect(missing.message).toBe(`Path "${join(dir, 'absent.json')}" does not exist.`);
    const ftp = await rejection(loadExperiment('ftp://example.test/e.json'));
    expect(ftp.message).toContain('only local paths and http(s) URLs are supported');
    const empty = await rejection(loadExperiment(file('empty.yaml', '# nothing\n')));
    expect(empty.code).toBe(ErrorCodes.EXPERIMENT_INVALID);
    expect(empty.message).toBe('an empty experiment is not an experiment');
    const list = await rejection(loadExperiment(file('list.json', '[1]')));
    expect(list.message).toBe('an experiment must be an object of keys');
  });

  it('wraps a TS object without positions', () => {
    const loaded = loadExperimentObject({ title: 't', description: 'd', method: [] }, { baseDir: dir });
    expect(loaded.format).toBe('object');
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.positions.locate(['title'])).toBeUndefined();
  });
});

describe('loadExperiment from http URLs (a real local server)', () => {
  let server: Server;
  let base = '';
  const seen: IncomingHttpHeaders[] = [];
  const routes: Record<string, { status: number; type?: string; body: string }> = {
    '/e.json': { status: 200, type: 'application/json', body: JSON_TEXT },
    '/e.yaml': { status: 200, type: 'application/x-yaml', body: YAML_TEXT },
    '/text-json': { status: 200, type: 'text/plain; charset=utf-8', body: JSON_TEXT },
    '/text-yaml': { status: 200, type: 'text/plain', body: YAML_TEXT },
    '/html': { status: 200, type: 'text/html', body: '<html></html>' },
    '/gone': { status: 404, type: 'text/plain', body: 'not found' },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const route = routes[req.url ?? ''] ?? { status: 500, body: '' };
      res.writeHead(route.status, route.type ? { 'content-type': route.type } : {});
      res.end(route.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('parses by Content-Type: JSON, YAML, and text/plain trying both', async () => {
    const j = await loadExperiment(`${base}/e.json`, { env: {} });
    const y = await loadExperiment(`${base}/e.yaml`, { env: {} });
    const tj = await loadExperiment(`${base}/text-json`, { env: {} });
    const ty = await loadExperiment(`${base}/text-yaml`, { env: {} });
    expect([j.format, y.format, tj.format, ty.format]).toEqual(['json', 'yaml', 'json', 'yaml']);
    for (const l of [y, tj, ty]) expect(l.experiment).toEqual(j.experiment);
    expect(j.source).toBe(`${base}/e.json`);
    expect(j.positions.locate(['method', 0, 'name'])).toEqual({ line: 7, column: 7 });
  });

  it('sends the Accept header and the bearer token from CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN', async () => {
    seen.length = 0;
    await loadExperiment(`${base}/e.json`, { env: { CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN: 'tok-1' } });
    expect(seen[0]?.accept).toBe('application/json, application/x-yaml');
    expect(seen[0]?.authorization).toBe('bearer tok-1');
    seen.length = 0;
    await loadExperiment(`${base}/e.json`, { env: {} });
    expect(seen[0]?.authorization).toBeUndefined();
  });

  it('fails on a status other than 200 and on an unsupported Content-Type', async () => {
    const gone = await rejection(loadExperiment(`${base}/gone`, { env: {} }));
    expect(gone.code).toBe(ErrorCodes.LOAD_FAILED);
    expect(gone.message).toContain('HTTP 404 (expected 200)');
    const html = await rejection(loadExperiment(`${base}/html`, { env: {} }));
    expect(html.message).toContain('unsupported Content-Type "text/html"');
  });

  it('fails clearly when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await rejection(loadExperiment(`http://127.0.0.1:${port}/e.json`, { env: {} }));
    expect(err.message).toContain(`cannot fetch "http://127.0.0.1:${port}/e.json"`);
  });
});
