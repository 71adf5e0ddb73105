/**
 * @module The explorer: runs a scenario once per schedule and collects the schedules that broke an invariant.
 *
 *   systematic(instances × failpoints × hits) ─┐
 *   random(K, p, seed) ────────────────────────┼─▶ scenario.run(schedule) ─▶ violations? ─▶ Finding + replay token
 *   --replay TOKEN ────────────────────────────┘
 */
import { parseFailpointList } from '@turbulence/failpoints/control';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { newSeed } from '../core/rng.js';
import { parseReplay, randomSchedules, replayToken, systematic } from './schedules.js';
import type { ExploreOptions, ExploreReport, Finding, RunOutcome, Scenario, Schedule } from './types.js';

function subset(what: string, all: readonly string[], only: readonly string[] | undefined): readonly string[] {
  if (only === undefined) return all;
  const unknown = only.filter((x) => !all.includes(x));
  if (unknown.length > 0) {
    throw new TurbulenceError(ErrorCodes.USAGE, `unknown ${what}: ${unknown.join(', ')}`, {
      hint: `known: ${all.join(', ')}`,
    });
  }
  return only;
}

function plan(scenario: Scenario, seed: number, o: ExploreOptions): Schedule[] {
  if (o.replay !== undefined) return [parseReplay(o.replay)];
  const input = {
    instances: subset('instances', scenario.instances, o.instances),
    failpoints: subset('failpoints', scenario.failpoints, o.failpoints),
    seed,
    hits: o.hits ?? 1,
    random: o.random ?? 0,
    probability: o.probability ?? 0.2,
    task: o.task ?? 'panic',
  };
  if (!(input.probability > 0 && input.probability <= 1)) {
    throw new TurbulenceError(ErrorCodes.USAGE, `probability must be in (0, 1], got ${input.probability}`);
  }
  const all = [...systematic(input), ...randomSchedules(input)];
  return o.maxSchedules === undefined ? all : all.slice(0, o.maxSchedules);
}

function check(schedule: Schedule, scenario: Scenario): void {
  try {
    parseFailpointList(schedule.failpoints, `schedule ${schedule.id}`);
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.USAGE, errorMessage(err), { cause: err });
  }
  if (!scenario.instances.includes(schedule.instance)) {
    throw new TurbulenceError(ErrorCodes.USAGE, `scenario ${scenario.name} has no instance "${schedule.instance}"`, {
      hint: `instances: ${scenario.instances.join(', ')}`,
    });
  }
}

/**
 * Explores a scenario: every schedule runs to its end (the scenario cleans up), and every schedule that broke an
 * invariant becomes a finding with its replay token.
 *
 * @example
 * const report = await explore(scenario, { seed: 7, random: 10, probability: 0.3 });
 * for (const f of report.findings) console.log(f.violations, `--replay '${f.replay}'`);
 */
export async function explore(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreReport> {
  const seed = options.seed ?? newSeed();
  const schedules = plan(scenario, seed, options);
  for (const schedule of schedules) check(schedule, scenario);
  const signal = options.signal ?? new AbortController().signal;
  const outcomes: (RunOutcome | undefined)[] = [];
  let next = 0;
  let ran = 0;
  // `concurrency` workers take schedules in order; findings are reported in schedule order whatever finishes first.
  const worker = async (): Promise<void> => {
    while (next < schedules.length) {
      if (signal.aborted) {
        throw new TurbulenceError(ErrorCodes.INTERRUPTED, `exploration interrupted after ${ran} schedules`);
      }
      const index = next++;
      const schedule = schedules[index] as Schedule;
      const outcome = await scenario.run(schedule, signal);
      outcomes[index] = outcome;
      ran++;
      options.onSchedule?.(schedule, outcome);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, schedules.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return report(scenario, seed, schedules, outcomes);
}

function report(
  scenario: Scenario,
  seed: number,
  schedules: Schedule[],
  outcomes: (RunOutcome | undefined)[],
): ExploreReport {
  const findings: Finding[] = [];
  let faulted = 0;
  schedules.forEach((schedule, i) => {
    const outcome = outcomes[i];
    if (!outcome) return;
    if (outcome.faulted) faulted++;
    if (outcome.violations.length === 0) return;
    const finding: Finding = { schedule, violations: outcome.violations, replay: replayToken(schedule) };
    if (outcome.detail !== undefined) finding.detail = outcome.detail;
    findings.push(finding);
  });
  return { scenario: scenario.name, seed, schedules: outcomes.filter(Boolean).length, faulted, findings };
}
