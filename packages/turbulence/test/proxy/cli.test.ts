/**
 * `turbulence proxy list|create|toggle|inspect|toxic add|update|remove|delete` against a live server.
 */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/commands/proxy.js';
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
  await program.parseAsync(['node', 'turbulence', 'proxy', ...args]);
  vi.restoreAllMocks();
  return lines.join('\n');
}

describe('turbulence proxy CLI', () => {
  it('manages proxies and toxics like toxiproxy-cli', async () => {
    const echo = await echoServer();
    const server = await proxyServer();
    const url = ['--url', server.url];
    const api = new ProxyClient(server.url);
    expect(await cli('create', 'db', '-l', '127.0.0.1:0', '-u', `127.0.0.1:${echo.port}`, ...url)).toMatch(
      /^Created new proxy db listening on 127\.0\.0\.1:\d+$/,
    );
    expect(
      await cli('toxic', 'add', 'db', '-t', 'latency', '-a', 'latency=120', '-u', '--toxicity', '0.5', ...url),
    ).toBe("Added upstream latency toxic 'latency_upstream' on proxy 'db'");
    expect((await api.getToxic('db', 'latency_upstream')).attributes).toEqual({ latency: 120, jitter: 0 });
    await cli('toxic', 'update', 'db', '-n', 'latency_upstream', '-a', 'jitter=5', ...url);
    const updated = await api.getToxic('db', 'latency_upstream');
    expect([updated.attributes, updated.toxicity]).toEqual([{ latency: 120, jitter: 5 }, 0.5]);
    expect(await cli('inspect', 'db', ...url)).toContain(
      'latency_upstream\ttype=latency\tstream=upstream\ttoxicity=0.50\tattributes=[\tjitter=5\tlatency=120\t]',
    );
    expect(await cli('list', ...url)).toMatch(/db\t127\.0\.0\.1:\d+\t127\.0\.0\.1:\d+\ttrue\t1/);
    expect(await cli('toggle', 'db', ...url)).toBe('Proxy db is now disabled');
    expect((await api.get('db')).enabled).toBe(false);
    await cli('toxic', 'remove', 'db', '-n', 'latency_upstream', ...url);
    expect(await api.toxics('db')).toEqual([]);
    await cli('delete', 'db', ...url);
    expect(await api.list()).toEqual({});
  });

  it('says which server it cannot reach and how to fix it', async () => {
    await expect(cli('list', '--url', 'http://127.0.0.1:1')).rejects.toThrow(/cannot reach the proxy server/);
  });
});
