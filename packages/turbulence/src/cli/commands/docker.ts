/**
 * `turbulence docker ...`: Pumba's command line (`pumba` replaced by `turbulence docker`), executed with
 * turbulence's container faults. Parsing and planning are pure (`../pumba/`); `--dry-run` prints the plan and the
 * containers it would hit.
 */
import type { Command } from 'commander';
import { ExitCodes, errorMessage } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { FaultManager } from '../../faults/manager.js';
import { VERSION } from '../../version.js';
import { executePumbaPlan } from '../pumba/execute.js';
import { pumbaHelp } from '../pumba/help.js';
import { parsePumba } from '../pumba/parse.js';
import { planPumba, type PumbaPlan } from '../pumba/plan.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** Registers `turbulence docker`. */
export function register(program: Command): void {
  program
    .command('docker')
    .description('Pumba-compatible container chaos: any `pumba ...` command line runs as `turbulence docker ...`')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[pumba-args...]', 'a Pumba command line without the word pumba')
    .action(async (_args: string[], _flags: unknown, cmd: Command) => {
      const raw = ((cmd.parent ?? cmd) as unknown as { rawArgs: string[] }).rawArgs;
      const words = raw.slice(raw.indexOf('docker', 2) + 1);
      process.exitCode = await dockerCommand(words);
    });
}

/** Runs one Pumba command line; resolves with the exit code. */
export async function dockerCommand(words: readonly string[]): Promise<number> {
  const line = parsePumba(words);
  const plan = planPumba(line);
  if (plan.action === 'version') {
    out(`turbulence docker ${VERSION} (Pumba-compatible command line)`);
    return ExitCodes.OK;
  }
  if (plan.action === 'help') {
    out(pumbaHelp(line.command));
    return ExitCodes.OK;
  }
  if (plan.dockerHost) process.env.DOCKER_HOST = plan.dockerHost;
  for (const note of plan.notes) err(`note: ${note}`);
  if (line.globals['dry-run'] === true) return dryRun(plan);
  return executePumbaPlan(plan, { out, err });
}

async function dryRun(plan: PumbaPlan): Promise<number> {
  out(plan.json ? JSON.stringify(plan) : renderPlan(plan));
  if (!plan.fault || plan.unsupported.length > 0) return ExitCodes.OK;
  try {
    const manager = new FaultManager({ rng: new Rng(1), dryRun: true });
    const faults = await manager.inject(plan.fault, { activity: 'turbulence docker --dry-run' });
    for (const f of faults) out(`would inject ${f.kind} on ${f.target.name}`);
  } catch (e) {
    out(`targets: not resolved (${errorMessage(e).split('\n')[0]})`);
  }
  return ExitCodes.OK;
}

function renderPlan(plan: PumbaPlan): string {
  const f = plan.fault;
  const lines = [`plan: ${plan.command}`];
  if (f) {
    lines.push(
      `  kind:     ${f.kind}`,
      `  target:   ${JSON.stringify(f.target)}`,
      `  params:   ${JSON.stringify(f.params)}`,
    );
    if (f.select) lines.push(`  select:   ${JSON.stringify(f.select)}`);
    lines.push(
      `  duration: ${f.durationMs === undefined ? (plan.keep ? 'kept (not reverted)' : 'none (one-shot)') : `${f.durationMs} ms`}`,
    );
  }
  if (plan.intervalMs !== undefined)
    lines.push(`  interval: ${plan.intervalMs} ms${plan.skipError ? ' (skip errors)' : ''}`);
  if (plan.dockerHost) lines.push(`  host:     ${plan.dockerHost}`);
  for (const u of plan.unsupported) lines.push(`  unsupported: ${u}`);
  return lines.join('\n');
}
