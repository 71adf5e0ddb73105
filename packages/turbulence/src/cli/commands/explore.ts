/**
 * `turbulence explore SCENARIO`: run a system many times, crashing one instance at one failpoint each time, and
 * report every schedule that breaks the scenario's invariant with the token that replays it.
 */
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { explore } from '../../explore/explore.js';
import { loadScenario } from '../../explore/load.js';
import type { ExploreOptions, ExploreReport } from '../../explore/types.js';
import { trapInterrupts } from '../signals.js';
import { parseInteger, parseProbability } from '../parse.js';

interface Flags {
  seed?: string;
  hits: string;
  random: string;
  probability: string;
  task: string;
  replay?: string;
  maxSchedules?: string;
  concurrency: string;
  confirm: string;
  instances?: string;
  failpoints?: string;
  option: string[];
  json?: boolean;
}

const int = (name: string, value: string, min: number): number => parseInteger(`--${name}`, value, { min });
const probability = (value: string): number => parseProbability('--probability', value, { zero: false });

function keyValues(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new TurbulenceError(ErrorCodes.USAGE, `--option expects key=value, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const csv = (v: string | undefined): string[] | undefined =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function toOptions(f: Flags, signal: AbortSignal): ExploreOptions {
  const o: ExploreOptions = {
    hits: int('hits', f.hits, 1),
    random: int('random', f.random, 0),
    probability: probability(f.probability),
    task: f.task,
    signal,
  };
  if (f.seed !== undefined) o.seed = int('seed', f.seed, 0);
  if (f.replay !== undefined) o.replay = f.replay;
  if (f.maxSchedules !== undefined) o.maxSchedules = int('max-schedules', f.maxSchedules, 1);
  o.concurrency = int('concurrency', f.concurrency, 1);
  o.confirm = int('confirm', f.confirm, 0);
  const instances = csv(f.instances);
  const failpoints = csv(f.failpoints);
  if (instances) o.instances = instances;
  if (failpoints) o.failpoints = failpoints;
  return o;
}

function printReport(r: ExploreReport, scenarioPath: string): void {
  const definite = r.findings.filter((f) => f.verdict === 'deterministic');
  const races = r.findings.filter((f) => f.verdict === 'race');
  console.log(
    `\n${r.scenario}: ${r.schedules} schedules (seed ${r.seed}), ${r.faulted} with a fault that fired, ` +
      `${r.findings.length} broke the invariant: ${definite.length} every time, ${races.length} only sometimes (a race)`,
  );
  const print = (f: ExploreReport['findings'][number], mark: string) => {
    console.log(
      `\n  ${mark} ${f.schedule.id} (${f.schedule.phase}): instance ${f.schedule.instance} with ${f.schedule.failpoints}`,
    );
    console.log(`      reproduces ${f.reproduced}/${f.attempts}`);
    if (f.fired) console.log(`      fired: ${f.fired.length > 0 ? f.fired.join(', ') : 'no failpoint'}`);
    for (const v of f.violations) console.log(`      ${v}`);
    if (f.detail) console.log(`      (${f.detail})`);
    console.log(`      replay: turbulence explore ${scenarioPath} --replay '${f.replay}'`);
  };
  if (definite.length > 0) console.log('\nFindings (every replay broke the invariant):');
  for (const f of definite) print(f, '✗');
  if (races.length > 0) {
    console.log(
      '\nRaces (the same schedule broke the invariant only sometimes: timing decides, so the token does not replay it every time):',
    );
    for (const f of races) print(f, '~');
  }
}

async function action(scenarioPath: string, flags: Flags): Promise<void> {
  const interrupts = trapInterrupts();
  try {
    const scenario = await loadScenario(scenarioPath, keyValues(flags.option));
    const options = toOptions(flags, interrupts.soft);
    if (!flags.json) {
      let last = Date.now();
      options.onSchedule = (s, o) => {
        const mark = o.violations.length > 0 ? '✗' : o.faulted ? '✓' : '·';
        const fps = s.failpoints.length > 60 ? `${s.failpoints.slice(0, 57)}...` : s.failpoints;
        const ms = Date.now() - last;
        last = Date.now();
        const fired = o.fired && o.fired.length > 0 ? `  fired ${o.fired.join(',')}` : '';
        console.log(`${mark} ${s.id.padEnd(7)} ${s.instance}  ${fps.padEnd(60)} ${ms} ms${fired}`);
      };
      options.onConfirm = (s, attempt, o) => {
        const ms = Date.now() - last;
        last = Date.now();
        const mark = o.violations.length > 0 ? '✗' : '✓';
        console.log(`${mark}   replay ${attempt}/${(options.confirm ?? 3) + 1} of ${s.id}  ${ms} ms`);
      };
    }
    const report = await explore(scenario, options);
    if (flags.json) console.log(JSON.stringify(report, null, 2));
    else printReport(report, scenarioPath);
    process.exitCode = report.findings.length > 0 ? 1 : 0;
  } finally {
    interrupts.dispose();
  }
}

export function register(program: Command): void {
  program
    .command('explore')
    .description(
      'run a scenario many times, crashing one instance at one failpoint each time (systematically, then at random), ' +
        'and report every schedule that breaks its invariant with a token that replays it; exit 1 when one does',
    )
    .argument('<scenario>', 'module exporting a scenario (default export, or a function of --option values)')
    .option('--seed <n>', 'seed of the exploration (schedules derive their own)')
    .option('--hits <n>', 'systematic phase: crash at each of the first N hits of every failpoint', '1')
    .option('--random <n>', 'random schedules after the systematic phase', '0')
    .option('--probability <p>', 'random phase: chance per failpoint hit, 0..1 or a percentage', '0.2')
    .option('--task <task>', 'what a schedule does at the failpoint (panic = crash; e.g. error(EIO))', 'panic')
    .option('--instances <list>', 'only these instances (comma-separated)')
    .option('--failpoints <list>', 'only these failpoints (comma-separated)')
    .option('--replay <token>', "run one schedule again, from a finding's replay token")
    .option('--max-schedules <n>', 'stop after N schedules')
    .option('--concurrency <n>', 'schedules run at once (the scenario must allow it)', '1')
    .option(
      '--confirm <n>',
      'replay each finding N more times before reporting it: "reproduces 4/4" is deterministic, fewer is a race',
      '3',
    )
    .option(
      '--option <key=value>',
      'passed to the scenario factory (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'before',
      'Marks: ✗ broke the invariant, ✓ the fault fired and the invariant held, · the failpoint was never reached.\n' +
        'Each schedule that broke the invariant is replayed --confirm times; the report says how often it reproduced.\n',
    )
    .addHelpText(
      'after',
      '\nExample:\n  turbulence explore examples/two-phase-rotation/scenario.ts --random 10\n' +
        "  turbulence explore examples/two-phase-rotation/scenario.ts --replay '123:b:prepare.acked=1*panic'",
    )
    .action(action);
}
