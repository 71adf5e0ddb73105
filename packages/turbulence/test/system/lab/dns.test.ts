/**
 * Chaos DNS in a lab: unmodified programs inside lab hosts (getent, dig without @server, Node's dns.lookup) resolve
 * through the lab's chaos server and see its rules, added from the lab file, through the `dns.rule` fault driver
 * and through the control API; `lab down` (also after SIGKILL of the supervisor) leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleDriver } from '../../../src/faults/dns/rule.js';
import { labDown, labStatus, labUp, parseLabSpec, type RunningLab } from '../../../src/lab/index.js';
import { alive, signal, sleep, waitExit } from '../../../src/os/signals.js';
import { cliTimeout, runCli } from '../../support/cli.js';
import { requireSystem, which } from '../../support/system.js';
import { startDnsmasq, type Dnsmasq } from '../dns/dnsmasq.js';
import { netnsMatching, uniqueName, uniqueSubnet, useTempHome, writeLab } from './helpers.js';
import { ctx } from './netlab.js';

const sys = requireSystem('root', 'ip', 'dnsmasq', 'dig');
const machineResolvConf = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';

/**
 * Runs a command inside a namespace without blocking the event loop: the first suite's chaos server runs in this
 * very process (labUp), so a synchronous exec would keep it from answering.
 */
function inNetns(ns: string, argv: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, ...argv], { timeout: 15_000 }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout });
    });
  });
}
const getent = (ns: string, name: string) => inNetns(ns, ['getent', 'ahostsv4', name]);
const firstAddress = async (p: Promise<{ stdout: string }>) => (await p).stdout.split(/\s+/)[0] ?? '';
const lookup = async (ns: string, name: string) =>
  (
    await inNetns(ns, [
      process.execPath,
      '-e',
      "require('dns').lookup(process.argv[1], { family: 4 }, (e, a) => console.log(e ? e.code : a))",
      name,
    ])
  ).stdout.trim();
/** dig with no @server: it reads /etc/resolv.conf like any stub. */
const digStatus = async (ns: string, name: string) =>
  /status: (\w+)/.exec((await inNetns(ns, ['dig', '+tries=1', '+time=3', name])).stdout)?.[1];

/** What must be gone after `down`: namespaces, /etc/netns files, and the machine's resolv.conf untouched. */
function expectNothingLeft(name: string): void {
  expect(netnsMatching(`tb-${name}`)).toEqual([]);
  const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns') : [];
  expect(etc.filter((d) => d.startsWith(`tb-${name}`))).toEqual([]);
  expect(existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '').toBe(machineResolvConf);
}

describe.skipIf(sys.skip)('chaos DNS in a lab (upstream: dnsmasq on a lab host)', () => {
  const name = uniqueName();
  let lab: RunningLab;
  let client = '';
  let nsHost = '';

  beforeAll(async () => {
    useTempHome();
    const dnsmasq =
      `exec ${which('dnsmasq') ?? 'dnsmasq'} --keep-in-foreground --no-resolv --no-hosts --bind-interfaces ` +
      '--user=root --pid-file= --listen-address=$TURBULENCE_LAB_ADDRESS --port=53 --local=/test/ --no-negcache ' +
      '--host-record=svc.lab.test,10.123.0.7 --host-record=other.lab.test,10.123.0.8';
    const spec = parseLabSpec(`
name: ${name}
subnet: ${uniqueSubnet()}
hostAccess: true
dns:
  upstream: ns
  rules:
    - { id: spoof, name: spoofed.lab.test, action: { type: answer, records: [{ type: A, data: 10.123.0.99 }] } }
hosts:
  - name: ns
    dns: false
    services:
      - name: dnsmasq
        command: "${dnsmasq}"
        ready: { tcp: 53, timeout: 15s }
  - name: a
`);
    lab = await labUp(spec);
    client = lab.state.hosts.find((h) => h.name === 'a')!.netns;
    nsHost = lab.state.hosts.find((h) => h.name === 'ns')!.netns;
  });
  afterAll(async () => {
    await lab?.down();
  });

  it('writes a resolv.conf naming the gateway for every host except the one that opted out', async () => {
    const gw = `${lab.state.subnet.replace(/\.0\/24$/, '.')}1`;
    expect(lab.state.dns).toMatchObject({
      nameserver: gw,
      upstream: `${lab.state.hosts[0]!.address}:53`,
      hosts: ['a'],
    });
    expect(readFileSync(`/etc/netns/${client}/resolv.conf`, 'utf8')).toContain(`nameserver ${gw}\n`);
    expect(existsSync(`/etc/netns/${nsHost}/resolv.conf`)).toBe(false);
    expect((await inNetns(client, ['cat', '/etc/resolv.conf'])).stdout).toContain(`nameserver ${gw}`);
    expect((await inNetns(nsHost, ['cat', '/etc/resolv.conf'])).stdout).toBe(machineResolvConf);
  });

  it('gives unmodified programs the upstream answer without a rule, and the lab file rule\u2019s spoof', async () => {
    expect(await firstAddress(getent(client, 'svc.lab.test'))).toBe('10.123.0.7');
    expect(await lookup(client, 'svc.lab.test')).toBe('10.123.0.7');
    expect(await digStatus(client, 'svc.lab.test')).toBe('NOERROR');
    expect(await firstAddress(getent(client, 'spoofed.lab.test'))).toBe('10.123.0.99');
    expect(lab.dns?.listRules().find((r) => r.id === 'spoof')?.hits).toBeGreaterThanOrEqual(1);
  });

  it('applies a dns.rule fault against the API `lab status` reports, and reverting it restores the answer', async () => {
    const status = await labStatus(name);
    expect(status?.dns).toMatchObject({ serving: true, api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const [target] = await ruleDriver.resolveTargets({ api: status!.dns!.api! }, ctx());
    const params = { name: 'svc.lab.test', action: 'nxdomain' };
    await ruleDriver.inject(target!, params, ctx());
    try {
      expect((await getent(client, 'svc.lab.test')).code).toBe(2); // getent: key not found
      expect(await lookup(client, 'svc.lab.test')).toBe('ENOTFOUND');
      expect(await digStatus(client, 'svc.lab.test')).toBe('NXDOMAIN');
      expect(await firstAddress(getent(client, 'other.lab.test'))).toBe('10.123.0.8'); // other names unaffected
    } finally {
      await ruleDriver.revert({ id: 'f1', kind: 'dns.rule', target: target!, params }, ctx());
    }
    expect(await firstAddress(getent(client, 'svc.lab.test'))).toBe('10.123.0.7');
  });

  it('takes the lab down with its server and files, leaving the machine as it was', async () => {
    const api = lab.state.dns?.api as string;
    await lab.down();
    expectNothingLeft(name);
    await expect(fetch(`${api}/rules`)).rejects.toThrow();
  });
});

describe.skipIf(sys.skip)('chaos DNS in a lab from the CLI (upstream: dnsmasq on this machine)', () => {
  const name = uniqueName();
  let upstream: Dnsmasq;
  let file = '';

  beforeAll(async () => {
    useTempHome();
    upstream = await startDnsmasq({ 'web.example.test': ['10.124.0.5'] });
    file = writeLab(`
name: ${name}
subnet: ${uniqueSubnet()}
hostAccess: true
dns:
  upstream: ${upstream.address}
  seed: 7
hosts:
  - name: a
    services:
      - name: sleeper
        command: [sleep, "600"]
`);
  });
  afterAll(async () => {
    await labDown(name);
    await upstream?.stop();
  });

  it(
    'prints the control API, resolves through it in `lab exec`, and `lab down` cleans up after SIGKILL',
    { timeout: cliTimeout(8) },
    async () => {
      const up = await runCli(['lab', 'up', file]);
      expect(up.code).toBe(0);
      const api = /control API (http:\/\/127\.0\.0\.1:\d+)/.exec(up.stdout)?.[1];
      expect(api, up.stdout).toBeDefined();
      expect(up.stdout).toContain(`→ ${upstream.address}`);

      const exec = (n: string) => runCli(['lab', 'exec', name, 'a', '--', 'getent', 'ahostsv4', n]);
      expect(await firstAddress(exec('web.example.test'))).toBe('10.124.0.5');
      const add = await runCli([
        'dns',
        'rules',
        'add',
        '--api',
        api!,
        '--name',
        'web.example.test',
        '--action',
        'servfail',
      ]);
      expect(add.code, add.stderr).toBe(0);
      expect((await exec('web.example.test')).code).not.toBe(0);

      const status = await runCli(['lab', 'status', name]);
      expect(status.stdout).toContain(`control API ${api}`);
      const supervisor = (await labStatus(name))?.supervisor.pid as number;
      signal(supervisor, 'SIGKILL');
      expect(await waitExit([supervisor], 5000)).toEqual([]);
      await sleep(100);
      expect((await runCli(['lab', 'status', name])).stdout).toContain('NOT SERVING (supervisor gone)');

      const down = await runCli(['lab', 'down', name]);
      expect(down.code).toBe(0);
      expectNothingLeft(name);
      expect(alive(supervisor)).toBe(false);
      await expect(fetch(`${api}/rules`)).rejects.toThrow();
    },
  );
});
