/**
 * `turbulence monkey plan|run|status|halt|resume`: continuous chaos on a schedule (Chaos Monkey, kube-monkey).
 */
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { Target } from '../../core/fault.js';
import { newSeed } from '../../core/rng.js';
import { loadSchedule } from '../../monkey/load.js';
import { plan, type PlannedEntry } from '../../monkey/plan.js';
import { resolveGroup } from '../../monkey/targets.js';
import { formatZoned, localDate, parseDate } from '../../monkey/time.js';
import type { Schedule } from '../../monkey/validate.js';
import { parseInteger } from '../parse.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

const EXAMPLES = `
Examples:
  $ turbulence monkey plan examples/monkey/demo.yaml --days 30 --seed 7
  $ turbulence monkey plan examples/monkey/demo.yaml --days 5 --seed 7 --start 2026-12-07 --json
  $ turbulence monkey run examples/monkey/demo.yaml --seed 7
  $ turbulence monkey status examples/monkey/demo.yaml
  $ turbulence monkey halt examples/monkey/demo.yaml     # kill switch: reverts active faults, injects nothing
  $ turbulence monkey resume examples/monkey/demo.yaml`;

interface PlanFlags {
  days: string;
  seed?: string;
  start?: string;
  json?: boolean;
  skipped?: boolean;
}

/** Registers `turbulence monkey ...`. */
export function register(program: Command): void {
  const monkey = program
    .command('monkey')
    .description(
      'continuous chaos on a schedule: faults at random times inside working hours, Chaos Monkey and kube-monkey style, with safety nets',
    )
    .addHelpText('after', EXAMPLES);

  monkey
    .command('plan')
    .description('print the time line a schedule would follow (the same for the same seed), without touching anything')
    .argument('<schedule>', 'schedule file (.yaml, .yml, .json)')
    .option('--days <n>', 'how many calendar days to plan', '14')
    .option('--seed <n>', 'seed of the time line (printed when not given)')
    .option('--start <date>', 'first day, YYYY-MM-DD in the schedule time zone (default: today there)')
    .option('--json', 'one JSON object per line: {at, group, kind, target?}')
    .option('--skipped', 'also list what was drawn and skipped, with why')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: PlanFlags) => {
      process.exitCode = await planCommand(file, flags);
    });
}

async function planCommand(file: string, flags: PlanFlags): Promise<number> {
  const days = parseInteger('--days', flags.days, { min: 1, max: 3660 });
  const seed = flags.seed === undefined ? newSeed() : parseInteger('--seed', flags.seed, { max: 0x7fff_ffff });
  const schedule = await loadSchedule(file);
  const start = startDate(schedule, flags.start);
  if (flags.seed === undefined) err(`seed ${seed} (pass --seed ${seed} to print this time line again)`);
  const candidates = await groupCandidates(schedule, (msg) => err(`warning: ${msg}`));
  const entries = plan({ schedule, seed, start, candidates: (g) => candidates.get(g.name) }, days);
  for (const e of entries) {
    if (e.decision === 'skip' && !flags.skipped) continue;
    out(flags.json ? JSON.stringify(planJson(e, schedule)) : planLine(e, schedule));
  }
  return 0;
}

/** Resolves every fault group now; a group matching nothing is a warning (it may match by the time it fires). */
export async function groupCandidates(schedule: Schedule, warn: (msg: string) => void): Promise<Map<string, Target[]>> {
  const out = new Map<string, Target[]>();
  for (const group of schedule.groups) {
    if (!group.fault) continue;
    const r = await resolveGroup(group);
    if ('problem' in r) warn(`group ${group.name}: ${r.problem}; planning without targets`);
    else out.set(group.name, r.targets);
  }
  return out;
}

function startDate(schedule: Schedule, text: string | undefined) {
  if (text === undefined) return localDate(Date.now(), schedule.timezone);
  const date = parseDate(text);
  if (!date) {
    throw new TurbulenceError(ErrorCodes.USAGE, `--start must be a date, got ${JSON.stringify(text)}`, {
      hint: 'write YYYY-MM-DD, e.g. --start 2026-12-07',
    });
  }
  return date;
}

function planJson(e: PlannedEntry, schedule: Schedule): Record<string, unknown> {
  const targets = e.targets?.map((t) => t.name);
  return {
    at: formatZoned(e.at, schedule.timezone),
    group: e.group,
    kind: e.kind,
    ...(targets?.length === 1 ? { target: targets[0] } : targets && targets.length > 1 ? { targets } : {}),
    ...(e.decision === 'skip' ? { skipped: e.reason } : {}),
  };
}

function planLine(e: PlannedEntry, schedule: Schedule): string {
  const what = e.targets?.map((t) => t.name).join(', ') ?? '';
  const skip = e.decision === 'skip' ? `  skipped: ${e.reason}` : '';
  return `${formatZoned(e.at, schedule.timezone)}  ${e.group}  ${e.kind}${what ? `  ${what}` : ''}${skip}`;
}
