/**
 * @module Loads an explorer scenario from a module: its default export (a scenario, or a function of options
 * that returns one) or a named `scenario` export.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { loadModule } from '../providers/module.js';
import type { Scenario } from './types.js';

function isScenario(v: unknown): v is Scenario {
  const s = v as Partial<Scenario> | null;
  return (
    !!s &&
    typeof s === 'object' &&
    typeof s.run === 'function' &&
    Array.isArray(s.instances) &&
    Array.isArray(s.failpoints)
  );
}

/**
 * @example
 * const scenario = await loadScenario('examples/two-phase-rotation/scenario.ts', { 'safe-prepare': '1' });
 */
export async function loadScenario(
  spec: string,
  options: Record<string, string>,
  baseDir = process.cwd(),
): Promise<Scenario> {
  // A path that exists is a file even without a leading ./ (loadModule would take it for a package name).
  const file = existsSync(resolve(baseDir, spec)) ? resolve(baseDir, spec) : spec;
  const mod = await loadModule(file, baseDir);
  const exported = mod.default ?? mod.scenario;
  const value: unknown =
    typeof exported === 'function' ? await (exported as (o: Record<string, string>) => unknown)(options) : exported;
  if (!isScenario(value)) {
    throw new TurbulenceError(ErrorCodes.USAGE, `${spec} does not export a scenario`, {
      hint: 'export default { name, instances, failpoints, run(schedule, signal) } or a function of options returning one',
    });
  }
  return value;
}
