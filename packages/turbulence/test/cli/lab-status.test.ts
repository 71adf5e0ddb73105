/**
 * `turbulence lab status` without a lab lists the labs (issue 13 §5), from their state files, through the built CLI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLabState, type LabState } from '../../src/lab/state.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/turbulence.js');
const home = mkdtempSync(join(tmpdir(), 'tb-lab-status-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TURBULENCE_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

const state = (name: string, address: string): LabState => ({
  name,
  subnet: '10.250.1.0/24',
  switchNetns: `tb-${name}-sw`,
  rootLinks: [],
  hosts: [{ name: 'n1', netns: `tb-${name}-n1`, address, services: {} }],
  supervisorPid: 2 ** 22 + 1, // above pid_max: never alive
  status: 'ready',
  logDir: join(home, 'labs', name, 'logs'),
  createdAt: new Date().toISOString(),
});

describe('turbulence lab status without a lab', { timeout: 60_000 }, () => {
  it('says no lab is up, and where it looked', async () => {
    const r = await cli(['lab', 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`no labs are up (${join(home, 'labs')})\n`);
  });

  it('lists every lab with its status, supervisor and hosts; --json gives the full status of each', async () => {
    process.env.TURBULENCE_HOME = home;
    writeLabState(state('beta', '10.250.1.11'));
    writeLabState(state('alpha', '10.250.1.12'));
    const r = await cli(['lab', 'status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'alpha: ready (supervisor gone) n1=10.250.1.12\nbeta: ready (supervisor gone) n1=10.250.1.11\n',
    );
    const j = await cli(['lab', 'status', '--json']);
    const labs = JSON.parse(j.stdout) as { name: string; hosts: { present: boolean }[] }[];
    expect(labs.map((l) => l.name)).toEqual(['alpha', 'beta']);
    expect(labs[0]!.hosts[0]!.present).toBe(false);
  });
});
