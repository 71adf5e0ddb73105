/**
 * Imports a user's JS/TS module (controls, module providers, probes): a path relative to `baseDir`, an absolute
 * path, or a package name. TypeScript files load through tsx's ESM API, so users need no build step.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';

const cache = new Map<string, Promise<Record<string, unknown>>>();

/** Absolute file path for a relative or absolute spec, or undefined for a bare package name. */
export function resolveModulePath(spec: string, baseDir: string): string | undefined {
  if (spec.startsWith('.') || isAbsolute(spec)) return resolve(baseDir, spec);
  return undefined;
}

/**
 * Loads a module once per process and returns its namespace.
 *
 * @example
 * const mod = await importUserModule('./probes.ts', dirname(experimentPath));
 */
export function importUserModule(spec: string, baseDir: string): Promise<Record<string, unknown>> {
  const file = resolveModulePath(spec, baseDir);
  const key = file ?? `pkg:${spec}:${baseDir}`;
  let p = cache.get(key);
  if (!p) {
    p = load(spec, file, baseDir);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function load(spec: string, file: string | undefined, baseDir: string): Promise<Record<string, unknown>> {
  try {
    if (file) {
      if (!existsSync(file)) {
        throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `module file ${file} does not exist`, {
          hint: 'module paths are relative to the experiment file',
        });
      }
      if (/\.(c|m)?tsx?$/.test(file)) {
        const { tsImport } = (await import('tsx/esm/api')) as {
          tsImport: (s: string, p: string) => Promise<Record<string, unknown>>;
        };
        return await tsImport(pathToFileURL(file).href, import.meta.url);
      }
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    }
    const require = createRequire(resolve(baseDir, 'noop.js'));
    const resolved = require.resolve(spec);
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TurbulenceError) throw err;
    throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `cannot load module "${spec}": ${errorMessage(err)}`, {
      cause: err,
    });
  }
}
