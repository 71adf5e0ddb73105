/**
 * Real child processes configured through TURBULENCE_FAILPOINTS and through the control endpoint.
 * Needs the package built (`npm run build`).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FailpointsClient } from '../src/client.js';
import { PANIC_EXIT_CODE } from '../src/evaluate.js';
import { fixture, lastLine, runNode, startNode, stop, waitForJson } from './support.js';

const app = fixture('app.mjs');
let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  await stop(child);
  child = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('TURBULENCE_FAILPOINTS in a real process', () => {
  it('runs normally when no failpoint is configured', async () => {
    const r = await runNode([app], {});
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ value: null });
  });

  it('returns the configured value at the failpoint', async () => {
    const r = await runNode([app], { TURBULENCE_FAILPOINTS: 'app.start=return(hello)' });
    expect(JSON.parse(r.stdout)).toEqual({ value: 'hello' });
  });

  it('crashes the process with the panic exit code', async () => {
    const r = await runNode([app], { TURBULENCE_FAILPOINTS: 'app.async=1*panic(boom)' });
    expect(r.code).toBe(PANIC_EXIT_CODE);
    expect(r.stderr).toContain('failpoint app.async panicked: boom');
    expect(r.stdout).toBe('');
  });

  it('prints the message of a print term to stderr and carries on', async () => {
    const r = await runNode([app], { TURBULENCE_FAILPOINTS: 'app.start=print(reached start)' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('failpoint app.start: reached start');
    expect(JSON.parse(r.stdout)).toEqual({ value: null });
  });

  it('stops at start with a message naming the variable when the spec is malformed', async () => {
    const r = await runNode([app], { TURBULENCE_FAILPOINTS: 'app.start=explode' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TURBULENCE_FAILPOINTS: failpoint "app.start": .*unknown task "explode"/);
  });

  it('replays probability terms under the same TURBULENCE_SEED', async () => {
    const env = (seed: string) => ({ TURBULENCE_SEED: seed, TURBULENCE_FAILPOINTS: 'app.start=50%return(hit)' });
    const outcome = async (seed: string) => JSON.parse((await runNode([app], env(seed))).stdout) as unknown;
    const seeds = ['1', '2', '3', '4', '5', '6'];
    const first = await Promise.all(seeds.map(outcome));
    const again = await Promise.all(seeds.map(outcome));
    expect(again).toEqual(first);
    expect(new Set(first.map((o) => JSON.stringify(o))).size).toBe(2);
  });
});

describe('the control endpoint of a real process', () => {
  it('announces its address, lists hits, sets and removes a failpoint', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fp-ctl-'));
    const announce = join(dir, 'announce.json');
    child = startNode([app, 'loop'], {
      TURBULENCE_FAILPOINTS_ADDR: '127.0.0.1:0',
      TURBULENCE_FAILPOINTS_ANNOUNCE: announce,
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const { address, pid } = await waitForJson<{ address: string; pid: number }>(announce);
    expect(pid).toBe(child.pid);
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const fp = new FailpointsClient(address);
    await new Promise((r) => setTimeout(r, 100));
    const tracked = (await fp.list()).find((f) => f.name === 'app.tick');
    expect(tracked?.actions).toBeNull();
    expect(tracked?.hits).toBeGreaterThan(0);

    await fp.set('app.tick', 'error(ECONNRESET)');
    await new Promise((r) => setTimeout(r, 100));
    expect(lastLine(out)).toEqual({ error: 'ECONNRESET' });
    expect((await fp.get('app.tick'))?.actions).toBe('error(ECONNRESET)');

    expect(await fp.remove('app.tick')).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(lastLine(out)).toEqual({ value: null });
  });

  it('answers 400 with the reason for a malformed spec', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fp-ctl-'));
    const sock = join(dir, 'ctl.sock');
    child = startNode([app, 'loop'], {
      TURBULENCE_FAILPOINTS_ADDR: sock,
      TURBULENCE_FAILPOINTS_ANNOUNCE: join(dir, 'a.json'),
    });
    const { address } = await waitForJson<{ address: string }>(join(dir, 'a.json'));
    expect(address).toBe(`unix:${sock}`);
    await expect(new FailpointsClient(address).set('x', '200%panic')).rejects.toMatchObject({ status: 400 });
  });

  it('refuses requests without the token when one is set', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fp-ctl-'));
    const announce = join(dir, 'a.json');
    child = startNode([app, 'loop'], {
      TURBULENCE_FAILPOINTS_ADDR: '127.0.0.1:0',
      TURBULENCE_FAILPOINTS_TOKEN: 's3cret',
      TURBULENCE_FAILPOINTS_ANNOUNCE: announce,
    });
    const { address } = await waitForJson<{ address: string }>(announce);
    await expect(new FailpointsClient(address).list()).rejects.toMatchObject({ status: 401 });
    await expect(new FailpointsClient(address, 'wrong!').list()).rejects.toMatchObject({ status: 401 });
    expect(await new FailpointsClient(address, 's3cret').list()).toBeInstanceOf(Array);
  });

  it('will not bind a non-loopback address without a token', async () => {
    const r = await runNode([app], { TURBULENCE_FAILPOINTS_ADDR: '0.0.0.0:0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs a token');
  });
});
