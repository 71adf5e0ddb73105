import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxyServer } from '../../src/proxy/index.js';
import { cleanup, dial, echoServer, http, portOf, proxyServer, readBytes } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await cleanup();
});

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-proxy-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('proxy config file and API safety', () => {
  it('loads proxies with their toxics from a YAML config before the first connection', async () => {
    const echo = await echoServer();
    const config = file(
      'proxies.yaml',
      [
        '- name: db',
        '  listen: 127.0.0.1:0',
        `  upstream: 127.0.0.1:${echo.port}`,
        '  toxics:',
        '    - type: latency',
        '      attributes: { latency: 120 }',
      ].join('\n'),
    );
    const server = await proxyServer({ config });
    const db = (await http(server.url, 'GET', '/proxies/db')).json;
    expect(db.toxics).toEqual([
      {
        attributes: { latency: 120, jitter: 0 },
        name: 'latency_downstream',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
      },
    ]);
    const socket = await dial(portOf(db.listen));
    const reply = readBytes(socket, 1);
    socket.write('x');
    expect((await reply).ms).toBeGreaterThanOrEqual(110);
  });

  it('fails to start on a broken config, naming the file', async () => {
    const config = file('broken.json', '[{"name": "x", "upstream": ');
    await expect(createProxyServer({ port: 0, config })).rejects.toThrow(/proxy config is not valid/);
    const bad = file('bad.json', JSON.stringify([{ name: 'x', upstream: '127.0.0.1:1', toxics: [{ type: 'nope' }] }]));
    await expect(createProxyServer({ port: 0, config: bad })).rejects.toThrow(/invalid toxic type/);
  });

  it('refuses a non-loopback API without a token, and checks the token when given', async () => {
    await expect(createProxyServer({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/without a token/);
    const server = await proxyServer({ token: 's3cret' });
    expect((await http(server.url, 'GET', '/proxies')).status).toBe(401);
    const ok = await http(server.url, 'GET', '/proxies', undefined, { Authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
  });
});
