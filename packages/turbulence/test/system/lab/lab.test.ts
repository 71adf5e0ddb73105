import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labStatus, labStatePath, readLabState } from '../../../src/lab/index.js';
import { alive, sleep } from '../../../src/os/signals.js';
import { cliTimeout, runCli } from '../../support/cli.js';
import { eventually } from '../../support/eventually.js';
import { requireSystem } from '../../support/system.js';
import { inNetns, netnsMatching, pidsWithMarker, uniqueName, uniqueSubnet, useTempHome, writeLab } from './helpers.js';

const sys = requireSystem('root', 'ip', 'nft');

describe.skipIf(sys.skip)('turbulence lab', () => {
  const name = uniqueName();
  const marker = `tbmark${name}`;
  const crashName = uniqueName();
  useTempHome();
  const web = (host: string) =>
    `[node, -e, "require('http').createServer((q,s)=>s.end('${host}')).listen(8080) /* ${marker} */"]`;
  const file = writeLab(`
name: ${name}
subnet: ${uniqueSubnet()}
hosts:
  - name: alpha
    services:
      - name: web
        command: ${web('alpha')}
        ready: { tcp: 8080, timeout: 15s }
        restart: on-failure
  - name: beta
    services:
      - name: web
        command: ${web('beta')}
        ready: { http: "http://beta:8080/", timeout: 15s }
`);

  beforeAll(async () => {
    const up = await runCli(['lab', 'up', file]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
  });
  afterAll(async () => {
    await labDown(name);
    await labDown(crashName);
  });

  it('builds one namespace per host plus the switch, with addresses only inside them', () => {
    expect(netnsMatching(`tb-${name}`).sort()).toEqual([`tb-${name}.alpha`, `tb-${name}.beta`, `tb-${name}_sw`]);
    const addr = inNetns(`tb-${name}.alpha`, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']).stdout;
    expect(addr).toMatch(/inet 10\.\d+\.\d+\.11\/24/);
    expect(execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' })).not.toContain(addr.split(' ')[6] ?? 'x');
  });

  it('resolves host names inside the lab and carries traffic between hosts', () => {
    const res = inNetns(`tb-${name}.alpha`, ['curl', '-s', '-m', '3', 'http://beta:8080/']);
    expect(res).toEqual({ code: 0, stdout: 'beta' });
  });

  it('reports hosts and running services in status', { timeout: cliTimeout(1) }, async () => {
    const s = await labStatus(name);
    expect(s?.status).toBe('ready');
    expect(s?.hosts.map((h) => [h.name, h.present, h.services.map((x) => x.alive)])).toEqual([
      ['alpha', true, [true]],
      ['beta', true, [true]],
    ]);
    const out = await runCli(['lab', 'status', file]);
    expect(out.stdout).toMatch(/alpha\s+10\.\d+\.\d+\.11/);
  });

  it('runs a command inside a host with lab exec and passes its exit code on', { timeout: cliTimeout(2) }, async () => {
    const ok = await runCli(['lab', 'exec', file, 'beta', '--', 'curl', '-s', 'http://alpha:8080/']);
    expect(ok).toMatchObject({ code: 0, stdout: 'alpha' });
    const bad = await runCli(['lab', 'exec', file, 'beta', '--', 'sh', '-c', 'exit 3']);
    expect(bad.code).toBe(3);
  });

  it('restarts a service with restart: on-failure after it is killed, and logs per host', async () => {
    const before = readLabState(name)?.hosts[0]?.services.web?.pid as number;
    process.kill(before, 'SIGKILL');
    const restarted = () => readLabState(name)?.hosts[0]?.services.web?.pid;
    await eventually(() => ![undefined, before].includes(restarted()), 6000, 100);
    expect(restarted()).not.toBe(before);
    expect(readLabState(name)?.hosts[0]?.services.web?.restarts).toBe(1);
    const log = readLabState(name)?.hosts[0]?.services.web?.log as string;
    expect(() => readFileSync(log)).not.toThrow();
  });

  it('leaves no namespace and no process behind after down', { timeout: cliTimeout(2) }, async () => {
    const down = await runCli(['lab', 'down', file]);
    expect(down.code).toBe(0);
    expect(netnsMatching(`tb-${name}`)).toEqual([]);
    expect(pidsWithMarker(marker)).toEqual([]);
    expect(() => readFileSync(labStatePath(name))).toThrow();
    expect((await runCli(['lab', 'down', file])).stdout).toContain('nothing to remove');
  });

  it('cleans up from the state file after the lab up process is SIGKILLed', { timeout: cliTimeout(2) }, async () => {
    const crashMarker = `tbmark${crashName}`;
    const crashFile = writeLab(`
name: ${crashName}
subnet: ${uniqueSubnet()}
hosts:
  - name: one
    services:
      - name: sleeper
        command: "sleep 300 # ${crashMarker}"
        ready: { exec: "true" }
  - name: two
`);
    expect((await runCli(['lab', 'up', crashFile])).code).toBe(0);
    const sup = readLabState(crashName)?.supervisorPid as number;
    expect(alive(sup)).toBe(true);
    process.kill(sup, 'SIGKILL');
    await sleep(200);
    expect(pidsWithMarker(crashMarker).length).toBeGreaterThan(0);
    expect((await runCli(['lab', 'down', crashName])).code).toBe(0);
    expect(netnsMatching(`tb-${crashName}`)).toEqual([]);
    expect(pidsWithMarker(crashMarker)).toEqual([]);
  });
});
