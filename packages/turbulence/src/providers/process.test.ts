import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessProvider } from '../experiment/types.js';
import { argvOf, processProvider, runProcess, which } from './process.js';
import { activityFailure } from '../../test/support/activity-failed.js';

let dir: string;
const spawnedPids: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'turb-process-'));
});

afterAll(async () => {
  for (const pid of spawnedPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as expected
    }
  }
  await rm(dir, { recursive: true, force: true });
});

const ctx = (signal = new AbortController().signal) => ({ signal, baseDir: dir });

const failure = activityFailure;

/** Running (a zombie waiting for this container's init to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    if (!alive(pid)) return true;
  }
  return !alive(pid);
}

describe('process provider', () => {
  it('returns status, stdout and stderr, and a non-zero exit is not an error', async () => {
    const out = await runProcess(
      { type: 'process', path: 'sh', arguments: ['-c', 'echo out; echo err >&2; exit 3'] },
      ctx(),
    );
    expect(out).toEqual({ status: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('runs string arguments through the shell with the resolved path', async () => {
    const out = await runProcess({ type: 'process', path: 'echo', arguments: 'a   b | tr a-z A-Z' }, ctx());
    expect(out.stdout).toBe('A B\n');
  });

  // chaoslib/provider/process.py: `list(str(p) for p in arguments if p not in (None, ""))` -- Python str().
  it('passes list arguments as argv, stringified as Python str(), dropping null and empty strings', async () => {
    const out = await runProcess(
      { type: 'process', path: 'printf', arguments: ['%s|', 1, null, '', 'x y', true, { a: 1 }] },
      ctx(),
    );
    expect(out.stdout).toBe("1|x y|True|{'a': 1}|");
  });

  it('flattens object arguments into key, value pairs', () => {
    expect(argvOf({ '-n': 3, '--flag': null, '-s': 'a' })).toEqual(['-n', '3', '--flag', '-s', 'a']);
  });

  it('adds env and runs in cwd relative to the experiment directory', async () => {
    const out = await runProcess(
      { type: 'process', path: '/bin/sh', arguments: '-c \'echo "$TURB_X $(pwd)"\'', env: { TURB_X: 'hi' }, cwd: '.' },
      ctx(),
    );
    expect(out.stdout.trim()).toBe(`hi ${dir}`);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const started = Date.now();
    const msg = await failure(
      runProcess(
        { type: 'process', path: 'sh', arguments: ['-c', `sleep 30 & echo $! > ${pidFile}; wait`], timeout: 0.3 },
        ctx(),
      ),
    );
    expect(msg).toBe('process activity took too long to complete');
    expect(Date.now() - started).toBeLessThan(3000);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    spawnedPids.push(grandchild);
    expect(grandchild).toBeGreaterThan(1);
    expect(await waitGone(grandchild, 2000)).toBe(true);
  });

  it('stops the process group when the run aborts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const msg = await failure(runProcess({ type: 'process', path: 'sleep', arguments: ['30'] }, ctx(ac.signal)));
    expect(msg).toMatch(/aborted/);
  });

  // chaoslib/provider/process.py: shutil.which() gives None and subprocess.run raises TypeError, which is not an
  // ActivityFailed: the method aborts. So a missing path is a runner error here, not a failed activity.
  it('throws a runner error (the method aborts) when the path cannot be found', async () => {
    const err = await runProcess({ type: 'process', path: 'no-such-turb-prog' }, ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TURB_ERR_EXPERIMENT_INVALID',
      message: "path 'no-such-turb-prog' cannot be found",
    });
  });

  it('validates that the path resolves to an executable', async () => {
    const script = join(dir, 'not-exec.sh');
    await writeFile(script, '#!/bin/sh\necho hi\n');
    const v = (p: ProcessProvider, c: { baseDir: string }) => processProvider.validate!(p, c);
    expect(await v({ type: 'process', path: 'sh' }, { baseDir: dir })).toEqual([]);
    expect((await v({ type: 'process', path: 'nope-turb' }, { baseDir: dir }))[0]?.message).toBe(
      "path 'nope-turb' cannot be found",
    );
    expect((await v({ type: 'process', path: script }, { baseDir: dir }))[0]?.message).toMatch(/no access permission/);
    await chmod(script, 0o755);
    expect(await which(script)).toEqual({ ok: true, path: script });
  });

  it('expands ~ in the path', async () => {
    const r = await which('~/definitely-not-here-turb');
    expect(r).toEqual({ ok: false, reason: 'missing' });
  });
});
