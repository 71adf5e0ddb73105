/** `turbulence dns serve` and `turbulence dns query` as real processes, against dnsmasq. */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsQuery } from '../../../src/dns/client.js';
import { cliArgv } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { randomLoopback, startDnsmasq, type Dnsmasq } from './dnsmasq.js';

const sys = requireSystem('dnsmasq');
/** Node's arguments that start the CLI from the sources (test/support/cli.ts). */
const node = (args: string[]) => cliArgv(args).slice(1);

describe.skipIf(sys.skip)('turbulence dns CLI', () => {
  let upstream: Dnsmasq;
  let child: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-dns-cli-'));

  beforeAll(async () => {
    upstream = await startDnsmasq({ 'svc.example.test': ['127.0.0.21', '127.0.0.22'], 'ok.test': ['127.0.0.23'] });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await upstream?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves with rules from a file, logs queries, takes rules over the API and stops cleanly on SIGTERM', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - id: trunc\n    name: svc.example.test\n    action: truncate\n');
    const { host, port } = randomLoopback();
    // The API on the same random 127.x address as the DNS server: a port on 127.0.0.1 may be some ephemeral
    // port of another test's connection.
    const apiPort = port + 1;
    child = spawn(
      process.execPath,
      node([
        'dns',
        'serve',
        '--listen',
        `${host}:${port}`,
        '--upstream',
        upstream.address,
        '--rules',
        rules,
        '--api',
        `${host}:${apiPort}`,
        '--seed',
        '5',
        '--log',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(() => out.includes('turbulence dns on'), 20_000, 100);
    expect(out).toContain(
      `turbulence dns on ${host}:${port} (udp+tcp) → ${upstream.address} (seed 5, 1 rules, cache 10000 answers, control API http://${host}:${apiPort})`,
    );

    expect(await dnsQuery({ server: `${host}:${port}`, name: 'svc.example.test', transport: 'udp' })).toMatchObject({
      tc: true,
    });
    const added = await fetch(`http://${host}:${apiPort}/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ok.test', action: 'nxdomain' }),
    });
    expect(added.status).toBe(201);
    expect((await dnsQuery({ server: `${host}:${port}`, name: 'ok.test' })).rcode).toBe('NXDOMAIN');
    await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/udp A svc\.example\.test rules=trunc → answered NOERROR TC/);

    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('reports a bad rules file with its line and exits non-zero', async () => {
    const rules = join(dir, 'bad.yaml');
    writeFileSync(rules, '- name: a.test\n  action: nxdomain\n- name: b.test\n  action: explode\n');
    const run = promisify(execFile);
    const err = await run(
      process.execPath,
      node(['dns', 'serve', '--listen', '127.0.0.1:0', '--upstream', upstream.address, '--rules', rules]),
    ).catch((e: { stderr: string; code: number }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/bad\.yaml:3:3.*explode/);
  });

  it('serves without a cache under --no-cache and refuses --cache-size 0', async () => {
    const { host, port } = randomLoopback();
    const run = promisify(execFile);
    const bad = await run(
      process.execPath,
      node(['dns', 'serve', '--listen', `${host}:${port}`, '--upstream', upstream.address, '--cache-size', '0']),
    ).catch((e: { stderr: string; code: number }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toMatch(/--cache-size must be at least 1/);
    const serve = spawn(
      process.execPath,
      node(['dns', 'serve', '--listen', `${host}:${port}`, '--upstream', upstream.address, '--no-cache']),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      serve.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await eventually(() => out.includes('turbulence dns on'), 20_000, 100);
      expect(out).toMatch(/0 rules, no cache\)/);
      expect((await dnsQuery({ server: `${host}:${port}`, name: 'ok.test' })).addresses).toEqual(['127.0.0.23']);
    } finally {
      const exited = new Promise((r) => serve.once('exit', r));
      serve.kill('SIGTERM');
      await exited;
    }
  });

  it('queries a server and prints the answer as JSON', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      node(['dns', 'query', 'ok.test', '--server', upstream.address, '--transport', 'udp']),
    );
    expect(JSON.parse(stdout)).toMatchObject({ rcode: 'NOERROR', tc: false, addresses: ['127.0.0.23'] });
  });
});
