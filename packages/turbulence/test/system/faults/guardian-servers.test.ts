/**
 * The guardian and isolation for faults held by servers and files (issue 14 §1-2), no root needed: a toxic on a
 * proxy, a rule on the chaos DNS server, a clock offset. B is injected for 6 s and its runner SIGKILLed; A (2 s)
 * runs beside it on the same target and reverts only its own (or is refused when the two cannot coexist); after
 * B's expiry the guardian removes B with no `recover`, and nothing is left.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDnsServer } from '../../../src/dns/index.js';
import { createProxyServer } from '../../../src/proxy/index.js';
import { cliProcesses, runCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { hasProc, ledgerIds as ids, objectNameOf as nameOf, tempHome } from './helpers.js';

/** A service with one failpoint on its request path; writes its port when listening. */
const SERVICE = `
import { createServer } from 'node:http';
import { renameSync, writeFileSync } from 'node:fs';
import { failpoint } from '@turbulence/failpoints';
const server = createServer((req, res) => {
  try { failpoint('svc.handle'); res.end('fine'); } catch (err) { res.writeHead(500).end(String(err.code)); }
});
server.listen(0, '127.0.0.1', () => {
  writeFileSync(process.env.PORT_FILE + '.tmp', String(server.address().port));
  renameSync(process.env.PORT_FILE + '.tmp', process.env.PORT_FILE);
});`;

describe.skipIf(!hasProc)('servers and files: guardian and isolation (CLI)', { timeout: 120_000 }, () => {
  let env: ReturnType<typeof tempHome>;
  const cli = cliProcesses();
  const start = (args: string[]) => cli.start(args);
  const cleanups: (() => Promise<void>)[] = [];

  /** Injects B for 6 s, waits until `inEffect`, SIGKILLs its runner; returns B's ledger id. */
  async function killedB(args: string[], inEffect: () => Promise<boolean> | boolean): Promise<string> {
    const b = start(['fault', 'inject', ...args, '--duration', '6s']);
    expect(await eventually(async () => (await ids()).length === 1 && (await inEffect()), 60_000)).toBe(true);
    b.child.kill('SIGKILL');
    await b.exit;
    return (await ids())[0]!;
  }

  beforeEach(() => {
    env = tempHome();
  });
  afterEach(async () => {
    cli.killAll();
    await runCli(['recover', '--all']);
    for (const f of cleanups.splice(0)) await f();
    env.restore();
  });

  it('proxy.toxic: A reverts only its toxic; the guardian removes B’s after its runner was SIGKILLed', async () => {
    const server = await createProxyServer({ port: 0, seed: 1 });
    cleanups.push(() => server.close());
    await server.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    const toxics = async (): Promise<string[]> =>
      ((await (await fetch(`${server.url}/proxies/db/toxics`)).json()) as { name: string }[]).map((t) => t.name);
    const target = ['-t', 'proxy=db', '-t', `url=${server.url}`];
    const bId = await killedB(
      ['proxy.toxic', ...target, '-p', 'type=latency', '-p', 'attributes={"latency":100}'],
      async () => (await toxics()).length === 1,
    );
    expect(await toxics()).toEqual([nameOf(bId)]);
    const a = start([
      'fault',
      'inject',
      'proxy.toxic',
      ...target,
      '-p',
      'type=latency',
      '-p',
      'attributes={"latency":50}',
      '-d',
      '2s',
    ]);
    expect(await eventually(async () => (await toxics()).length === 2, 60_000)).toBe(true);
    expect(await a.exit).toBe(0);
    expect(await toxics()).toEqual([nameOf(bId)]);
    expect(await eventually(async () => (await toxics()).length === 0 && (await ids()).length === 0, 30_000)).toBe(
      true,
    );
  });

  it('dns.rule: A removes only its rule; the guardian removes B’s after its runner was SIGKILLed', async () => {
    const server = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:9', api: '127.0.0.1:0' });
    const addr = await server.start();
    cleanups.push(() => server.close());
    const rules = () => server.listRules().map((r) => r.id);
    const target = ['-t', `api=${addr.api as string}`];
    const bId = await killedB(
      ['dns.rule', ...target, '-p', 'name=b.test', '-p', 'action=nxdomain'],
      () => rules().length === 1,
    );
    expect(rules()).toEqual([nameOf(bId)]);
    const a = start([
      'fault',
      'inject',
      'dns.rule',
      ...target,
      '-p',
      'name=b.test',
      '-p',
      'action=servfail',
      '-d',
      '2s',
    ]);
    expect(await eventually(() => rules().length === 2, 60_000)).toBe(true);
    expect(await a.exit).toBe(0);
    expect(rules()).toEqual([nameOf(bId)]);
    expect(await eventually(async () => rules().length === 0 && (await ids()).length === 0, 30_000)).toBe(true);
  });

  it('time.skew: a second skew of one clock is refused; the guardian zeroes B’s offset after SIGKILL', async () => {
    const clock = join(env.home, 'clock');
    writeFileSync(clock, '+0\n');
    const offset = () => readFileSync(clock, 'utf8').trim();
    const bId = await killedB(
      ['time.skew', '-t', `clockFile=${clock}`, '-p', 'offset=+1h'],
      () => offset() === '+3600',
    );
    const a = start(['fault', 'inject', 'time.skew', '-t', `clockFile=${clock}`, '-p', 'offset=-1h', '-d', '2s']);
    expect(await a.exit).not.toBe(0);
    expect(a.out()).toContain(`cannot coexist with time.skew ${bId}`);
    expect(offset()).toBe('+3600');
    expect(await eventually(async () => offset() === '+0' && (await ids()).length === 0, 30_000)).toBe(true);
  });

  it('failpoint.set: a second setting of one failpoint is refused; the guardian removes B’s after SIGKILL', async () => {
    const files = { port: join(env.home, 'port'), announce: join(env.home, 'announce.json') };
    const service = spawn(
      process.execPath,
      ['--import', '@turbulence/failpoints/register', '--input-type=module', '-e', SERVICE],
      {
        env: {
          ...process.env,
          PORT_FILE: files.port,
          TURBULENCE_FAILPOINTS_ADDR: '127.0.0.1:0',
          TURBULENCE_FAILPOINTS_ANNOUNCE: files.announce,
        },
        stdio: 'ignore',
      },
    );
    cleanups.push(() => {
      service.kill('SIGKILL');
      return Promise.resolve();
    });
    expect(await eventually(() => existsSync(files.port) && existsSync(files.announce), 30_000)).toBe(true);
    const url = `http://127.0.0.1:${readFileSync(files.port, 'utf8')}/`;
    const failing = async () => (await fetch(url)).status === 500;
    const target = ['-t', `announce=${files.announce}`];
    const bId = await killedB(
      ['failpoint.set', ...target, '-p', 'name=svc.handle', '-p', 'actions=error(EIO)'],
      failing,
    );
    const a = start([
      'fault',
      'inject',
      'failpoint.set',
      ...target,
      '-p',
      'name=svc.handle',
      '-p',
      'actions=error(EACCES)',
      '-d',
      '2s',
    ]);
    expect(await a.exit).not.toBe(0);
    expect(a.out()).toContain(`cannot coexist with failpoint.set ${bId}`);
    expect(await failing()).toBe(true);
    expect(await eventually(async () => !(await failing()) && (await ids()).length === 0, 30_000)).toBe(true);
  });
});
