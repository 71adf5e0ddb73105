/**
 * `turbulence validate EXPERIMENT`: loads and validates an experiment without running anything, printing every
 * problem as `file:line:col: message` with a hint. Exit 0 when valid, 2 when not (or when it cannot be loaded).
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, ExitCodes, TurbulenceError, isTurbulenceError } from '../../core/errors.js';
import { DIALECT_NAMES } from '../../experiment/formats/detect.js';
import { loadExperiment, type LoadedExperiment } from '../../experiment/load.js';
import { validateExperiment } from '../../experiment/validate.js';
import { loadOverrides } from '../../experiment/vars.js';

interface ValidateFlags {
  var: string[];
  varFile: string[];
  json?: boolean;
  providerChecks: boolean;
  hub?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

const EXAMPLES = `
Examples:
  $ turbulence validate experiment.yaml
  $ turbulence validate https://example.com/experiment.json --var port:int=8080
  $ turbulence validate experiment.json --var-file vars.yaml --json

Unlike Chaos Toolkit, --var and --var-file values are applied before validating, so an env-typed configuration
key given with --var is not reported as missing.`;

/** Registers `turbulence validate`. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check an experiment (JSON or YAML, path or URL) without running it; lists every problem')
    .argument(
      '<experiment>',
      'experiment file (.json, .yaml, .yml) or http(s) URL; a PowerfulSeal policy or LitmusChaos ChaosEngine YAML is detected and translated',
    )
    .option('--var <key[:type]=value>', 'configuration value (repeatable; types: str int float bool json)', collect, [])
    .option('--var-file <path>', 'JSON/YAML {configuration, secrets} or .env file (repeatable)', collect, [])
    .option('--hub <dir>', 'LitmusChaos: folder of ChaosExperiment definitions (a ChaosHub checkout)')
    .option('--no-provider-checks', 'skip provider checks (executables exist, modules resolve)')
    .option('--json', 'print the result as one JSON object')
    .addHelpText('after', EXAMPLES)
    .action(async (source: string, flags: ValidateFlags) => {
      process.exitCode = await validateCommand(source, flags);
    });
}

async function validateCommand(source: string, flags: ValidateFlags): Promise<number> {
  const warnings: TurbulenceError[] = [];
  let loaded: LoadedExperiment;
  let errors: TurbulenceError[];
  try {
    const overrides = await loadOverrides({ vars: flags.var, varFiles: flags.varFile });
    loaded = await loadExperiment(source, flags.hub === undefined ? {} : { hub: flags.hub });
    for (const note of loaded.notes ?? []) {
      warnings.push(new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, note, { location: { file: loaded.source } }));
    }
    errors = await validateExperiment(loaded, {
      overrides,
      checkProviders: flags.providerChecks,
      onWarning: (w) => warnings.push(w),
    });
  } catch (err) {
    if (!isTurbulenceError(err)) throw err;
    report(source, flags, [err, ...err.details], [], undefined);
    return ExitCodes.INVALID;
  }
  report(source, flags, errors, warnings, loaded);
  return errors.length === 0 ? ExitCodes.OK : ExitCodes.INVALID;
}

function report(
  source: string,
  flags: ValidateFlags,
  errors: TurbulenceError[],
  warnings: TurbulenceError[],
  loaded: LoadedExperiment | undefined,
): void {
  if (flags.json) {
    const format = loaded?.dialect ?? (loaded ? 'chaostoolkit' : undefined);
    const result = { valid: errors.length === 0, source, ...(format ? { format } : {}), errors, warnings };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  for (const w of warnings) process.stdout.write(line(w, 'warning: '));
  for (const e of errors) process.stdout.write(line(e, ''));
  const name = display(source);
  if (errors.length > 0) {
    const n = errors.length;
    process.stdout.write(`✗ ${name}: ${n} problem${n > 1 ? 's' : ''}\n`);
    return;
  }
  const e = loaded?.experiment;
  const what = loaded?.dialect ? `${DIALECT_NAMES[loaded.dialect]}, translated into experiment` : 'experiment';
  const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  process.stdout.write(
    `✓ ${name}: valid ${what} "${e?.title}" (${count(e?.['steady-state-hypothesis']?.probes)} hypothesis probes, ` +
      `${count(e?.method)} method activities, ${count(e?.rollbacks)} rollbacks)\n`,
  );
}

/** `file:line:col: message` then `  hint: ...`. */
function line(err: TurbulenceError, prefix: string): string {
  const loc = err.location;
  const where = [display(loc?.file ?? ''), loc?.line, loc?.line === undefined ? undefined : loc.column]
    .filter((p) => p !== undefined && p !== '')
    .join(':');
  const head = `${where ? `${where}: ` : ''}${prefix}${err.message}\n`;
  return err.hint ? `${head}  hint: ${err.hint}\n` : head;
}

function display(file: string): string {
  if (!file.startsWith('/')) return file;
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
