import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';
import { run } from './exec.js';
import { labsDir, ledgerDir, turbulenceHome } from './home.js';
import { cgroupsOf } from './proc.js';
import { alive, terminate } from './signals.js';
import { checkTools, findBinary, needsTool } from './tools.js';

describe('os/atomic', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tb-os-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('replaces a file whole and leaves no temporary file behind', async () => {
    const path = join(dir, 'sub', 'a.json');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'new');
    writeFileAtomicSync(join(dir, 'sub', 'b.json'), 'sync');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readFile(join(dir, 'sub', 'b.json'), 'utf8')).toBe('sync');
    expect((await readdir(join(dir, 'sub'))).sort()).toEqual(['a.json', 'b.json']);
  });
});

describe('os/home', () => {
  it('puts the ledger and labs under TURBULENCE_HOME', () => {
    expect(turbulenceHome({ TURBULENCE_HOME: '/x' })).toBe('/x');
    expect(ledgerDir('/x')).toBe('/x/ledger');
    expect(labsDir('/x')).toBe('/x/labs');
  });
});

describe('os/exec', () => {
  it('collects output and turns a failure into an error naming the command', async () => {
    expect((await run(['sh', '-c', 'cat'], { input: 'hi' })).stdout).toBe('hi');
    await expect(run(['sh', '-c', 'echo boom >&2; exit 3'])).rejects.toThrow(/`sh -c .*` failed: boom/);
    expect((await run(['sh', '-c', 'exit 3'], { allowFail: true })).code).toBe(3);
  });
});

describe('os/signals', () => {
  it('terminate kills a whole group that ignores SIGTERM, after the grace period', async () => {
    // A shell that ignores TERM and starts a grandchild that ignores it too.
    const child = spawn('sh', ['-c', "trap '' TERM; sleep 60 & echo $!; wait"], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    const pid = child.pid as number;
    expect(alive(grandchild)).toBe(true);
    const started = Date.now();
    const left = await terminate([pid], 300, { group: true });
    expect(left).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // The grandchild was in the group: SIGKILLed with it (it may linger a moment as a zombie of init).
    await expect.poll(() => alive(grandchild) && !isZombie(grandchild), { timeout: 5000 }).toBe(false);
  });
});

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('os/proc', () => {
  it('reads the cgroups of this process', () => {
    const groups = cgroupsOf(process.pid);
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(g.path.startsWith('/')).toBe(true);
  });
});

describe('os/tools', () => {
  it('finds sh, and names the package of a missing tool', () => {
    expect(findBinary('sh')).toMatch(/\/sh$/);
    expect(needsTool('nft')).toBe('needs `nft` (Debian: nftables)');
    expect(checkTools(['tb-no-such-tool'])).toEqual({
      ok: false,
      reason: 'needs `tb-no-such-tool` (Debian: tb-no-such-tool)',
    });
  });
});
