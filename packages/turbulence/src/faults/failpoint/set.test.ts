import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppliedFault, FaultContext, Target } from '../../core/fault.js';
import { Rng } from '../../core/rng.js';
import { failpointSetDriver as driver, failpointSetParams } from './set.js';
import type { FailpointSetParams } from './set.js';

// A process that hits `svc.tick` every 20 ms and prints what happened.
const APP = `
import { failpoint } from '@turbulence/failpoints';
setInterval(() => {
  let out;
  try { out = { value: failpoint('svc.tick') ?? null }; } catch (err) { out = { error: err.code }; }
  process.stdout.write(JSON.stringify(out) + '\\n');
}, 20);`;

const ctx: FaultContext = { rng: new Rng(1), signal: new AbortController().signal };
let dir: string;
let child: ChildProcess | undefined;
let out = '';

async function startApp(nodeArgs: string[] = [], app = APP): Promise<string> {
  const announce = join(dir, 'svc.json');
  out = '';
  child = spawn(process.execPath, [...nodeArgs, '--input-type=module', '-e', app], {
    env: { ...process.env, TURBULENCE_FAILPOINTS_ADDR: '127.0.0.1:0', TURBULENCE_FAILPOINTS_ANNOUNCE: announce },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 250 && !existsSync(announce); i++) await new Promise((r) => setTimeout(r, 20));
  return announce;
}

const last = (): unknown => JSON.parse(out.trim().split('\n').pop() || 'null');
const settle = () => new Promise((r) => setTimeout(r, 120));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fp-driver-'));
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function applied(target: Target, params: FailpointSetParams): Promise<AppliedFault<FailpointSetParams>> {
  const state = await driver.inject(target, params, ctx);
  return { id: 'f-1', kind: driver.kind, target, params, state: state ?? undefined };
}

describe('failpoint.set', () => {
  it('finds the process through its announce file', async () => {
    const announce = await startApp();
    const [t, ...rest] = await driver.resolveTargets({ announce }, ctx);
    expect(rest).toEqual([]);
    expect(t).toMatchObject({ type: 'failpoint', attributes: { pid: child!.pid, announce } });
    expect(t!.id).toBe(`failpoint:${(JSON.parse(readFileSync(announce, 'utf8')) as { address: string }).address}`);
  });

  it('refuses a target whose announce file is missing or whose endpoint does not answer', async () => {
    await expect(driver.resolveTargets({ announce: join(dir, 'none.json') }, ctx)).rejects.toMatchObject({
      code: 'TURB_ERR_TARGET_REFUSED',
    });
    await expect(driver.resolveTargets({ address: 'http://127.0.0.1:1' }, ctx)).rejects.toMatchObject({
      code: 'TURB_ERR_TARGET_REFUSED',
    });
    await expect(driver.resolveTargets({}, ctx)).rejects.toMatchObject({ code: 'TURB_ERR_FAULT_INVALID_PARAMS' });
  });

  it('sets the failpoint in the live process, verifies it, and reverting removes it', async () => {
    const [t] = await driver.resolveTargets({ announce: await startApp() }, ctx);
    await settle();
    expect(last()).toEqual({ value: null });
    const fault = await applied(t!, { name: 'svc.tick', actions: 'error(EIO)' });
    await settle();
    expect(last()).toEqual({ error: 'EIO' });
    expect(await driver.verify!(fault, ctx)).toBe(true);
    await driver.revert(fault, ctx);
    await driver.revert(fault, ctx);
    await settle();
    expect(last()).toEqual({ value: null });
    expect(await driver.verify!(fault, ctx)).toBe(false);
  });

  it('puts back a configuration that was there before', async () => {
    const [t] = await driver.resolveTargets({ announce: await startApp() }, ctx);
    const first = await applied(t!, { name: 'svc.tick', actions: 'return(old)' });
    const second = await applied(t!, { name: 'svc.tick', actions: 'return(new)' });
    await settle();
    expect(last()).toEqual({ value: 'new' });
    await driver.revert(second, ctx);
    await settle();
    expect(last()).toEqual({ value: 'old' });
    await driver.revert(first, ctx);
  });

  it('reverts without error when the process has exited', async () => {
    const [t] = await driver.resolveTargets({ announce: await startApp() }, ctx);
    const fault = await applied(t!, { name: 'svc.tick', actions: 'return(x)' });
    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await exited;
    await expect(driver.revert(fault, ctx)).resolves.toBeUndefined();
  });

  it('reports a rule on a process without the register hook as an inject failure with a hint', async () => {
    const [t] = await driver.resolveTargets({ announce: await startApp() }, ctx);
    const params = { rule: { name: 'r', target: 'fs.readFile', action: 'error(EIO)' } };
    await expect(driver.inject(t!, params, ctx)).rejects.toMatchObject({
      code: 'TURB_ERR_FAULT_INJECT_FAILED',
      hint: expect.stringContaining('--import @turbulence/failpoints/register') as string,
    });
  });

  it('sets a rule in a process started with the register hook, and reverting restores the file reads', async () => {
    const file = join(dir, 'data.txt');
    writeFileSync(file, 'real');
    const reader = `
      import { readFile } from 'node:fs/promises';
      setInterval(async () => {
        const out = await readFile(${JSON.stringify(file)}, 'utf8').then((value) => ({ value }), (e) => ({ error: e.code }));
        process.stdout.write(JSON.stringify(out) + '\\n');
      }, 20);`;
    const [t] = await driver.resolveTargets(
      { announce: await startApp(['--import', '@turbulence/failpoints/register'], reader) },
      ctx,
    );
    const fault = await applied(t!, {
      rule: { name: 'disk', target: 'fs.promises.readFile', when: { path: file }, action: 'error(EIO)' },
    });
    expect(await driver.verify!(fault, ctx)).toBe(true);
    await settle();
    expect(last()).toEqual({ error: 'EIO' });
    await driver.revert(fault, ctx);
    await settle();
    expect(last()).toEqual({ value: 'real' });
    expect(await driver.verify!(fault, ctx)).toBe(false);
  });

  it('validates the action grammar in params', () => {
    expect(failpointSetParams.safeParse({ name: 'a', actions: '1*panic' }).success).toBe(true);
    const bad = failpointSetParams.safeParse({ name: 'a', actions: 'explode' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('unknown task');
  });
});
