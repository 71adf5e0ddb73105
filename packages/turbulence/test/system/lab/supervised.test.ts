/**
 * Lab services as managed processes of the one supervisor, and the lab defects of issue 14: a restart of the last
 * running service, injective namespace names, a failed `up` that removes only its own objects, `lab down` that
 * checks the supervisor's start time, `recover` after a SIGKILLed `lab up`, and `process.stop` on
 * `{ lab, host, service }`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { isSameProcess, readProc, startTimeOfSync } from '../../../src/os/proc.js';
import { labDown, labUp, parseLabSpec, readLabState, type LabState } from '../../../src/lab/index.js';
import { writeLabState } from '../../../src/lab/state.js';
import { readRecord } from '../../../src/supervisor/record.js';
import { alive, sleep } from '../../../src/os/signals.js';
import { requireSystem } from '../../support/system.js';
import { eventually } from '../../support/eventually.js';
import { netnsMatching, pidsWithMarker, uniqueName, uniqueSubnet, useTempHome, writeLab } from './helpers.js';
import { runCli } from '../../support/cli.js';

const sys = requireSystem('root', 'ip');

describe.skipIf(sys.skip)('lab services under the one supervisor', { timeout: 120_000 }, () => {
  useTempHome();
  const labs: string[] = [];
  afterAll(async () => {
    for (const name of labs) await labDown(name);
    for (const name of labs) for (const ns of netnsMatching(`tb-${name}`)) execFileSync('ip', ['netns', 'del', ns]);
  });
  const lab = (yaml: string, name = uniqueName()): { name: string; file: string } => {
    labs.push(name);
    return { name, file: writeLab(`name: ${name}\nsubnet: ${uniqueSubnet()}\n${yaml}`) };
  };
  const service = (state: LabState | undefined, host: string, svc: string) =>
    state?.hosts.find((h) => h.name === host)?.services[svc];

  it('restarts a failed service with restart: on-failure when it is the last one running', async () => {
    const marker = `tbmark${uniqueName()}`;
    const { name, file } = lab(`hosts:
  - name: solo
    services:
      - name: only
        command: "sleep 300 # ${marker}"
        restart: on-failure
        restartDelay: 200ms
`);
    expect((await runCli(['lab', 'up', file])).code).toBe(0);
    const state = readLabState(name);
    const sup = state?.supervisor;
    const before = service(state, 'solo', 'only')?.pid as number;
    process.kill(before, 'SIGKILL');
    const restarted = await eventually(() => {
      const now = service(readLabState(name), 'solo', 'only');
      return now?.pid !== undefined && now.pid !== before && now.status === 'running';
    }, 10_000);
    expect(restarted).toBe(true);
    expect(service(readLabState(name), 'solo', 'only')?.restarts).toBe(1);
    expect(await isSameProcess(sup?.pid as number, sup?.startTime as string)).toBe(true);
    expect(pidsWithMarker(marker)).toHaveLength(1);
    expect((await runCli(['lab', 'down', name])).code).toBe(0);
    expect(pidsWithMarker(marker)).toEqual([]);
  });

  it('gives up on a crash-looping service after 5 restarts in 10 s, and the supervisor stays up', async () => {
    const { name, file } = lab(`hosts:
  - name: solo
    services:
      - name: loop
        command: [sh, -c, "sleep 0.2; exit 1"]
        restart: on-failure
        restartDelay: 50ms
`);
    expect((await runCli(['lab', 'up', file])).code).toBe(0);
    const sup = readLabState(name)?.supervisor;
    const gaveUp = () => {
      const s = service(readLabState(name), 'solo', 'loop');
      return s?.status === 'failed' && s.restarts === 5;
    };
    expect(await eventually(gaveUp, 20_000)).toBe(true);
    await sleep(1500);
    expect(service(readLabState(name), 'solo', 'loop')).toMatchObject({ status: 'failed', restarts: 5, exitCode: 1 });
    expect(await isSameProcess(sup?.pid as number, sup?.startTime as string)).toBe(true);
    expect(readLabState(name)?.status).toBe('ready');
    expect((await runCli(['lab', 'down', name])).code).toBe(0);
  });

  it('keeps lab x-y host z apart from lab x host y-z, and takes down one without the other', async () => {
    const x = uniqueName();
    const a = lab(`hosts:\n  - name: z\n`, `${x}-y`);
    const b = lab(`hosts:\n  - name: y-z\n`, x);
    const upA = await labUp(parseLabSpec(readText(a.file)));
    const upB = await labUp(parseLabSpec(readText(b.file)));
    try {
      const nsA = upA.state.hosts[0]?.netns as string;
      const nsB = upB.state.hosts[0]?.netns as string;
      expect(nsA).not.toBe(nsB);
      expect(netnsMatching(nsA)).toEqual([nsA]);
      await upB.down();
      expect(netnsMatching(nsA)).toEqual([nsA]);
      expect(netnsMatching(nsB)).toEqual([]);
    } finally {
      await upB.down();
      await upA.down();
    }
  });

  it('removes only what it created when up fails: a namespace it did not make stays', async () => {
    const { name, file } = lab(`hosts:\n  - name: one\n  - name: two\n`);
    const spec = parseLabSpec(readText(file));
    const foreign = `tb-${name}.two`;
    execFileSync('ip', ['netns', 'add', foreign]);
    try {
      await expect(labUp(spec)).rejects.toThrow(/exists already/);
      expect(netnsMatching(foreign)).toEqual([foreign]);
      expect(netnsMatching(`tb-${name}`)).toEqual([foreign]);
      expect(readLabState(name)).toBeUndefined();
    } finally {
      execFileSync('ip', ['netns', 'del', foreign]);
    }
  });

  it('removes what it created when a service is never ready, and leaves another lab alone', async () => {
    const other = lab(`hosts:\n  - name: keep\n`);
    const kept = await labUp(parseLabSpec(readText(other.file)));
    try {
      const { name, file } = lab(`hosts:
  - name: one
    services:
      - name: bad
        command: [sh, -c, "exit 3"]
        ready: { tcp: 9, timeout: 5s }
`);
      await expect(labUp(parseLabSpec(readText(file)))).rejects.toThrow(/one\/bad did not become ready/);
      expect(netnsMatching(`tb-${name}`)).toEqual([]);
      expect(await readRecord(`${name}.one.bad`)).toBeUndefined();
      expect(netnsMatching(kept.state.hosts[0]?.netns as string)).toHaveLength(1);
    } finally {
      await kept.down();
    }
  });

  it('lab down does not kill a pid whose start time is not the recorded supervisor', async () => {
    const { name } = lab('hosts:\n  - name: one\n');
    const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
    const pid = bystander.pid as number;
    try {
      await eventually(() => startTimeOfSync(pid) !== undefined, 2000);
      const state: LabState = {
        name,
        subnet: '10.1.2.0/24',
        switchNetns: `tb-${name}_sw`,
        rootLinks: [],
        hosts: [],
        supervisorPid: pid,
        // the pid is alive, but with another start time: a recycled pid, not the supervisor
        supervisor: { pid, startTime: `${Number(startTimeOfSync(pid)) - 1}`, host: hostname() },
        created: [],
        status: 'ready',
        logDir: '/nonexistent',
        createdAt: new Date().toISOString(),
      };
      writeLabState(state);
      expect((await labDown(name, 1000)).found).toBe(true);
      await sleep(300);
      expect(alive(pid)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
    }
  });

  it('process.stop with a { lab, host, service } target pauses the real service; revert resumes it', async () => {
    const { name, file } = lab(`hosts:
  - name: one
    services:
      - name: sleeper
        command: [sleep, "300"]
`);
    expect((await runCli(['lab', 'up', file])).code).toBe(0);
    const pid = service(readLabState(name), 'one', 'sleeper')?.pid as number;
    const target = ['-t', `lab=${name}`, '-t', 'host=one', '-t', 'service=sleeper'];
    const inject = await runCli(['fault', 'inject', 'process.stop', ...target, '--detach']);
    expect(inject.stderr).toBe('');
    expect(inject.stdout).toContain(`${name}.one.sleeper (pid ${pid})`);
    expect(await readProc(pid)).toMatchObject({ state: 'T', comm: 'sleep' });
    const id = /id (process-stop-\S+)/.exec(inject.stdout)?.[1] as string;
    expect((await runCli(['fault', 'revert', id])).code).toBe(0);
    expect(await eventually(async () => (await readProc(pid))?.state !== 'T', 3000)).toBe(true);
    const wrong = await runCli([
      'fault',
      'inject',
      'process.stop',
      '-t',
      `lab=${name}`,
      '-t',
      'host=one',
      '-t',
      'service=x',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('has no service');
    expect((await runCli(['lab', 'down', name])).code).toBe(0);
  });

  it('a SIGKILLed lab up leaves namespaces and services; recover removes them', async () => {
    const marker = `tbmark${uniqueName()}`;
    const { name, file } = lab(`hostAccess: true
hosts:
  - name: one
    services:
      - name: sleeper
        command: "sleep 300 # ${marker}"
        ready: { exec: "true" }
  - name: two
`);
    expect((await runCli(['lab', 'up', file])).code).toBe(0);
    const state = readLabState(name) as LabState;
    const link = state.rootLinks[0] as string;
    process.kill(state.supervisor?.pid as number, 'SIGKILL');
    await eventually(() => !alive(state.supervisor?.pid as number), 5000);
    expect(netnsMatching(`tb-${name}`)).toHaveLength(3);
    expect(pidsWithMarker(marker)).toHaveLength(1);
    const kept = await runCli(['recover', '--keep-labs']);
    expect(kept.code).toBe(0);
    expect(netnsMatching(`tb-${name}`)).toHaveLength(3);

    const recovered = await runCli(['recover']);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toContain(`took down lab ${name}`);
    expect(netnsMatching(`tb-${name}`)).toEqual([]);
    expect(pidsWithMarker(marker)).toEqual([]);
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(link);
    expect(readLabState(name)).toBeUndefined();
    expect(await readRecord(`${name}.one.sleeper`)).toBeUndefined();
  });

  it('recover keeps a lab whose supervisor is alive', async () => {
    const { name, file } = lab('hosts:\n  - name: one\n');
    expect((await runCli(['lab', 'up', file])).code).toBe(0);
    const recovered = await runCli(['recover']);
    expect(recovered.code).toBe(0);
    expect(netnsMatching(`tb-${name}`)).toHaveLength(2);
    expect(readLabState(name)?.status).toBe('ready');
    expect((await runCli(['lab', 'down', name])).code).toBe(0);
  });
});

const readText = (file: string): string => readFileSync(file, 'utf8');
