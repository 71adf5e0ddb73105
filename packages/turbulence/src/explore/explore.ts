/**
 * @module The explorer: runs a scenario once per schedule and collects the schedules that broke an invariant.
 *
 *   systematic(instances × failpoints × hits) ─┐
 *   random(K, p, seed) ────────────────────────┼─▶ scenario.run(schedule) ─▶ violations? ─▶ replay it `confirm`
 *   --replay TOKEN ────────────────────────────┘        times ─▶ Finding (reproduces N/M: deterministic | race)
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
  const findings = await confirmAll(scenario, schedules, outcomes, options, signal);
  return {
    scenario: scenario.name,
    seed,
    schedules: outcomes.filter(Boolean).length,
    faulted: outcomes.filter((o) => o?.faulted).length,
    findings,
  };
}

/**
 * Every schedule that broke an invariant, replayed `confirm` more times (one after another: a race shows up
 * less often when replays compete for the CPU with each other) and labelled with how often it reproduced.
 */
async function confirmAll(
  scenario: Scenario,
  schedules: readonly Schedule[],
  outcomes: readonly (RunOutcome | undefined)[],
  options: ExploreOptions,
  signal: AbortSignal,
): Promise<Finding[]> {
  const confirm = options.confirm ?? 3;
  const findings: Finding[] = [];
  for (const [i, schedule] of schedules.entries()) {
    const outcome = outcomes[i];
    if (!outcome || outcome.violations.length === 0) continue;
    let reproduced = 1;
    for (let attempt = 2; attempt <= confirm + 1; attempt++) {
      if (signal.aborted) {
        throw new TurbulenceError(ErrorCodes.INTERRUPTED, `exploration interrupted while replaying ${schedule.id}`);
      }
      const again = await scenario.run(schedule, signal);
      if (again.violations.length > 0) reproduced++;
      options.onConfirm?.(schedule, attempt, again);
    }
    const attempts = confirm + 1;
    const finding: Finding = {
      schedule,
      violations: outcome.violations,
      replay: replayToken(schedule),
      reproduced,
      attempts,
      verdict: reproduced === attempts ? 'deterministic' : 'race',
    };
    if (outcome.detail !== undefined) finding.detail = outcome.detail;
    if (outcome.fired !== undefined) finding.fired = outcome.fired;
    findings.push(finding);
  }
  return findings;
}
