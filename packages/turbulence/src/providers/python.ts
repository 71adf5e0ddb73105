/**
 * The `python` provider: Chaos Toolkit's own provider type, run in the machine's `python3` through a small
 * shim (`python/shim.ts`) in one worker per run (`python/worker.ts`), so stdlib functions (`os.path.exists`,
 * `os.remove`) and installed Chaos Toolkit extensions (`chaosk8s`, `chaosprometheus`, ...) keep working, and
 * module state lives as long as the run, as in Chaos Toolkit's single process.
 *
 *   runner ──JSON {module, func, arguments, configuration?, secrets?}──▶ worker ──▶ func(**arguments)
 *          ◀──────────── {ok, output} | {ok: false, error: "ExcType: msg"} ───────┘
 *
 * Any exception in the function fails the activity with `ExcType: msg`. A missing python3 or module fails it
 * with a message naming the module and, for known extensions, the PyPI package to install.
 */
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { PythonProvider } from '../experiment/types.js';
import { pypiPackageFor } from './python/packages.js';
import {
  PythonCallAborted,
  PythonUnavailable,
  PythonWorkerDied,
  pythonRequest,
  type ShimAnswer,
} from './python/worker.js';
import { pythonSchema } from './schemas.js';
import { activityFailed, type ProviderContext, type ProviderDefinition, type ProviderProblem } from './types.js';

export { pythonExecutable, stopPythonWorker } from './python/worker.js';

/** One request through the run's worker; an aborted call is a failed activity, as before. */
async function runShim(request: Record<string, unknown>, signal?: AbortSignal): Promise<ShimAnswer> {
  try {
    return await pythonRequest(request, signal);
  } catch (err) {
    if (err instanceof PythonCallAborted) throw activityFailed('python activity was aborted');
    throw err;
  }
}

function runnerError(message: string, hint: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, message, { hint });
}

function searchPaths(baseDir: string): string[] {
  return [...new Set([baseDir, process.cwd()])];
}

function notImportable(module: string, error: string): string {
  const pkg = pypiPackageFor(module);
  const install = pkg ? `; install the Chaos Toolkit extension with: pip install ${pkg}` : '';
  return `python module '${module}' cannot be imported (${error})${install}`;
}

function missingPython(module: string, why: string): string {
  const pkg = pypiPackageFor(module);
  return `the python provider needs python3 to run module '${module}'${pkg ? ` (package ${pkg})` : ''}: ${why}`;
}

function mergedSecrets(p: PythonProvider, secrets: ProviderContext['secrets']): Record<string, unknown> | null {
  if (!p.secrets || p.secrets.length === 0) return null;
  return Object.assign({}, ...p.secrets.map((scope) => secrets[scope] ?? {})) as Record<string, unknown>;
}

function request(op: 'call' | 'validate', p: PythonProvider, ctx: Partial<ProviderContext> & { baseDir: string }) {
  return {
    op,
    module: p.module,
    func: p.func,
    arguments: p.arguments ?? {},
    configuration: ctx.configuration ?? {},
    secrets: ctx.secrets ? mergedSecrets(p, ctx.secrets) : null,
    paths: searchPaths(ctx.baseDir),
  };
}

/**
 * Calls `module.func(**arguments)` in python3 and returns what it returned.
 *
 * @example
 * await runPython({ type: 'python', module: 'os.path', func: 'exists', arguments: { path: '/tmp' } }, ctx); // true
 */
export async function runPython(p: PythonProvider, ctx: ProviderContext): Promise<unknown> {
  let answer: ShimAnswer;
  try {
    answer = await runShim(request('call', p, ctx), ctx.signal);
  } catch (err) {
    if (err instanceof PythonUnavailable) throw runnerError(missingPython(p.module, err.message), 'install python3');
    // The function took the worker down (os._exit, a crash): this call failed; the next one gets a new worker.
    if (err instanceof PythonWorkerDied) throw activityFailed(`${p.module}.${p.func}: ${err.message}`, err);
    throw err;
  }
  if (answer.ok) return answer.output ?? null;
  const error = answer.error ?? 'unknown error';
  // chaoslib/provider/python.py imports the module and looks up the function outside its try: an ImportError or
  // AttributeError there is not an ActivityFailed, and the method aborts. Only the call itself fails the activity.
  if (answer.stage === 'import')
    throw runnerError(notImportable(p.module, error), 'check the module name and PYTHONPATH');
  if (answer.stage === 'func') throw runnerError(error, 'check provider.func');
  throw activityFailed(error);
}

/** Whether python3 can import a module, and if not, why (for `--dry` and `validate` reports). */
export type PythonAvailability = { available: true } | { available: false; message: string };

/**
 * Checks, without importing it, whether python3 would find a module (and python3 itself exists).
 *
 * @example
 * await pythonModuleAvailable('chaosk8s.pod.actions');
 * // { available: false, message: "python module 'chaosk8s.pod.actions' cannot be imported (...); install ... chaostoolkit-kubernetes" }
 */
export async function pythonModuleAvailable(module: string, baseDir = process.cwd()): Promise<PythonAvailability> {
  try {
    const answer = await runShim({ op: 'available', module, paths: searchPaths(baseDir) });
    if (answer.ok) return { available: true };
    return { available: false, message: notImportable(module, answer.error ?? 'not found') };
  } catch (err) {
    return { available: false, message: missingPython(module, errorMessage(err)) };
  }
}

async function validatePython(p: PythonProvider, ctx: { baseDir: string }): Promise<ProviderProblem[]> {
  let answer: ShimAnswer;
  try {
    answer = await runShim(request('validate', p, { baseDir: ctx.baseDir, configuration: {}, secrets: {} }));
  } catch (err) {
    return [{ path: ['module'], message: missingPython(p.module, errorMessage(err)), hint: 'install python3' }];
  }
  if (answer.ok) return [];
  const error = answer.error ?? 'unknown error';
  if (answer.stage === 'import') {
    const pkg = pypiPackageFor(p.module);
    const message = `python module '${p.module}' cannot be imported (${error})`;
    const hint = pkg
      ? `install the Chaos Toolkit extension: pip install ${pkg}`
      : 'check the module name and PYTHONPATH';
    return [{ path: ['module'], message, hint }];
  }
  if (answer.stage === 'func') return [{ path: ['func'], message: error }];
  return [{ path: ['arguments'], message: `arguments do not fit ${p.module}.${p.func}: ${error}` }];
}

/** The `python` provider definition. */
export const pythonProvider: ProviderDefinition<PythonProvider> = {
  type: 'python',
  schema: pythonSchema,
  substitute: ['arguments'],
  run: runPython,
  validate: validatePython,
  describe: (p) => `${p.module}.${p.func}(${Object.keys(p.arguments ?? {}).join(', ')})`,
};
