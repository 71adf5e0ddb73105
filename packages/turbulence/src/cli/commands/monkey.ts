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
import { parseInteger, parseNumber } from '../parse.js';
import { basename, extname } from 'node:path';
import { acceleratedClock, realClock, type Clock } from '../../monkey/clock.js';
import { MonkeyRunner } from '../../monkey/runner.js';
import { serveMonkeyControl } from '../../monkey/control.js';
import { MonkeyStore, leaseAlive, monkeyDir } from '../../monkey/state.js';
import { Ledger } from '../../faults/ledger.js';
import { recoverLedger } from '../../faults/recover.js';
import { trapInterrupts } from '../signals.js';
import { zonedInstant } from '../../monkey/time.js';
import type { AnyEvent } from '../../core/events.js';
import { spawn } from 'node:child_process';
import { parsePairs } from '../../targets/query.js';

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

const EXAMPLES = `
Examples:
  $ turbulence monkey plan examples/monkey/demo.yaml --days 30 --seed 7
  $ turbulence monkey plan examples/monkey/demo.yaml --days 5 --seed 7 --start 2026-12-07 --json
  $ turbulence monkey run examples/monkey/demo.yaml --seed 7
  $ turbulence monkey status examples/monkey/demo.yaml
  $ turbulence monkey halt examples/monkey/demo.yaml     # kill switch: reverts active faults, injects nothing
  $ turbulence monkey resume examples/monkey/demo.yaml
  $ turbulence monkey plan config.toml --labels deployment.yaml --days 10 --seed 1     # kube-monkey, unchanged
  $ turbulence monkey plan config.toml --days 10        # kube-monkey victims read from the cluster's labels
  $ turbulence monkey plan config.toml --kind container.kill --days 10   # ... from Docker containers' labels
  $ turbulence monkey plan chaosmonkey.toml --app abc.json -t cmdline='node .*abc' # Chaos Monkey + per-app JSON`;

/** Flags for upstream configs (kube-monkey config.toml, Chaos Monkey chaosmonkey.toml). */
interface UpstreamFlags {
  kind?: string;
  target: string[];
  labels: string[];
  app: string[];
  mtbf?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function upstreamOptions(command: Command): Command {
  return command
    .option(
      '--kind <kind>',
      'upstream configs: the fault each victim gets (kube-monkey: pod.delete, Chaos Monkey: process.kill)',
    )
    .option('-t, --target <k=v>', 'upstream configs: the target query of every group, repeatable', collect, [])
    .option(
      '--labels <file>',
      'kube-monkey: a manifest whose kube-monkey/* labels make a group, repeatable (without it and without ' +
        '--target: the labelled workloads of the cluster, or with --kind container.* the labelled Docker containers)',
      collect,
      [],
    )
    .option('--app <file>', "Chaos Monkey: an app's Spinnaker JSON (attributes.chaosMonkey), repeatable", collect, [])
    .option('--mtbf <days>', 'kube-monkey without --labels: mean time between faults of the one group');
}

/** Loads a schedule, or an upstream config with the upstream flags; warnings go to stderr. */
async function load(file: string, flags: UpstreamFlags) {
  return loadSchedule(file, {
    ...(flags.kind !== undefined ? { kind: flags.kind } : {}),
    ...(flags.target.length > 0 ? { target: parsePairs(flags.target, '--target') } : {}),
    labels: flags.labels,
    apps: flags.app,
    ...(flags.mtbf !== undefined ? { mtbf: parseNumber('--mtbf', flags.mtbf, { above: 0 }) } : {}),
    warn: (m) => err(`warning: ${m}`),
  });
}

interface PlanFlags extends UpstreamFlags {
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

  upstreamOptions(monkey.command('plan'))
    .description('print the time line a schedule would follow (the same for the same seed), without touching anything')
    .argument(
      '<schedule>',
      'schedule file (.yaml, .yml, .json), or a kube-monkey config.toml / ConfigMap, or a chaosmonkey.toml',
    )
    .option('--days <n>', 'how many calendar days to plan', '14')
    .option('--seed <n>', 'seed of the time line (printed when not given)')
    .option('--start <date>', 'first day, YYYY-MM-DD in the schedule time zone (default: today there)')
    .option('--json', 'one JSON object per line: {at, group, kind, target?}')
    .option('--skipped', 'also list what was drawn and skipped, with why')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: PlanFlags) => {
      process.exitCode = await planCommand(file, flags);
    });

  upstreamOptions(monkey.command('run'))
    .description(
      'follow the schedule: inject real faults at their planned times, record every decision; restart-safe ' +
        '(run it again after a crash and it continues the same time line)',
    )
    .argument(
      '<schedule>',
      'schedule file (.yaml, .yml, .json), or a kube-monkey config.toml / ConfigMap, or a chaosmonkey.toml',
    )
    .option('--seed <n>', 'seed of the time line (first run; later runs reuse the stored one)')
    .option('--start <date>', 'first day of the time line, YYYY-MM-DD (first run; default today)')
    .option('--days <n>', 'stop after this many calendar days of time line (default: run until Ctrl-C)')
    .option('--leashed', 'decide and record only; inject nothing (Chaos Monkey leashed mode)')
    .option('--clock-speed <x>', 'run an accelerated clock this many times faster than real time (demos, tests)')
    .option('--control-host <host>', 'interface of the HTTP endpoint (status, halt, resume, metrics)', '127.0.0.1')
    .option('--control-port <port>', 'port of the HTTP endpoint (0: any free port)', '0')
    .option(
      '--control-token <token>',
      'bearer token of the endpoint (needed off loopback; env TURBULENCE_MONKEY_TOKEN)',
    )
    .option('--no-control', 'no HTTP endpoint (the halt file still works)')
    .option('--json', 'print every event as one JSON line')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags);
    });

  monkey
    .command('status')
    .description("show a schedule's monkey: running or not, halted or not, faults in effect, recent and next decisions")
    .argument('<schedule>', 'schedule file')
    .option('--json', 'print as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      process.exitCode = await statusCommand(file, flags.json === true);
    });

  monkey
    .command('halt')
    .description(
      'throw the kill switch: the running monkey reverts its faults at once and injects nothing until `monkey resume`',
    )
    .argument('<schedule>', 'schedule file')
    .option('--reason <text>', 'why (recorded)', 'halted by hand')
    .option('--all', 'also revert every fault in the ledger, whichever turbulence process injected it')
    .action(async (file: string, flags: { reason: string; all?: boolean }) => {
      process.exitCode = await haltCommand(file, flags);
    });

  monkey
    .command('resume')
    .description('release the kill switch (after `monkey halt` or a tripped outage checker)')
    .argument('<schedule>', 'schedule file')
    .action(async (file: string) => {
      const store = new MonkeyStore(monkeyDir(await nameOf(file)));
      await store.resume();
      out(`resumed ${store.dir}`);
    });
}

interface RunFlags extends UpstreamFlags {
  seed?: string;
  start?: string;
  days?: string;
  leashed?: boolean;
  clockSpeed?: string;
  controlHost: string;
  controlPort: string;
  controlToken?: string;
  control: boolean;
  json?: boolean;
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const schedule = await load(file, flags);
  const store = new MonkeyStore(monkeyDir(schedule.name));
  const stored = await store.readState();
  if (await leaseAlive(await store.readLease())) {
    throw new TurbulenceError(ErrorCodes.USAGE, `a monkey already runs this schedule (${store.dir})`, {
      hint: '`turbulence monkey status` shows it; stop it first',
    });
  }
  let seed = flags.seed === undefined ? undefined : parseInteger('--seed', flags.seed, { max: 0x7fff_ffff });
  if (stored && seed !== undefined && seed !== stored.seed) {
    throw new TurbulenceError(ErrorCodes.USAGE, `this schedule's time line has seed ${stored.seed}, not ${seed}`, {
      hint: `drop --seed to continue it, or remove ${store.dir} to start a new one`,
    });
  }
  seed = stored?.seed ?? seed ?? newSeed();
  const origin = stored
    ? (parseDate(stored.origin) ?? startDate(schedule, flags.start))
    : startDate(schedule, flags.start);
  let clock: Clock = realClock;
  let clockSpec = stored?.clock;
  if (!clockSpec && flags.clockSpeed !== undefined) {
    const speed = parseNumber('--clock-speed', flags.clockSpeed, { min: 1 });
    clockSpec = { origin: zonedInstant(origin, 0, schedule.timezone), realStart: Date.now(), speed };
  }
  if (clockSpec) clock = acceleratedClock(clockSpec);
  const days = flags.days === undefined ? undefined : parseInteger('--days', flags.days, { min: 1 });
  const interrupts = trapInterrupts();
  const runner = new MonkeyRunner({
    schedule,
    seed,
    clock,
    origin,
    signal: interrupts.soft,
    ...(flags.leashed ? { leashed: true } : {}),
    ...(clockSpec ? { clockSpec } : {}),
    ...(days !== undefined ? { until: zonedInstant(origin, 0, schedule.timezone) + days * 86_400_000 } : {}),
    runExperiment: (experiment, s, journal) => runExperimentChild(experiment, s, journal),
  });
  runner.events.on((e) => out(flags.json ? JSON.stringify(e) : renderEvent(e)));
  let control: { url: string; close: () => Promise<void> } | undefined;
  try {
    if (flags.control) {
      const token = flags.controlToken ?? process.env.TURBULENCE_MONKEY_TOKEN;
      control = await serveMonkeyControl(runner, {
        host: flags.controlHost,
        port: parseInteger('--control-port', flags.controlPort, { max: 65535 }),
        ...(token ? { token } : {}),
      });
      err(`monkey endpoint ${control.url} (GET /status, POST /halt, POST /resume, GET /metrics)`);
    }
    err(`seed ${seed}, state in ${store.dir}${runner.leashed ? ', leashed: nothing will be injected' : ''}`);
    await runner.run();
  } finally {
    await control?.close();
    interrupts.dispose();
  }
  return interrupts.fired ? 130 : 0;
}

/** Runs a whole-experiment group with this same CLI (`turbulence run FILE --seed N --journal-path J`). */
function runExperimentChild(file: string, seed: number, journal: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, process.argv[1] ?? '', 'run', file, '--seed', String(seed), '--journal-path', journal],
      {
        stdio: 'ignore',
      },
    );
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(1));
  });
}

function renderEvent(e: AnyEvent): string {
  const time = typeof e.due === 'string' ? e.due : e.at;
  switch (e.type) {
    case 'monkey.skipped':
      return `${time}  ${String(e.group)}  skipped: ${String(e.reason)}`;
    case 'monkey.injected':
    case 'monkey.leashed':
    case 'monkey.scheduled':
      return `${time}  ${String(e.group)}  ${e.type.slice(7)} ${String(e.kind)}`;
    case 'monkey.halted':
      return `${e.at}  HALTED (${String(e.by)}): ${String(e.reason)}`;
    default:
      return `${e.at}  ${e.type}${typeof e.reason === 'string' ? `: ${e.reason}` : ''}${typeof e.message === 'string' ? `: ${e.message}` : ''}`;
  }
}

async function nameOf(file: string): Promise<string> {
  try {
    return (await loadSchedule(file)).name;
  } catch {
    return basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '-') || 'monkey';
  }
}

async function haltCommand(file: string, flags: { reason: string; all?: boolean }): Promise<number> {
  const store = new MonkeyStore(monkeyDir(await nameOf(file)));
  await store.open();
  await store.halt(flags.reason, 'cli');
  out(`halted ${store.dir}: ${flags.reason}`);
  if (await leaseAlive(await store.readLease())) {
    const since = Date.now();
    for (let i = 0; i < 50; i++) {
      const events = await store.readEvents();
      if (events.some((e) => e.type === 'monkey.halted' && Date.parse(String(e.at)) >= since - 1000)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (flags.all) {
    const report = await recoverLedger({ all: true });
    out(
      `reverted ${report.reverted.length} fault(s) from the ledger${report.failed.length ? `, ${report.failed.length} failed` : ''}`,
    );
    return report.failed.length > 0 ? 1 : 0;
  }
  return 0;
}

async function statusCommand(file: string, json: boolean): Promise<number> {
  const name = await nameOf(file);
  const store = new MonkeyStore(monkeyDir(name));
  const state = await store.readState();
  const lease = await store.readLease();
  const running = await leaseAlive(lease);
  const halt = await store.readHalt();
  const active = (await new Ledger().list()).entries.filter((e) => e.owner.runId === `monkey-${name}`);
  const recent = (await store.readEvents()).filter((e) => String(e.type).startsWith('monkey.')).slice(-10);
  const status = {
    name,
    dir: store.dir,
    running,
    pid: running ? lease?.pid : null,
    lease: lease?.renewedAt ?? null,
    halted: halt ?? null,
    seed: state?.seed ?? null,
    origin: state?.origin ?? null,
    cursor: state?.cursor?.id ?? null,
    active: active.map((e) => ({ id: e.id, kind: e.kind, target: e.target.name, expiresAt: e.expiresAt ?? null })),
    recent,
  };
  if (json) {
    out(JSON.stringify(status));
    return 0;
  }
  out(
    `${name}: ${running ? `running (pid ${lease?.pid})` : 'not running'}${halt ? `, HALTED by ${halt.by}: ${halt.reason}` : ''}`,
  );
  out(
    `  state ${store.dir}${state ? `, seed ${state.seed}, from ${state.origin}, last decided ${state.cursor?.id ?? '-'}` : ' (never run)'}`,
  );
  out(`  faults in effect: ${active.length === 0 ? 'none' : ''}`);
  for (const a of status.active)
    out(`    ${a.id}  ${a.kind}  ${a.target}${a.expiresAt ? `  until ${a.expiresAt}` : ''}`);
  if (recent.length > 0) out('  recent:');
  for (const e of recent) out(`    ${renderEvent(e as AnyEvent)}`);
  return 0;
}

async function planCommand(file: string, flags: PlanFlags): Promise<number> {
  const days = parseInteger('--days', flags.days, { min: 1, max: 3660 });
  const seed = flags.seed === undefined ? newSeed() : parseInteger('--seed', flags.seed, { max: 0x7fff_ffff });
  const schedule = await load(file, flags);
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
