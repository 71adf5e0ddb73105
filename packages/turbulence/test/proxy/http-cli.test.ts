/** `turbulence proxy create --protocol http` and `proxy toxic add` with HTTP toxics; bad input exits 2. */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/commands/proxy.js';
import { exitCodeFor } from '../../src/core/errors.js';
import { ProxyClient } from '../../src/proxy/index.js';
import { cleanup, echoServer, proxyServer } from './helpers.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

async function cli(...args: string[]): Promise<string> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const program = new Command('turbulence').exitOverride();
  register(program);
  try {
    await program.parseAsync(['node', 'turbulence', 'proxy', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return lines.join('\n');
}

async function exitOf(...args: string[]): Promise<{ code: number; message: string }> {
  try {
    await cli(...args);
    return { code: 0, message: '' };
  } catch (err) {
    return { code: exitCodeFor(err), message: (err as Error).message };
  }
}

describe('turbulence proxy CLI, http proxies', () => {
  it('creates an http proxy and adds HTTP toxics with match attributes; bad input exits 2 and changes nothing', async () => {
    const echo = await echoServer();
    const server = await proxyServer();
    const url = ['--url', server.url];
    const api = new ProxyClient(server.url);
    const up = ['-l', '127.0.0.1:0', '-u', `127.0.0.1:${echo.port}`];
    await cli('create', 'web', ...up, '--protocol', 'http', ...url);
    expect((await api.get('web')).protocol).toBe('http');
    await cli(
      'toxic',
      'add',
      'web',
      '-t',
      'http_status',
      '-a',
      'status=503',
      '-a',
      'path=/api/*',
      '-a',
      'body=500',
      ...url,
    );
    await cli(
      'toxic',
      'add',
      'web',
      '-t',
      'http_header',
      '-n',
      'h',
      '-a',
      'name=X-A',
      '-a',
      'header=X-Tenant: blue',
      ...url,
    );
    expect((await api.getToxic('web', 'http_status_downstream')).attributes).toMatchObject({
      status: 503,
      path: '/api/*',
      body: '500',
    });
    const bad = await exitOf('create', 'w2', ...up, '--protocol', 'htpp', ...url);
    expect(bad).toEqual({ code: 2, message: expect.stringMatching(/--protocol must be one of tcp, http/) });
    const regex = await exitOf('toxic', 'add', 'web', '-t', 'http_delay', '-a', 'path=/(/', ...url);
    expect(regex).toEqual({ code: 2, message: expect.stringMatching(/HTTP 400: .*path: .*RE2.*fix/) });
    await cli('create', 'db', ...up, ...url);
    const wrong = await exitOf('toxic', 'add', 'db', '-t', 'http_status', ...url);
    expect(wrong).toEqual({ code: 2, message: expect.stringMatching(/needs a proxy with protocol http/) });
    expect(Object.keys(await api.list()).sort()).toEqual(['db', 'web']);
    expect((await api.toxics('web')).map((t) => t.name)).toEqual(['http_status_downstream', 'h']);
    expect(await api.toxics('db')).toEqual([]);
  });
});
