/**
 * A process the supervisor starts with `nameserver`: it resolves through a chaos DNS server (a private mount
 * namespace with its own resolv.conf), keeps its PID (faults target it as usual), and nothing is left after stop.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChaosResolver, type ChaosResolver } from '../../../src/dns/redirect.js';
import { isSameProcess } from '../../../src/os/proc.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { startDnsmasq, type Dnsmasq } from './dnsmasq.js';

const sys = requireSystem('root', 'dnsmasq');
const machineResolvConf = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';

describe.skipIf(sys.skip)('a supervised process with a nameserver', () => {
  let upstream: Dnsmasq;
  let chaos: ChaosResolver;
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-supervised-dns-'));
  const saved = process.env.TURBULENCE_HOME;

  beforeAll(async () => {
    process.env.TURBULENCE_HOME = join(dir, 'home');
    upstream = await startDnsmasq({ 'db.example.test': ['127.0.0.31'] });
    chaos = await startChaosResolver({
      upstream: upstream.address,
      rules: [{ name: 'cache.example.test', action: { type: 'answer', records: [{ type: 'A', data: '127.0.0.99' }] } }],
    });
  });
  afterAll(async () => {
    await chaos?.close();
    await upstream?.stop();
    if (saved === undefined) delete process.env.TURBULENCE_HOME;
    else process.env.TURBULENCE_HOME = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves through the chaos server, keeps its own PID, and leaves nothing after stop', async () => {
    const out = join(dir, 'out.txt');
    const sup = new Supervisor();
    try {
      const record = await sup.start({
        name: 'resolver-app',
        command: 'sh',
        // getent reads /etc/resolv.conf through glibc; `exec sleep` keeps the PID the supervisor recorded.
        args: [
          '-c',
          `{ getent ahostsv4 db.example.test; getent ahostsv4 cache.example.test; echo "pid $$"; } > ${out}; exec sleep 60`,
        ],
        nameserver: chaos.nameserver,
      });
      await eventually(() => readFileSync(out, { flag: 'a+', encoding: 'utf8' }).includes('pid'), 5000, 50);
      const text = readFileSync(out, 'utf8');
      expect(text).toMatch(/^127\.0\.0\.31\s/m); // the upstream's answer, through the chaos server
      expect(text).toMatch(/^127\.0\.0\.99\s/m); // the rule's spoofed answer
      expect(text).toContain(`pid ${record.pid}`); // unshare and sh exec'd into the command
      expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(machineResolvConf);
      await sup.stopAll();
      expect(await isSameProcess(record.pid, record.startTime)).toBe(false);
    } finally {
      await sup.stopAll();
    }
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(machineResolvConf);
  });

  it('refuses a nameserver that is not an IP address', async () => {
    const sup = new Supervisor();
    await expect(sup.start({ name: 'bad-ns', command: 'true', nameserver: 'dns.example.test:53' })).rejects.toThrow(
      /nameserver/,
    );
  });
});
