/**
 * The truncation story end to end, through the real CLI (`turbulence run`, built into dist by `npm run build`):
 * real dnsmasq, turbulence's chaos DNS server, a UDP-only stub and Node's RFC 7766 resolver.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSystem, inCI } from '../../packages/turbulence/test/support/system.js';
import { startStack, type Stack } from './cluster.js';
import { runExperimentWith, tcSeen } from './run.js';

const sys = requireSystem('dnsmasq');
const built = existsSync(join(import.meta.dirname, '../../packages/turbulence/dist/cli/main.js'));
if (!built && inCI) throw new Error('the CLI is not built: npm test builds it before the tests');
if (!built) console.warn('[skip] dns-truncation example needs `npm run build` first');

type AfterProbe = { output?: { resolved?: boolean; tc?: boolean; error?: string; addresses?: number } };
const after = (j: Record<string, unknown>) =>
  ((j.steady_states as { after: { probes: AfterProbe[] } }).after.probes[0] as AfterProbe).output;

describe.skipIf(sys.skip || !built)('examples/dns-truncation', () => {
  let stack: Stack;
  const out = mkdtempSync(join(tmpdir(), 'dns-truncation-test-'));
  // A ledger of our own, so the runs neither see nor touch faults of other tests on this machine.
  const env = { ...process.env, TURBULENCE_HOME: join(out, 'home') };

  beforeAll(async () => {
    stack = await startStack({ instances: 3, seed: 42 });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('deviates for the UDP-only stub, with the TC bit in the journal as the cause', async () => {
    const r = await runExperimentWith(stack, 'experiment.yaml', 'udp-only', out, env);
    expect(r).toMatchObject({ exitCode: 1, status: 'completed', deviated: true });
    expect(after(r.journal)).toEqual({
      client: 'udp-only',
      resolved: false,
      addresses: 0,
      tc: true,
      error: 'Name does not resolve',
    });
    expect(tcSeen(r.journal, 'dns-answer-over-plain-udp')).toBe(true);
    expect(readFileSync(stack.hostsFile, 'utf8').trim().split('\n')).toHaveLength(3); // rolled back
  }, 120_000);

  it('holds for the RFC 7766 client, which gets all 48 addresses over TCP', async () => {
    const r = await runExperimentWith(stack, 'experiment.yaml', 'rfc7766', out, env);
    expect(r).toMatchObject({ exitCode: 0, status: 'completed', deviated: false });
    expect(after(r.journal)).toMatchObject({ client: 'rfc7766', resolved: true, addresses: 48 });
    const viaTcp = (
      r.journal.run as { activity: { name: string }; output: { transport: string; addresses: string[] } }[]
    ).find((x) => x.activity.name === 'dns-answer-with-tcp-fallback');
    expect(viaTcp?.output).toMatchObject({ tc: true, transport: 'tcp' });
    expect(viaTcp?.output.addresses).toHaveLength(48);
  }, 120_000);

  it('deviates even for the RFC 7766 client while a dns.rule fault resets DNS over TCP, and reverts the rule', async () => {
    const r = await runExperimentWith(stack, 'experiment-tcp-blocked.yaml', 'rfc7766', out, env);
    expect(r).toMatchObject({ exitCode: 1, deviated: true });
    expect(after(r.journal)).toMatchObject({ resolved: false });
    const faults = r.journal.faults as { kind: string; reverted_at?: string }[];
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ kind: 'dns.rule' });
    expect(faults[0]?.reverted_at).toBeTruthy();
    expect(stack.server.listRules()).toEqual([]);
  }, 120_000);
});
