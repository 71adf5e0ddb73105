/**
 * The register hook in real child processes: `node --import <register> app.mjs`, rules from TURBULENCE_RULES and
 * from the control endpoint. Needs the package built (`npm run build`).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FailpointsClient } from '../src/client.js';
import { fixture, lastLine, registerHook, runNode, startNode, stop, waitForJson } from './support.js';

const app = fixture('rules-app.mjs');
let dir: string;
let child: ChildProcess | undefined;
let server: Server | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fp-register-'));
  writeFileSync(join(dir, 'data.txt'), 'real content');
});
afterEach(async () => {
  await stop(child);
  child = undefined;
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function rulesFile(rules: object[]): string {
  const file = join(dir, 'rules.json');
  writeFileSync(file, JSON.stringify({ rules }));
  return file;
}

const run = (args: string[], env: Record<string, string>) =>
  runNode(['--import', registerHook, ...args], env).then((r) => ({ ...r, out: lastLine(r.stdout) }));

describe('node --import @turbulence/failpoints/register', () => {
  it('fails fs.promises.readFile (an ESM named import) with EIO from TURBULENCE_RULES', async () => {
    const file = join(dir, 'data.txt');
    const rules = rulesFile([
      { name: 'eio', target: 'fs.promises.readFile', when: { path: `${dir}/*.txt` }, action: 'error(EIO)' },
    ]);
    const r = await run([app, 'read', file], { TURBULENCE_RULES: rules });
    expect(r.out).toEqual({ error: { code: 'EIO', errno: -5, syscall: 'open', path: file } });
    const untouched = await run([app, 'read', file], {});
    expect(untouched.out).toEqual({ value: 'real content' });
  });

  it('reaches CommonJS callers of fs.readFile too', async () => {
    const rules = rulesFile([{ name: 'nospace', target: 'fs.readFile', action: 'error(ENOSPC)' }]);
    const r = await run([app, 'read-cjs', join(dir, 'data.txt')], { TURBULENCE_RULES: rules });
    expect(r.out).toMatchObject({ error: { code: 'ENOSPC', errno: -28 } });
  });

  it('refuses a connection to a live server', async () => {
    server = createServer((s) => s.end());
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    expect((await run([app, 'connect', String(port)], {})).out).toEqual({ value: 'connected' });
    const rules = rulesFile([{ name: 'refuse', target: 'net.connect', when: { port }, action: 'error(ECONNREFUSED)' }]);
    const r = await run([app, 'connect', String(port)], { TURBULENCE_RULES: rules });
    expect(r.out).toEqual({ error: { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' } });
  });

  it("wraps an application module's exported functions, leaving classes alone", async () => {
    const main = fixture('app/main.mjs');
    const rules = rulesFile([
      { name: 'lost-save', target: 'app:src/store.mjs#save', action: 'error(EIO)' },
      { name: 'bad-sum', target: 'app:src/store.mjs#checksum', action: 'return(99)' },
    ]);
    const plain = await runNode([main], {});
    expect(lastLine(plain.stdout)).toEqual({ save: 'saved r1', checksum: 4, storeIsClass: true });
    // App targets are paths relative to the working directory.
    const r = await runNode(['--import', registerHook, main], { TURBULENCE_RULES: rules }, dirname(main));
    expect(r.stderr).toBe('');
    expect(lastLine(r.stdout)).toEqual({
      save: { error: 'EIO', injectedBy: 'lost-save' },
      checksum: 99,
      storeIsClass: true,
    });
  }, 20_000);

  it('stops at start naming the rules file and rule when a rule is invalid', async () => {
    const rules = rulesFile([{ name: 'x', target: 'fs.readFile', action: 'explode' }]);
    const r = await run([app, 'read', 'x'], { TURBULENCE_RULES: rules });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${rules}: rules[0]`);
    expect(r.stderr).toContain('unknown task "explode"');
  });

  it('stops at start naming the file, the rule index and the when field a target cannot match', async () => {
    const file = join(dir, 'data.txt');
    const rules = rulesFile([
      { name: 'ok', target: 'fs.promises.readFile', when: { path: file }, action: 'error(EIO)' },
      { name: 'ok2', target: 'net.connect', when: { port: 1 }, action: 'error(ECONNREFUSED)' },
      { name: 'wrong', target: 'fs.promises.readFile', when: { host: 'db.internal' }, action: 'error(EIO)' },
    ]);
    const r = await run([app, 'read', file], { TURBULENCE_RULES: rules });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `@turbulence/failpoints/register: ${rules}: rules[2].when.host: fs.promises.readFile has no "host" fact; ` +
        'it can match: path\n',
    );
    const typo = rulesFile([{ name: 'typo', target: 'fs.readFile', when: { pth: '/data/**' }, action: 'error(EIO)' }]);
    const t = await run([app, 'read', file], { TURBULENCE_RULES: typo });
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(`${typo}: rules[0].when.pth: fs.readFile has no "pth" fact; it can match: path\n`);
  });

  it('sets and removes a rule at run time through the endpoint, restoring the original function', async () => {
    const file = join(dir, 'data.txt');
    const announce = join(dir, 'announce.json');
    child = startNode(['--import', registerHook, app, 'loop-read', file], {
      TURBULENCE_FAILPOINTS_ADDR: '127.0.0.1:0',
      TURBULENCE_FAILPOINTS_ANNOUNCE: announce,
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const ctl = new FailpointsClient((await waitForJson<{ address: string }>(announce)).address);
    await new Promise((r) => setTimeout(r, 100));
    expect(lastLine(out)).toEqual({ value: 'real content', original: true });

    await ctl.setRule('eio', { target: 'fs.promises.readFile', when: { path: file }, action: 'error(EIO)' });
    await new Promise((r) => setTimeout(r, 100));
    expect(lastLine(out)).toMatchObject({ error: { code: 'EIO' }, original: false });
    expect((await ctl.getRule('eio'))?.fired).toBeGreaterThan(0);

    await expect(ctl.setRule('bad', { target: 'net.connect', action: 'delay(5)' })).rejects.toMatchObject({
      status: 400,
    });
    // A when field the target cannot match: 400 naming the field and what the target can match; nothing changes.
    await expect(
      ctl.setRule('eio', { target: 'fs.promises.readFile', when: { host: 'db.internal' }, action: 'error(EIO)' }),
    ).rejects.toMatchObject({
      status: 400,
      message: 'PUT /rules/eio: rule eio: when.host: fs.promises.readFile has no "host" fact; it can match: path',
    });
    expect(await ctl.listRules()).toMatchObject([{ name: 'eio', when: { path: file } }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(lastLine(out)).toMatchObject({ error: { code: 'EIO' }, original: false });
    expect(await ctl.removeRule('eio')).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(lastLine(out)).toEqual({ value: 'real content', original: true });
    expect(await ctl.listRules()).toEqual([]);
  });
});
