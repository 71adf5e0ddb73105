/**
 * Helpers for the lab system tests: write lab files, list what is left on the machine (the CLI runs through
 * `test/support/cli.ts`).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Temp directories this test file made; removed after its last hook (its labs are down by then). */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** A fresh TURBULENCE_HOME for this test file, set in process.env so library calls and the CLI share it. */
export function useTempHome(): string {
  const home = tempDir('tb-lab-home-');
  process.env.TURBULENCE_HOME = home;
  return home;
}

/** A lab name nobody else uses: `tb` + 6 hex digits. */
export const uniqueName = (): string => `tb${randomBytes(3).toString('hex')}`;

/** A /24 unlikely to be used by another test running at the same time. */
export const uniqueSubnet = (): string => `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]}.0/24`;

/** Writes a lab file into a temp directory and returns its path. */
export function writeLab(yaml: string): string {
  const dir = tempDir('tb-lab-');
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Network namespaces whose name contains `part`. */
export function netnsMatching(part: string): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.includes(part));
}

/** PIDs of processes whose command line contains `marker`. */
export function pidsWithMarker(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Runs a command inside a namespace; resolves to its exit code and output. */
export function inNetns(netns: string, argv: string[], timeoutMs = 10_000): { code: number; stdout: string } {
  try {
    const stdout = execFileSync('ip', ['netns', 'exec', netns, ...argv], { encoding: 'utf8', timeout: timeoutMs });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { status?: number; stdout?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '' };
  }
}
