import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isTurbulenceError } from '../core/errors.js';
import { startChaosResolver } from './redirect.js';
import { readNameservers, resolvConf, spawnWithResolver, systemNameserver } from './resolver.js';

async function rejection(p: Promise<unknown>): Promise<{ message: string; hint: string; code: string }> {
  try {
    await p;
  } catch (err) {
    if (!isTurbulenceError(err)) throw err;
    return { message: err.message, hint: err.hint ?? '', code: err.code };
  }
  throw new Error('expected a rejection');
}

describe('resolver redirection', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes a resolv.conf with the nameserver, short timeouts and search domains', () => {
    expect(resolvConf({ nameserver: '10.77.0.1', search: ['lab.test'] })).toBe(
      'nameserver 10.77.0.1\noptions timeout:1 attempts:2\nsearch lab.test\n',
    );
    expect(() => resolvConf({ nameserver: '127.0.0.1:5353' })).toThrow(/not an IP address/);
  });

  it('reads the nameservers of a resolv.conf, skipping comments and junk', () => {
    const text = '# nameserver 1.1.1.1\nsearch x\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\nnameserver bogus\n';
    expect(readNameservers(text)).toEqual(['10.0.0.2', 'fe80::1%eth0']);
  });

  it('uses the first nameserver of a file as the default upstream, and says so when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-resolv-test-'));
    try {
      writeFileSync(join(dir, 'v4'), 'nameserver 10.0.0.2\nnameserver 10.0.0.3\n');
      writeFileSync(join(dir, 'v6'), 'nameserver ::1\n');
      expect(systemNameserver(join(dir, 'v4'))).toBe('10.0.0.2:53');
      expect(systemNameserver(join(dir, 'v6'))).toBe('[::1]:53');
      expect(() => systemNameserver(join(dir, 'missing'))).toThrow(/no nameserver in .*missing to forward to/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses without root, saying why and what to do', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    const e = await rejection(startChaosResolver({ upstream: '127.0.0.1:5353' }));
    expect(e.code).toBe('TURB_ERR_FAULT_UNSUPPORTED');
    expect(e.message).toBe('a chaos resolver for unmodified programs needs root');
    expect(e.hint).toMatch(/sudo/);
    expect(() => spawnWithResolver('true', [], { nameserver: '127.0.0.153' })).toThrow(/needs root/);
  });

  it('rejects a listen address resolv.conf cannot name, before anything starts', async () => {
    const port = await rejection(startChaosResolver({ listen: '127.0.0.153:5353', upstream: '127.0.0.1:5353' }));
    expect(port.message).toContain('not port 53');
    expect(port.hint).toContain('resolv.conf cannot name a port');
    const name = await rejection(startChaosResolver({ listen: 'localhost', upstream: '127.0.0.1:5353' }));
    expect(name.message).toContain('is not an IP address');
  });
});
