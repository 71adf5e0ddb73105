/**
 * @module `node --import @turbulence/failpoints/register app.js`: rule-based fault injection without code changes
 * (Byteman for Node). Loads rules from `TURBULENCE_RULES` (a JSON file), installs the rules engine behind the
 * control endpoint's `/rules`, applies the failpoint variables, and registers the ESM loader hook that wraps the
 * exports of the application modules named by app rules or by `TURBULENCE_RULES_MODULES` (comma-separated globs
 * relative to the working directory, e.g. `src/**`).
 */
import { writeSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { applyEnvOnce } from './env.js';
import { rulesEngine } from './rules/engine.js';
import type { LoaderData } from './rules/loader.js';
import { parseAppTarget, readRulesFile } from './rules/parse.js';
import { setRulesBackend } from './rules-backend.js';

function setup(): void {
  const engine = rulesEngine();
  setRulesBackend(engine);
  const modules = (process.env.TURBULENCE_RULES_MODULES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const file = process.env.TURBULENCE_RULES;
  if (file) {
    for (const rule of readRulesFile(file)) {
      engine.set(rule.name, { target: rule.target, when: rule.when, action: rule.action });
      const app = parseAppTarget(rule.target);
      if (app) modules.push(app.module);
    }
  }
  if (modules.length > 0) {
    const data: LoaderData = {
      cwdUrl: pathToFileURL(`${process.cwd()}/`).href,
      modules,
      runtimeUrl: new URL('./rules/app-exports.js', import.meta.url).href,
    };
    register('./rules/loader.js', import.meta.url, { data });
  }
}

try {
  setup();
} catch (err) {
  writeSync(2, `@turbulence/failpoints/register: ${(err as Error).message}\n`);
  process.exit(1);
}
applyEnvOnce();

export { rulesEngine } from './rules/engine.js';
