/**
 * Issue 13 §2 through the real CLI: numbers, durations and enums are parsed strictly (exit 2 with the fix), and
 * `fault kinds KIND` prints the kind's parameters, target and an example.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'turb-cli-strict-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The built CLI (what ships) in `work`, with only PATH and a TURBULENCE_HOME of its own. */
const turbulence = (args: string[]) =>
  runCli(args, { built: true, cwd: work, env: { PATH: process.env.PATH, TURBULENCE_HOME: join(work, 'home') } });

describe('strict CLI values', () => {
  it.each([
    [['demo', '--seed', 'abc'], '--seed must be an integer, got "abc"', 'e.g. --seed 42'],
    [
      ['fault', 'inject', 'process.stop', '--target', 'pid=999999', '--duration', '5x'],
      '--duration must be a duration, got "5x"',
      'e.g. --duration 30s',
    ],
    [['fault', 'inject', 'process.stop', '--seed', '0x10'], '--seed must be an integer, got "0x10"', 'e.g. --seed 42'],
    [['run', 'x.yaml', '--max-targets', '2.5'], '--max-targets must be an integer, got "2.5"', 'e.g.'],
    [['run', 'x.yaml', '--hypothesis-frequency', '0'], '--hypothesis-frequency must be a number > 0, got 0', 'e.g.'],
  ])(
    '%j exits 2 and says what to write',
    async (args, message, hint) => {
      const r = await turbulence(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(hint);
    },
    30_000,
  );
});

describe('turbulence fault inject checks the spec like validate does', () => {
  it.each([
    [
      ['process.kill', '--target', 'nmae=x', '--param', 'sginal=TERM'],
      'did you mean "signal"?',
      'did you mean "name"?',
    ],
    [['process.kil', '--target', 'name=x'], 'unknown fault kind "process.kil"; did you mean "process.kill"?', ''],
    [['process.stop', '--target', 'pid=1'], 'target.pid (--target): refusing to target pid 1', ''],
  ])(
    'fault inject %j exits 2 before anything runs',
    async (args, first, second) => {
      const r = await turbulence(['fault', 'inject', ...args, '--dry-run']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(first);
      expect(r.stderr).toContain(second);
    },
    30_000,
  );
});

describe('turbulence fault kinds KIND', () => {
  it("prints the kind's parameters (type, default, range), target fields and an example", async () => {
    const r = await turbulence(['fault', 'kinds', 'network.loss']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^network\.loss: /);
    expect(r.stdout).toMatch(/percent\s+number \(required\), range 0\.\.100/);
    expect(r.stdout).toMatch(/direction\s+"both" \| "ingress" \| "egress", default "both"/);
    expect(r.stdout).toMatch(/target \(netns\):\n\s+lab\s+string/);
    expect(r.stdout).toContain('"kind":"network.loss"');
    expect(r.stdout).toContain('turbulence fault inject network.loss --target lab=demo');
  }, 30_000);

  it('answers an unknown kind with exit 2 and the nearest one', async () => {
    const r = await turbulence(['fault', 'kinds', 'process.kil']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown fault kind "process.kil"');
    expect(r.stderr).toContain('did you mean "process.kill"?');
  }, 30_000);
});
