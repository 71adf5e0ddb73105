/**
 * The DNS-in-a-lab story, end to end: `lab up` (dnsmasq on one host, two unmodified apps on another, every host
 * resolving through the lab's chaos DNS server), `turbulence run` the experiment against each app, `lab down`.
 * SERVFAIL for the database name breaks the app that resolves on every request (exit 1) but not the one that
 * keeps its last answer (exit 0). Nothing of the lab is left afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSystem } from '../../packages/turbulence/test/support/system.js';
import { runCli } from '../../packages/turbulence/test/support/cli.js';

const sys = requireSystem('root', 'ip', 'dnsmasq');
const LAB = join(import.meta.dirname, 'lab.yaml');
const EXPERIMENT = join(import.meta.dirname, 'experiment.yaml');
const home = mkdtempSync(join(tmpdir(), 'tb-dnslab-'));
/** The namespaces of a lab named dnslab (`tb-dnslab.<host>`, `tb-dnslab_sw`). */
const labNamespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^tb-dnslab[._]/.test(l));
const busy = sys.skip ? false : labNamespaces().length > 0;
if (busy) console.warn('[skip] a lab named dnslab is already up on this machine');
const machineResolvConf = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';

/** The CLI from the sources, with this test's TURBULENCE_HOME; `out` is stdout and stderr as they came. */
const cli = (args: string[]) => runCli(args, { timeoutMs: 120_000, env: { ...process.env, TURBULENCE_HOME: home } });

describe.skipIf(sys.skip || busy)('examples/dns-lab', () => {
  beforeAll(async () => {
    const up = await cli(['lab', 'up', LAB]);
    expect(up.out).toContain('control API http://127.78.0.1:5380');
  }, 90_000);
  afterAll(async () => {
    await cli(['lab', 'down', LAB]);
    expect(labNamespaces()).toEqual([]);
    expect(existsSync('/etc/netns/tb-dnslab-app')).toBe(false);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(machineResolvConf);
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  const run = (app: string, journal: string) =>
    cli(['run', EXPERIMENT, '--var', `app=${app}`, '--journal-path', join(home, journal)]);

  it('deviates for the app that resolves its database on every request', async () => {
    const r = await run('http://10.78.0.12:8080/', 'fresh.json');
    expect(r.out).toContain('status 503 cannot resolve db: EAI_AGAIN');
    expect(r.out).toContain('reverted dns.rule');
    expect(r.code).toBe(1);
  }, 120_000);

  it('holds for the app that keeps its last good address while DNS fails', async () => {
    const r = await run('http://10.78.0.12:8081/', 'stale.json');
    expect(r.out).toContain('status 200 db at 10.78.0.21 (stale: EAI_AGAIN)');
    expect(r.code).toBe(0);
  }, 120_000);
});
