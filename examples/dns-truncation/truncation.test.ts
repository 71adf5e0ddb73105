/**
 * The truncation story with resolvers nobody here wrote (run.ts): musl's getaddrinfo, busybox nslookup, glibc's
 * getent, dig and Node's c-ares, each run unmodified in a lab host whose resolv.conf names turbulence's chaos DNS
 * server. Every assertion reads the resolver's own output and exit code; the transport comes from the chaos
 * server's per-transport counters. Nothing of the lab is left afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSystem } from '../../packages/turbulence/test/support/system.js';
import { runCli } from '../../packages/turbulence/test/support/cli.js';
import { LAB } from './clients.js';
import { tellStory, table, type Story } from './run.js';

const sys = requireSystem('root', 'ip', 'dnsmasq', 'dig', 'busybox', 'musl-gcc');
const labNamespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^tb-dnstc[._]/.test(l));
const busy = sys.skip ? false : labNamespaces().length > 0;
if (busy) console.warn('[skip] a lab named dnstc is already up on this machine');

describe.skipIf(sys.skip || busy)('examples/dns-truncation: real resolvers', () => {
  const home = mkdtempSync(join(tmpdir(), 'tb-dnstc-'));
  const env = { ...process.env, TURBULENCE_HOME: home };
  const cli = (args: string[]) => runCli(args, { timeoutMs: 120_000, env });
  let story: Story;
  const row = (records: number, server: string, client: string) => {
    const r = story.rows.find((x) => x.records === records && x.server === server && x.client === client);
    if (!r) throw new Error(`no row ${records} ${server} ${client}`);
    return r;
  };

  beforeAll(async () => {
    const up = await cli(['lab', 'up', LAB]);
    expect(up.code, up.out).toBe(0);
    process.env.TURBULENCE_HOME = home; // run.ts's CLI calls inherit this test's ledger
    story = await tellStory(home);
    console.log(table(story));
  }, 240_000);
  afterAll(async () => {
    await cli(['lab', 'down', LAB]);
    expect(labNamespaces()).toEqual([]);
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('at 8 records the answer fits: every resolver gets all 8 over UDP, whatever the server does', () => {
    for (const server of ['natural', 'stripped'])
      for (const client of ['musl', 'busybox', 'glibc', 'dig', 'c-ares'])
        expect(row(8, server, client), `${server} ${client}`).toMatchObject({ addresses: 8, transport: 'udp' });
  });

  it('at 48 records glibc, dig and c-ares retry over TCP and get all 48, in both server behaviours', () => {
    for (const server of ['natural', 'stripped'])
      for (const client of ['glibc', 'dig', 'c-ares'])
        expect(row(48, server, client), `${server} ${client}`).toMatchObject({
          addresses: 48,
          transport: 'udp → tcp',
          exitCode: 0,
        });
  });

  it('musl (no TCP fallback before 1.2.4) fails with "Name does not resolve" when the server strips the records', () => {
    if (story.musl.tcpFallback) {
      expect(row(48, 'stripped', 'musl')).toMatchObject({ addresses: 48, transport: 'udp → tcp' });
      return;
    }
    expect(row(48, 'stripped', 'musl')).toMatchObject({
      addresses: 0,
      transport: 'udp',
      exitCode: 2,
      error: 'svc48.example.test: Name does not resolve',
    });
    // ...and silently uses the 29 records that fit when the server keeps them.
    expect(row(48, 'natural', 'musl')).toMatchObject({ addresses: 29, transport: 'udp', exitCode: 0 });
  });

  it('busybox nslookup prints no address at all for the stripped answer, and 29 of 48 for the natural one', () => {
    expect(row(48, 'stripped', 'busybox')).toMatchObject({ addresses: 0, transport: 'udp' });
    expect(row(48, 'stripped', 'busybox').output).toContain('Non-authoritative answer:');
    expect(row(48, 'natural', 'busybox')).toMatchObject({ addresses: 29, transport: 'udp' });
  });

  it("the experiment deviates at 48 records, with each resolver's own output in the journal, and reverts the rule", () => {
    const { exitCode, journal } = story.experiment;
    expect(exitCode).toBe(1);
    expect(journal).toMatchObject({ status: 'completed', deviated: true });
    type Probe = {
      activity: { name: string };
      output: { status: number; stdout: string; stderr: string };
      tolerance_met?: boolean;
    };
    const states = journal.steady_states as { before: { probes: Probe[] }; after: { probes: Probe[] } };
    const before = (n: string) => states.before.probes.find((p) => p.activity.name === n) as Probe;
    const during = (n: string) =>
      (journal.run as Probe[]).find((p) => p.activity.name === `${n}-during-the-fault`) as Probe;
    const addresses = (p: Probe) => p.output.stdout.match(/10\.79\.48\.\d+/g) ?? [];
    // Before the fault (natural truncation) every resolver finds the service: musl and busybox with 29 of 48.
    expect(states.before.probes.map((p) => p.tolerance_met)).toEqual([true, true, true, true, true]);
    expect(addresses(before('musl-getaddrinfo'))).toHaveLength(story.musl.tcpFallback ? 48 : 29);
    expect(states.after.probes.some((p) => p.tolerance_met === false)).toBe(true);
    if (!story.musl.tcpFallback) {
      expect(during('musl-getaddrinfo').output).toMatchObject({ status: 2 });
      expect(during('musl-getaddrinfo').output.stderr).toContain('Name does not resolve');
    }
    expect(addresses(during('busybox-nslookup'))).toEqual([]);
    for (const n of ['glibc-getent', 'dig', 'node-c-ares']) expect(new Set(addresses(during(n))).size, n).toBe(48);
    const faults = journal.faults as { kind: string; reverted_at?: string }[];
    expect(faults).toEqual([expect.objectContaining({ kind: 'dns.rule', reverted_at: expect.any(String) })]);
  });
});
