/** Unmodified programs (getent, Node's dns.lookup) see the chaos server's faults through a bind-mounted resolv.conf. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsServer, type DnsServer } from '../../../src/dns/index.js';
import { spawnWithResolver } from '../../../src/dns/resolver.js';
import { requireSystem } from '../../support/system.js';

const sys = requireSystem('root');

const run = (cmd: string, args: string[], nameserver: string) =>
  new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawnWithResolver(cmd, args, { nameserver }, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });

describe.skipIf(sys.skip)('resolver redirection for started processes', () => {
  let server: DnsServer;
  let nameserver: string;
  const hostConf = readFileSync('/etc/resolv.conf', 'utf8');

  beforeAll(async () => {
    // resolv.conf cannot name a port: the server takes port 53 on a random loopback address.
    for (let i = 0; ; i++) {
      nameserver = `127.77.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
      const s = createDnsServer({ listen: `${nameserver}:53`, upstream: '127.0.0.1:9', upstreamTimeoutMs: 300 });
      try {
        await s.start();
        server = s;
        break;
      } catch (err) {
        if (i >= 4) throw err;
      }
    }
    server.addRule({ name: 'spoofed.test', action: { type: 'answer', records: [{ type: 'A', data: '127.0.0.99' }] } });
    server.addRule({ name: 'gone.test', action: 'nxdomain' });
  });
  afterAll(() => server?.close());

  it('makes getent and Node see the spoofed answer and the NXDOMAIN, leaving the host resolv.conf alone', async () => {
    const getent = await run('getent', ['ahostsv4', 'spoofed.test'], nameserver);
    expect(getent.out).toMatch(/^127\.0\.0\.99\s/m);
    const lookup = "require('dns').lookup(process.argv[1], { family: 4 }, (e, a) => console.log(e ? e.code : a))";
    expect((await run(process.execPath, ['-e', lookup, 'spoofed.test'], nameserver)).out.trim()).toBe('127.0.0.99');
    expect((await run(process.execPath, ['-e', lookup, 'gone.test'], nameserver)).out.trim()).toBe('ENOTFOUND');
    const hits = Object.fromEntries(server.listRules().map((r) => [r.name, r.hits]));
    expect(hits['spoofed.test']).toBeGreaterThanOrEqual(2);
    expect(hits['gone.test']).toBeGreaterThanOrEqual(1);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(hostConf);
  });
});
