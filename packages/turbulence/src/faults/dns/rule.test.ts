/** `dns.rule` against a real chaos DNS server and its control API (rules answer without an upstream). */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultContext } from '../../core/fault.js';
import { Rng } from '../../core/rng.js';
import { dnsQuery } from '../../dns/client.js';
import { createDnsServer, type DnsServer } from '../../dns/server.js';
import { writeLabState, type LabState } from '../../lab/state.js';
import { ruleDriver, ruleId } from './rule.js';

/** A loopback TCP port nothing listens on (bound, then released). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const ctx: FaultContext = { rng: new Rng(1), signal: new AbortController().signal };

describe('dns.rule fault', () => {
  let server: DnsServer;
  let api: string;
  let dns: string;

  beforeAll(async () => {
    server = createDnsServer({
      listen: '127.0.0.1:0',
      upstream: '127.0.0.1:9',
      api: '127.0.0.1:0',
      upstreamTimeoutMs: 200,
    });
    const addr = await server.start();
    api = addr.api as string;
    dns = `${addr.dns.host}:${addr.dns.port}`;
  });
  afterAll(() => server.close());

  it('injects a rule through the API, verifies it, and reverts it (twice safely)', async () => {
    const [target] = await ruleDriver.resolveTargets({ api }, ctx);
    expect(target).toMatchObject({ id: `dns-api:${api}`, type: 'dns-server' });
    const params = ruleDriver.params.parse({ name: 'svc.test', action: 'nxdomain' });
    const state = await ruleDriver.inject(target!, params, ctx);
    await ruleDriver.inject(target!, params, ctx);
    expect(server.listRules()).toHaveLength(1);
    expect(state).toEqual({ ruleId: ruleId(params) });
    const fault = { id: 'f-1', kind: 'dns.rule', target: target!, params };
    expect(await ruleDriver.verify!(fault, ctx)).toBe(true);
    expect((await dnsQuery({ server: dns, name: 'svc.test' })).rcode).toBe('NXDOMAIN');
    await ruleDriver.revert(fault, ctx);
    await ruleDriver.revert(fault, ctx);
    expect(await ruleDriver.verify!(fault, ctx)).toBe(false);
    expect(server.listRules()).toEqual([]);
    expect((await dnsQuery({ server: dns, name: 'svc.test' })).rcode).toBe('SERVFAIL');
  });

  it('reverts a rule whose inject never returned, from the params alone', async () => {
    const [target] = await ruleDriver.resolveTargets({ api }, ctx);
    const params = ruleDriver.params.parse({ id: 'mine', action: 'drop' });
    const put = await fetch(`${api}/rules/mine`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'drop' }),
    });
    expect(put.status).toBe(200);
    await ruleDriver.revert({ id: 'f-2', kind: 'dns.rule', target: target!, params }, ctx);
    expect(server.listRules()).toEqual([]);
  });

  it('rejects invalid rules through its params schema, naming the field', () => {
    const bad = ruleDriver.params.safeParse({ action: { type: 'delay', ms: 'soon' } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/"ms"/);
    expect(ruleDriver.params.safeParse({ action: 'nope' }).success).toBe(false);
  });

  it('refuses a target where no server answers, and treats a vanished server as reverted', async () => {
    const nobody = `http://127.0.0.1:${await closedPort()}`;
    await expect(ruleDriver.resolveTargets({ api: nobody }, ctx)).rejects.toMatchObject({
      code: 'TURB_ERR_TARGET_REFUSED',
    });
    await expect(ruleDriver.resolveTargets({ host: 'x' }, ctx)).rejects.toMatchObject({
      code: 'TURB_ERR_FAULT_INVALID_PARAMS',
    });
    const gone = { id: 'dns-api:x', type: 'dns-server', name: 'gone', attributes: { api: nobody } };
    await expect(
      ruleDriver.revert({ id: 'f', kind: 'dns.rule', target: gone, params: { action: 'drop' } }, ctx),
    ).resolves.toBeUndefined();
  });

  it('finds the API of a running lab from { lab: NAME }, and says what is missing otherwise', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dns-rule-lab-'));
    const saved = process.env.TURBULENCE_HOME;
    process.env.TURBULENCE_HOME = home;
    try {
      const lab = (dns?: LabState['dns']): LabState => ({
        name: 'shop',
        subnet: '10.79.0.0/24',
        switchNetns: 'tb-shop_sw',
        rootLinks: [],
        hosts: [],
        status: 'ready',
        logDir: home,
        createdAt: new Date().toISOString(),
        ...(dns ? { dns } : {}),
      });
      await expect(ruleDriver.resolveTargets({ lab: 'shop' }, ctx)).rejects.toThrow('no lab named "shop" is up');
      writeLabState(lab());
      await expect(ruleDriver.resolveTargets({ lab: 'shop' }, ctx)).rejects.toThrow(
        'lab "shop" has no chaos DNS server',
      );
      writeLabState(lab({ nameserver: '10.79.0.1', upstream: '127.0.0.1:53', hosts: [] }));
      await expect(ruleDriver.resolveTargets({ lab: 'shop' }, ctx)).rejects.toThrow('is not serving');
      writeLabState(lab({ nameserver: '10.79.0.1', upstream: '127.0.0.1:53', hosts: [], api: `${api}/` }));
      const [target] = await ruleDriver.resolveTargets({ lab: 'shop' }, ctx);
      expect(target).toMatchObject({ id: `dns-api:${api}`, attributes: { api } });
      await expect(ruleDriver.resolveTargets({ lab: 'shop', api }, ctx)).rejects.toMatchObject({
        code: 'TURB_ERR_FAULT_INVALID_PARAMS',
      });
    } finally {
      if (saved === undefined) delete process.env.TURBULENCE_HOME;
      else process.env.TURBULENCE_HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
