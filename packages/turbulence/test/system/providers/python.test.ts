import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { pythonModuleAvailable, pythonProvider, runPython } from '../../../src/providers/python.js';
import { holdPythonWorker, pythonWorkerPid, stopPythonWorker } from '../../../src/providers/python/worker.js';
import type { ProviderContext } from '../../../src/providers/types.js';
import { requireSystem } from '../../support/system.js';

const sys = requireSystem('python3');

let dir: string;

const HELPERS = `
import os, sys

def add(a, b):
    print("noise on stdout must not corrupt the answer")
    return a + b

def show(configuration, secrets=None, tag="x"):
    return {"configuration": configuration, "secrets": secrets, "tag": tag}

def no_secrets_param(configuration):
    return sorted(configuration)

def boom():
    return 1 / 0

def raw():
    return b"bytes", {1, 2}

def not_finite():
    return {"nan": float("nan"), "inf": [float("inf"), 1.5]}

_calls = []

def count():
    _calls.append(1)
    return len(_calls)

def die():
    os._exit(3)

def slow_pid(seconds):
    import time
    time.sleep(seconds)
    return os.getpid()

def wait():
    import time
    open(os.path.join(os.path.dirname(__file__), "waiting"), "w").close()
    time.sleep(30)
`;
import { activityFailure } from '../../support/activity-failed.js';

function ctx(extra: Partial<ProviderContext> = {}): ProviderContext {
  return {
    configuration: { url: 'http://127.0.0.1:1' },
    secrets: { k8s: { token: 't0k' }, other: { pw: 'x' } },
    signal: new AbortController().signal,
    baseDir: dir,
    rng: new Rng(1),
    strict: false,
    ...extra,
  };
}

const failure = activityFailure;

describe.skipIf(sys.skip)('python provider (real python3)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'turb-python-'));
    await writeFile(join(dir, 'turb_helpers.py'), HELPERS);
  });

  afterAll(async () => {
    stopPythonWorker();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs stdlib functions: os.path.exists and os.remove', async () => {
    const file = join(dir, 'victim.txt');
    await writeFile(file, 'x');
    const exists = { type: 'python', module: 'os.path', func: 'exists', arguments: { path: file } } as const;
    expect(await runPython(exists, ctx())).toBe(true);
    expect(await runPython({ type: 'python', module: 'os', func: 'remove', arguments: { path: file } }, ctx())).toBe(
      null,
    );
    await expect(stat(file)).rejects.toThrow();
    expect(await runPython(exists, ctx())).toBe(false);
  });

  it('imports modules from the experiment directory and keeps stdout clean', async () => {
    const out = await runPython(
      { type: 'python', module: 'turb_helpers', func: 'add', arguments: { a: 2, b: 3 } },
      ctx(),
    );
    expect(out).toBe(5);
  });

  it('passes configuration, and the listed secret scopes merged, only to functions that declare them', async () => {
    const call = (secrets?: string[]) =>
      runPython(
        {
          type: 'python',
          module: 'turb_helpers',
          func: 'show',
          arguments: { tag: 'y' },
          ...(secrets ? { secrets } : {}),
        },
        ctx(),
      );
    expect(await call(['k8s'])).toEqual({
      configuration: { url: 'http://127.0.0.1:1' },
      secrets: { token: 't0k' },
      tag: 'y',
    });
    expect(await call()).toEqual({ configuration: { url: 'http://127.0.0.1:1' }, secrets: null, tag: 'y' });
    expect(
      await runPython({ type: 'python', module: 'turb_helpers', func: 'no_secrets_param', secrets: ['k8s'] }, ctx()),
    ).toEqual(['url']);
  });

  it('turns an exception into "<ExcType>: msg"', async () => {
    expect(await failure(runPython({ type: 'python', module: 'turb_helpers', func: 'boom' }, ctx()))).toBe(
      'ZeroDivisionError: division by zero',
    );
  });

  it('encodes values JSON cannot hold', async () => {
    expect(await runPython({ type: 'python', module: 'turb_helpers', func: 'raw' }, ctx())).toEqual(['bytes', [1, 2]]);
    expect(await runPython({ type: 'python', module: 'turb_helpers', func: 'not_finite' }, ctx())).toEqual({
      nan: null,
      inf: [null, 1.5],
    });
  });

  // chaoslib/provider/python.py imports outside its try: ModuleNotFoundError is not ActivityFailed, the method aborts.
  it('names the missing module and the PyPI package of a known extension, as a runner error', async () => {
    const err = await runPython(
      { type: 'python', module: 'chaosk8s.pod.actions', func: 'terminate_pods' },
      ctx(),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TURB_ERR_EXPERIMENT_INVALID' });
    const msg = (err as Error).message;
    expect(msg).toContain("python module 'chaosk8s.pod.actions' cannot be imported");
    expect(msg).toContain("No module named 'chaosk8s'");
    expect(msg).toContain('pip install chaostoolkit-kubernetes');
    const avail = await pythonModuleAvailable('chaosprometheus.probes', dir);
    expect(avail.available).toBe(false);
    expect(avail.available === false && avail.message).toContain('chaostoolkit-prometheus');
    expect(await pythonModuleAvailable('os.path', dir)).toEqual({ available: true });
  });

  it('fails clearly when python3 is not there', async () => {
    const saved = process.env.TURBULENCE_PYTHON;
    process.env.TURBULENCE_PYTHON = join(dir, 'no-python-here');
    try {
      const err = await runPython({ type: 'python', module: 'chaosk6.actions', func: 'run_script' }, ctx()).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'TURB_ERR_EXPERIMENT_INVALID' }); // not importable: the method aborts
      expect((err as Error).message).toMatch(
        /needs python3 to run module 'chaosk6.actions' \(package chaostoolkit-k6\)/,
      );
    } finally {
      if (saved === undefined) delete process.env.TURBULENCE_PYTHON;
      else process.env.TURBULENCE_PYTHON = saved;
    }
  });

  it('validates module, function and arguments', async () => {
    const v = (p: Parameters<NonNullable<typeof pythonProvider.validate>>[0]) =>
      pythonProvider.validate!(p, { baseDir: dir });
    expect(await v({ type: 'python', module: 'os.path', func: 'exists', arguments: { path: '/' } })).toEqual([]);
    expect((await v({ type: 'python', module: 'os.path', func: 'nope' }))[0]).toMatchObject({ path: ['func'] });
    expect((await v({ type: 'python', module: 'os.path', func: 'exists', arguments: { pth: '/' } }))[0]).toMatchObject({
      path: ['arguments'],
    });
    expect((await v({ type: 'python', module: 'chaosgremlin.actions', func: 'attack' }))[0]).toMatchObject({
      path: ['module'],
      hint: 'install the Chaos Toolkit extension: pip install chaostoolkit-gremlin',
    });
  });

  it('kills python when the run aborts', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const pending = runPython({ type: 'python', module: 'turb_helpers', func: 'wait' }, ctx({ signal: ac.signal }));
    for (let i = 0; i < 100; i++) {
      if (
        await stat(join(dir, 'waiting')).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    ac.abort();
    expect(await failure(pending)).toMatch(/aborted/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  // Chaos Toolkit runs every python activity in its one process (chaoslib/provider/python.py imports with
  // importlib.import_module, which caches): module state lives as long as the run.
  it('keeps module state between calls in one worker, in parallel, restarted when it dies', async () => {
    stopPythonWorker();
    const release = holdPythonWorker();
    const count = { type: 'python', module: 'turb_helpers', func: 'count' } as const;
    expect(await runPython(count, ctx())).toBe(1);
    expect(await runPython(count, ctx())).toBe(2);
    const pid = pythonWorkerPid();
    expect(pid).toBeGreaterThan(0);
    // background activities run at the same time, on threads of the same process
    const slow = { type: 'python', module: 'turb_helpers', func: 'slow_pid', arguments: { seconds: 0.3 } } as const;
    const started = Date.now();
    expect(await Promise.all([runPython(slow, ctx()), runPython(slow, ctx())])).toEqual([pid, pid]);
    expect(Date.now() - started).toBeLessThan(3000);
    // a function that kills the interpreter fails its activity; the next call gets a fresh worker
    expect(await failure(runPython({ type: 'python', module: 'turb_helpers', func: 'die' }, ctx()))).toMatch(
      /turb_helpers.die: the python worker .* exited with status 3/,
    );
    expect(await runPython(count, ctx())).toBe(1);
    expect(pythonWorkerPid()).not.toBe(pid);
    release();
    expect(pythonWorkerPid()).toBeUndefined();
  });
});
