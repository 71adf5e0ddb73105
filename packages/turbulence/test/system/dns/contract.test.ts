/**
 * Contract suites of the DNS side: every action of the action registry (`src/dns/actions/index.ts`) against a real
 * upstream (dnsmasq) through the chaos DNS server, with a real client; and the `dns.rule` fault kind under the
 * shared driver contract. A meta-test fails when an action is registered without a case here.
 *
 * For each action: no effect without a rule; a rule with probability 1 shows the effect on every query; removing
 * the rule restores the upstream's answer; probability 0 never fires; `count: 2` fires on exactly two queries.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dnsActions } from '../../../src/dns/actions/index.js';
import { dnsQuery, type DnsServer } from '../../../src/dns/index.js';
import { driverContract } from '../../support/driver-contract.js';
import { requireSystem } from '../../support/system.js';
import { startChaosInFront, type ChaosInFront } from './dnsmasq.js';

const sys = requireSystem('dnsmasq');
const NAME = 'one.test';
const ADDRESS = '127.0.0.9';

/** How to show one action's effect: the action as a rule takes it, and a query that tells whether it fired. */
interface ActionCase {
  action: unknown;
  /** True when the answer to one query shows the action's effect. */
  fired: (at: string) => Promise<boolean>;
}

const udp = (at: string, timeoutMs = 2000) => dnsQuery({ server: at, name: NAME, transport: 'udp', timeoutMs });
const rcodeIs = (rcode: string) => async (at: string) => (await udp(at)).rcode === rcode;

/** Every registered action, one case each (the meta-test below checks the two lists match). */
const CASES: Record<string, ActionCase> = {
  truncate: { action: 'truncate', fired: async (at) => (await udp(at)).tc },
  nxdomain: { action: 'nxdomain', fired: rcodeIs('NXDOMAIN') },
  servfail: { action: 'servfail', fired: rcodeIs('SERVFAIL') },
  refused: { action: 'refused', fired: rcodeIs('REFUSED') },
  drop: {
    action: 'drop',
    fired: (at) =>
      udp(at, 1500).then(
        () => false,
        () => true, // no answer at all: the client times out
      ),
  },
  delay: { action: { type: 'delay', ms: 900 }, fired: async (at) => (await udp(at)).latency_ms >= 880 },
  answer: {
    action: { type: 'answer', records: [{ type: 'A', data: '192.0.2.7' }] },
    fired: async (at) => (await udp(at)).addresses.join() === '192.0.2.7',
  },
  ttl: { action: { type: 'ttl', ttl: 7 }, fired: async (at) => (await udp(at)).answers[0]?.ttl === 7 },
  inflate: { action: { type: 'inflate', count: 5 }, fired: async (at) => (await udp(at)).answers.length > 1 },
  'flip-case': {
    action: 'flip-case',
    fired: async (at) => (await udp(at)).answers.some((a) => a.name.replace(/\.$/, '') === NAME.toUpperCase()),
  },
  'tcp-refuse': {
    action: 'tcp-refuse',
    fired: (at) =>
      dnsQuery({ server: at, name: NAME, transport: 'tcp', timeoutMs: 2000 }).then(
        () => false,
        () => true, // the connection is reset before any answer
      ),
  },
};

describe.skipIf(sys.skip)('DNS action contract (real upstream, real client)', () => {
  let chaos: ChaosInFront;
  let server: DnsServer;
  let at: string;
  beforeAll(async () => {
    chaos = await startChaosInFront({ [NAME]: [ADDRESS] }, { seed: 7, cache: false });
    ({ server, at } = chaos);
  });
  afterAll(() => chaos?.close());
  afterEach(() => server.engine.clear());

  it('has a case for every registered action', () => {
    expect(Object.keys(CASES).sort()).toEqual(dnsActions.map((a) => a.type).sort());
  });

  describe.each(Object.entries(CASES))('%s', (type, c) => {
    const rule = (extra: object) => ({ id: `contract-${type}`, name: NAME, action: c.action, ...extra });

    it('shows on every query with probability 1, and removing the rule restores the upstream answer', async () => {
      expect(await c.fired(at)).toBe(false);
      server.engine.add(rule({ probability: 1 }));
      expect(await c.fired(at)).toBe(true);
      expect(await c.fired(at)).toBe(true);
      expect(server.engine.remove(`contract-${type}`)).toBe(true);
      expect(await c.fired(at)).toBe(false);
      const r = await udp(at);
      expect([r.rcode, r.addresses]).toEqual(['NOERROR', [ADDRESS]]);
    });

    it('never fires with probability 0', async () => {
      server.engine.add(rule({ probability: 0 }));
      for (let i = 0; i < 3; i++) expect(await c.fired(at)).toBe(false);
    });

    it('fires exactly `count` times', async () => {
      server.engine.add(rule({ count: 2 }));
      const seen = [await c.fired(at), await c.fired(at), await c.fired(at)];
      expect(seen).toEqual([true, true, false]);
    });
  });
});

describe.skipIf(sys.skip)('dns.rule', () => {
  let chaos: ChaosInFront;
  let server: DnsServer;
  let at: string;
  let api: string;
  beforeAll(async () => {
    chaos = await startChaosInFront({ [NAME]: [ADDRESS] }, { api: '127.0.0.1:0', cache: false });
    ({ server, at } = chaos);
    api = chaos.api as string;
  });
  afterAll(() => chaos?.close());

  driverContract({
    kind: 'dns.rule',
    setup: () =>
      Promise.resolve({
        query: { api },
        params: { name: NAME, action: 'nxdomain' },
        inEffect: async () => (await udp(at)).rcode === 'NXDOMAIN',
        leftovers: () => Promise.resolve(server.engine.list().map((r) => `rule ${r.id}`)),
        cleanup: () => Promise.resolve(),
      }),
  });
});
