/**
 * The CLI starts fast (issue 13 §5): `turbulence --help` imports no command module, each command loads only when
 * named, and every command's `--help` prints and exits 0 from the built CLI (`bin/turbulence.js` → `dist/`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Help } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { commands } from '../../src/cli/commands/index.js';

const PKG = resolve(fileURLToPath(import.meta.url), '../../..');
const BIN = join(PKG, 'bin/turbulence.js');
const HOOK = fileURLToPath(new URL('./record-imports.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tb-cli-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = {}, execArgv: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [...execArgv, BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** The modules (paths relative to the package, or `node_modules/<pkg>`) a command line imports. */
async function importsOf(args: string[], name: string): Promise<string[]> {
  const file = join(work, `${name}.imports`);
  const r = await cli(args, { TURBULENCE_RECORD_IMPORTS: file }, ['--import', HOOK]);
  expect(r.code).toBe(0);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file://'))
    .map((u) => fileURLToPath(u))
    .map((p) => (p.includes('/node_modules/') ? `node_modules/${p.split('/node_modules/').pop()!.split('/')[0]}` : p))
    .map((p) => (p.startsWith(PKG) ? p.slice(PKG.length + 1) : p));
}

/** Every command path: ['run'], ['fault', 'inject'], ['proxy', 'toxic', 'add'], ... */
function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...paths(c, [...prefix, c.name()])]);
}

describe('the CLI entry', { timeout: 180_000 }, () => {
  it('imports no command module for `turbulence --help`, only the entry, the command list and commander', async () => {
    const loaded = new Set(await importsOf(['--help'], 'help'));
    expect([...loaded].sort()).toEqual(
      [
        'bin/turbulence.js',
        'dist/cli/main.js',
        'dist/cli/commands/index.js',
        'dist/core/errors.js',
        'dist/version.js',
        'node_modules/commander',
      ].sort(),
    );
  });

  it('loads only the command a command line names', async () => {
    const loaded = await importsOf(['fault', 'kinds', '--help'], 'fault');
    expect(loaded).toContain('dist/cli/commands/fault.js');
    const others = commands.filter((c) => c.name !== 'fault').map((c) => `dist/cli/commands/${c.name}.js`);
    expect(loaded.filter((p) => others.includes(p))).toEqual([]);
    // Validation checks built-in toxics' attributes with their own schemas: the toxic definitions are pure modules
    // (zod, re2js, the seeded RNG; no socket, no server), and one copy of each schema is better than a second one
    // under faults/. The proxy itself (server, proxy, links, connections, front ends, API) and the DNS server stay
    // unloaded.
    const schemasOnly =
      /^dist\/proxy\/(toxics\/|http\/toxics\/|http\/(match|toxic)\.js|tls\/toxics\.js|udp\/toxics\.js)/;
    expect(
      loaded.filter((p) => (p.startsWith('dist/proxy/') && !schemasOnly.test(p)) || p.startsWith('dist/dns/')),
    ).toEqual([]);
  });

  it('lists every command in `turbulence --help` as each module registers it', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    const help = new Help();
    for (const entry of commands) {
      const program = new Command('turbulence');
      (await entry.load()).register(program);
      const cmd = program.commands.find((c) => c.name() === entry.name);
      expect(cmd, entry.name).toBeDefined();
      expect(cmd!.description()).toBe(entry.summary);
      expect(help.subcommandTerm(cmd!)).toBe(entry.term);
      expect(r.stdout).toContain(entry.term);
    }
  });

  it('prints the help of every command and subcommand and exits 0', async () => {
    const all = paths(await buildProgram());
    expect(all.length).toBeGreaterThan(commands.length);
    const failures: string[] = [];
    const queue = [...all];
    const worker = async (): Promise<void> => {
      for (let path = queue.shift(); path; path = queue.shift()) {
        const r = await cli([...path, '--help']);
        const ok = r.code === 0 && r.stdout.includes(`Usage: turbulence ${path.join(' ')}`) && r.stderr === '';
        if (!ok) failures.push(`${path.join(' ')}: exit ${r.code} ${r.stderr.slice(0, 200)}`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(failures).toEqual([]);
  });

  it('still says which command is unknown, with a suggestion', async () => {
    const r = await cli(['fualt', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'fualt'/);
    expect(r.stderr).toMatch(/Did you mean fault\?/);
  });
});
