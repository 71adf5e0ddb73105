/** `turbulence explore` from the command line (the built CLI), on a scenario module with a known bug. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../../bin/turbulence.js', import.meta.url));
const TOY = fileURLToPath(new URL('./fixtures/toy-scenario.mjs', import.meta.url));

const explore = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, 'explore', TOY, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('turbulence explore', () => {
  it('exits 1 and prints each finding with a replay command', () => {
    const r = explore('--seed', '3');
    expect(r.code).toBe(1);
    expect(r.out).toContain('toy: 4 schedules (seed 3), 4 with a fault that fired, 1 broke the invariant');
    expect(r.out).toContain('b lost the write at y');
    const token = /--replay '([^']+)'/.exec(r.out)?.[1];
    expect(token).toMatch(/^\d+:b:y=1\*panic$/);

    const again = explore('--replay', token!);
    expect(again.code).toBe(1);
    expect(again.out).toContain('1 schedules');
  });

  it('exits 0 when nothing breaks, and passes --option to the scenario factory', () => {
    expect(explore('--instances', 'a').code).toBe(0);
    expect(explore('--option', 'fixed=1', '--random', '3').code).toBe(0);
  });

  it('prints a JSON report with --json', () => {
    const r = explore('--seed', '3', '--hits', '2', '--json');
    const report = JSON.parse(r.out) as { schedules: number; findings: { replay: string }[] };
    expect(report.schedules).toBe(8);
    expect(report.findings.map((f) => f.replay.split(':').slice(1).join(':'))).toEqual([
      'b:y=1*panic',
      'b:y=1*off->1*panic',
    ]);
  });

  it('exits 2 with a reason for bad usage', () => {
    const r = explore('--probability', '150%');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--probability must be in (0, 1]');
    expect(explore('--failpoints', 'nope').err).toContain('unknown failpoints: nope');
  });
});
