/** `turbulence dns rules ...` against a live chaos DNS server's control API. */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDnsServer, type DnsServer } from '../../../dns/server.js';
import { registerRuleCommands } from './rules.js';

describe('turbulence dns rules', () => {
  let server: DnsServer;
  let api: string;

  beforeAll(async () => {
    server = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:9', api: '127.0.0.1:0' });
    api = (await server.start()).api as string;
  });
  afterAll(() => server.close());

  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
    try {
      const program = new Command('turbulence').exitOverride();
      registerRuleCommands(program.command('dns'));
      await program.parseAsync(['node', 'turbulence', 'dns', 'rules', ...args, '--api', api]);
    } finally {
      vi.restoreAllMocks();
    }
    return lines.join('\n');
  };

  it('adds, lists, removes and clears rules', async () => {
    expect(await cli('list')).toBe('no rules');
    expect(
      await cli(
        'add',
        '--id',
        'slow',
        '--name',
        '*.svc.test',
        '--type',
        'A',
        '--type',
        'AAAA',
        '--action',
        'delay(200, 50)',
        '--probability',
        '0.5',
      ),
    ).toBe('added slow: *.svc.test A/AAAA → delay(200, 50) p=0.5 [matched 0, hits 0]');
    expect(await cli('add', '--action', 'nxdomain', '--count', '2')).toBe(
      'added rule-1: * → nxdomain count=2 [matched 0, hits 0]',
    );
    expect((await cli('list')).split('\n')).toHaveLength(2);
    expect(await cli('remove', 'slow')).toBe('removed slow');
    expect(server.listRules().map((r) => r.id)).toEqual(['rule-1']);
    await cli('clear');
    expect(server.listRules()).toEqual([]);
  });

  it('reports invalid rules and unknown ids with the server’s reason', async () => {
    await expect(cli('add', '--action', 'delay(soon)')).rejects.toThrow(/action\.ms|invalid DNS rule/);
    await expect(cli('remove', 'nope')).rejects.toThrow(/no DNS rule with id "nope"/);
  });
});
