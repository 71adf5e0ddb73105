/**
 * `turbulence run EXPERIMENT`: loads, validates and runs an experiment; writes the journal (and JUnit XML).
 */
import { Option, type Command } from 'commander';
import { loadExperiment, parseExperiment } from '../../experiment/load.js';
import { labelModeExperiment } from '../../providers/powerfulseal-labels.js';
import { sealMetricsText } from '../../providers/powerfulseal-metrics.js';
import { writeFileAtomic } from '../../os/atomic.js';
import { DIALECT_NAMES } from '../../experiment/formats/detect.js';
import { litmusExtension, litmusVerdicts } from '../../experiment/formats/verdicts.js';
import { litmusRunHooks } from './litmus-run.js';
import { assertValid } from '../../experiment/validate.js';
import { loadOverrides } from '../../experiment/vars.js';
import { runExperiment } from '../../experiment/run.js';
import { RunEvents, type RunEvent } from '../../experiment/events.js';
import {
  DRY_MODES,
  HYPOTHESIS_STRATEGIES,
  ROLLBACK_STRATEGIES,
  parseHypothesisStrategy,
} from '../../experiment/policy.js';
import { journalFileMode, writeJournalLive } from '../../experiment/journal-file.js';
import { writeJUnitOnFinish } from '../../report/junit-listener.js';
import { writeReportOnFinish } from '../../report/write.js';
import { postEventsTo } from '../../ui/post.js';
import { terminalRenderer } from '../render/terminal.js';
import { trapInterrupts } from '../signals.js';
import type { DryMode, Experiment, RollbackStrategy } from '../../experiment/types.js';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { parseDurationFlag, parseInteger, parseNumber } from '../parse.js';
import { globalControls, loadControlFiles, loadCtkSettings } from '../../experiment/ctk-settings.js';
import { errorMessage, isTurbulenceError } from '../../core/errors.js';

interface RunFlags {
  journalPath: string;
  powerfulsealLabels?: boolean;
  powerfulsealMetrics?: string;
  var: string[];
  varFile: string[];
  dry?: DryMode;
  rollbackStrategy?: RollbackStrategy;
  hypothesisStrategy?: string;
  hypothesisFrequency?: string;
  failFast?: boolean;
  seed?: string;
  junit?: string;
  report?: string;
  ui?: string;
  strict?: boolean;
  quiet?: boolean;
  json?: boolean;
  validation: boolean;
  maxTargets?: string;
  maxConcurrentFaults?: string;
  maxTotalFaultTime?: string;
  settings?: string;
  controlFile: string[];
  verifyTls: boolean;
  exit: boolean;
  ctkExitCodes?: boolean;
  dryFast?: boolean;
  hub?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function int(name: string, v: string | undefined): number | undefined {
  return v === undefined ? undefined : parseInteger(name, v);
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a Chaos Toolkit experiment (JSON or YAML, path or URL) and write its journal')
    .argument(
      '<experiment>',
      'experiment file (.json, .yaml, .yml) or http(s) URL; a PowerfulSeal policy or LitmusChaos ChaosEngine YAML is detected and translated',
    )
    .option('--journal-path <path>', 'where to write the journal', './journal.json')
    .option(
      '--var <key[:type]=value>',
      'override a configuration key the experiment declares (repeatable; types: str int float bytes bool json)',
      collect,
      [],
    )
    .option('--var-file <path>', 'JSON/YAML {configuration, secrets} or .env file (repeatable)', collect, [])
    .addOption(
      new Option('--dry <mode>', 'run without executing: probes, actions, activities or pause').choices([...DRY_MODES]),
    )
    .option(
      '--dry-fast',
      'validate without importing Python modules or checking process paths (for dry runs where extensions are missing)',
    )
    .addOption(
      new Option('--rollback-strategy <s>', 'when global rollbacks run (see docs/experiments.md)').choices([
        ...ROLLBACK_STRATEGIES,
      ]),
    )
    .addOption(
      new Option('--hypothesis-strategy <s>', 'when the steady-state hypothesis is checked').choices([
        ...HYPOTHESIS_STRATEGIES.filter((s) => s !== 'skip'),
        'continously',
      ]),
    )
    .option('--hypothesis-frequency <seconds>', 'seconds between checks for during-method-only / continuously')
    .option('--fail-fast', 'with a continuous strategy, fail the run at the first deviation')
    .option('--seed <n>', 'seed for every random choice (targets, toxicity, jitter); printed and journaled')
    .option('--junit <path>', 'also write JUnit XML (one test case per hypothesis probe and per run)')
    .option('--report <path>', 'also write a report when the run ends: .html (self-contained page) or .md')
    .option('--ui <url>', "also send the run's events to a dashboard (`turbulence ui`), e.g. http://127.0.0.1:8475")
    .option('--strict', 'gate failure fails the run, activity timeouts are enforced, method tolerances count')
    .option('--max-targets <n>', 'blast radius: max targets one fault may act on')
    .option('--max-concurrent-faults <n>', 'blast radius: max faults in effect at once')
    .option('--max-total-fault-time <duration>', 'blast radius: max sum of fault time (e.g. 2m)')
    .option('--hub <dir>', 'LitmusChaos: folder of ChaosExperiment definitions (a ChaosHub checkout)')
    .option(
      '--powerfulseal-metrics <file>',
      "PowerfulSeal: write its Prometheus metrics (seal_pod_kills_total, ...) for this run to FILE, in the text format (node_exporter's textfile collector)",
    )
    .option(
      '--powerfulseal-labels',
      "PowerfulSeal's label mode: the argument is a namespace ('*': all); one pass kills the pods labelled seal/enabled=true whose seal/* labels allow it now",
    )
    .option('--no-validation', 'skip validation before running')
    .option(
      '--settings <path>',
      'Chaos Toolkit settings file (auths, global controls); default ~/.chaostoolkit/settings.yaml if it exists',
    )
    .option(
      '--control-file <path>',
      'JSON/YAML file of global controls {controls: {name: {provider}}}, applied to every level (repeatable)',
      collect,
      [],
    )
    .option('--no-verify-tls', 'do not verify TLS certificates when loading the experiment from an https URL')
    .option('--no-exit', 'exit 0 once the run has ended, whatever its status (as chaos run --no-exit)')
    .option('--ctk-exit-codes', 'exit as `chaos run` does: 1 for invalid, failed, deviated, aborted or interrupted')
    .option('-q, --quiet', 'print only warnings and the verdict')
    .option('--json', 'print run events as JSON lines instead of text')
    .addHelpText(
      'after',
      `
Exit codes: 0 completed and the steady state held; 1 deviated, failed or aborted;
            2 invalid experiment or usage; 130 interrupted (Ctrl-C, SIGTERM).
            --ctk-exit-codes: 1 for all of these, as chaos run; --no-exit: 0 once the run ended.
Python controls (settings file, --control-file, the experiment) run in the run's python3 worker.
Ctrl-C once: stop, revert every fault, run reverts (and rollbacks if the strategy says so).
Ctrl-C twice: stop reverting; what is left stays in the ledger for \`turbulence recover\`.
The journal is written (atomically) after every phase: a killed run leaves one with status "running".

Examples:
  turbulence run experiment.yaml
  turbulence run experiment.json --var base_url=http://127.0.0.1:8080 --seed 42 --junit junit.xml
  turbulence run experiment.yaml --dry actions
  turbulence run experiment.yaml --report report.html
  turbulence run engine.yaml --hub ./chaos-charts/faults/kubernetes     (a LitmusChaos ChaosEngine)
  turbulence run --powerfulseal-labels default                          (PowerfulSeal's label mode, one pass)`,
    )
    .action(async (file: string, flags: RunFlags) => {
      if (!flags.ctkExitCodes) {
        process.exitCode = await runCommand(file, flags);
        return;
      }
      try {
        const code = await runCommand(file, flags);
        process.exitCode = code === 0 ? 0 : 1;
      } catch (err) {
        // chaos run exits 1 for an invalid source or experiment (ours: 2)
        process.stderr.write(`turbulence: ${isTurbulenceError(err) ? err.format() : errorMessage(err)}\n`);
        if (isTurbulenceError(err)) for (const d of err.details) process.stderr.write(`  ${d.format()}\n`);
        process.exitCode = 1;
      }
    });
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const seed = int('--seed', flags.seed);
  const overrides = await loadOverrides({ vars: flags.var, varFiles: flags.varFile });
  const hypothesisStrategy =
    flags.hypothesisStrategy === undefined ? undefined : parseHypothesisStrategy(flags.hypothesisStrategy);
  const frequency =
    flags.hypothesisFrequency === undefined
      ? undefined
      : parseNumber('--hypothesis-frequency', flags.hypothesisFrequency, { above: 0 });
  // Every flag is checked before anything loads or runs.
  const maxTargets = int('--max-targets', flags.maxTargets);
  const maxConcurrentFaults = int('--max-concurrent-faults', flags.maxConcurrentFaults);
  const maxTotalFaultTimeMs =
    flags.maxTotalFaultTime === undefined
      ? undefined
      : parseDurationFlag('--max-total-fault-time', flags.maxTotalFaultTime);

  const settings = await loadCtkSettings(flags.settings);
  const controls = globalControls(settings, await loadControlFiles(flags.controlFile));
  const loaded = flags.powerfulsealLabels
    ? parseExperiment(labelModeExperiment(file), 'json', { source: `powerfulseal-labels:${file}` })
    : await loadExperiment(file, {
        auths: settings.auths,
        verifyTls: flags.verifyTls,
        ...(flags.hub === undefined ? {} : { hub: flags.hub }),
      });
  if (loaded.dialect) {
    if (flags.dry) refuseKubectlInDry(loaded.experiment);
    const n = loaded.experiment.method.length;
    process.stdout.write(`found a ${DIALECT_NAMES[loaded.dialect]}: translated into ${n} method activities\n`);
    for (const note of loaded.notes ?? []) process.stdout.write(`  note: ${note}\n`);
  }
  // Like chaos run --dry, a dry run still validates fully (Python modules imported, process paths checked);
  // --dry-fast skips those environment checks, for a machine without the extensions.
  const checkProviders = flags.dryFast !== true;
  if (flags.validation) await assertValid(loaded, { overrides, checkProviders });

  const events = new RunEvents();
  const litmus = flags.dry ? undefined : litmusExtension(loaded.experiment);
  // Litmus-style results (ChaosResult verdicts, resilience score) join the journal before anything writes it.
  if (litmus) events.on((e) => e.type === 'run.finished' && (e.journal.litmus = litmusVerdicts(litmus, e.journal)));
  // Everything below listens: the journal file (written after each phase), JUnit, the terminal or JSON lines.
  const mode = journalFileMode(loaded.experiment, flags); // 0600 when the run used secrets
  const journalFile = writeJournalLive(events, flags.journalPath, { mode });
  const junit = flags.junit ? writeJUnitOnFinish(events, flags.junit) : undefined;
  let sealMetrics: Promise<void> = Promise.resolve();
  if (flags.powerfulsealMetrics) {
    const path = flags.powerfulsealMetrics;
    events.on((e) => {
      if (e.type === 'run.finished')
        sealMetrics = sealMetricsText(e.journal).then((text) => writeFileAtomic(path, text, 0o644));
    });
  }
  const report = flags.report ? writeReportOnFinish(events, flags.report, flags.journalPath) : undefined;
  const ui = flags.ui
    ? postEventsTo(events, flags.ui, {
        token: process.env.TURBULENCE_UI_TOKEN,
        onError: (m) => process.stderr.write(`warning: ${m}\n`),
      })
    : undefined;
  if (flags.json) events.on((e) => process.stdout.write(`${JSON.stringify(jsonLine(e))}\n`));
  else
    events.on(
      terminalRenderer({ write: (s) => process.stdout.write(s), color: useColor(), quiet: flags.quiet === true }),
    );

  const interrupts = trapInterrupts();
  const litmusHooks = litmus ? litmusRunHooks(litmus) : undefined; // engineState: stop, ChaosResult
  try {
    const { exitCode, journal } = await runExperiment(loaded.experiment, {
      baseDir: loaded.baseDir,
      ...(flags.dry ? { dry: flags.dry } : {}),
      ...(flags.rollbackStrategy ? { rollbackStrategy: flags.rollbackStrategy } : {}),
      ...(hypothesisStrategy ? { hypothesisStrategy } : {}),
      ...(frequency !== undefined ? { hypothesisFrequency: frequency } : {}),
      ...(flags.failFast ? { failFast: true } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(flags.strict ? { strict: true } : {}),
      overrides,
      ...(controls.length > 0 ? { controls } : {}),
      settings: settings.raw,
      blastRadius: {
        ...(maxTargets !== undefined ? { maxTargets } : {}),
        ...(maxConcurrentFaults !== undefined ? { maxConcurrentFaults } : {}),
        ...(maxTotalFaultTimeMs !== undefined ? { maxTotalFaultTimeMs } : {}),
      },
      signal: litmusHooks ? AbortSignal.any([interrupts.soft, litmusHooks.signal]) : interrupts.soft,
      hardSignal: interrupts.hard,
      events,
      journal: journalFile.builder,
    });
    await journalFile.flush();
    await junit?.flush();
    await sealMetrics;
    await report?.flush();
    await ui?.flush();
    if (journal.litmus && !flags.json) {
      for (const r of journal.litmus.results) {
        process.stdout.write(
          `  litmus ${r.fault}: ${r.verdict} (probeSuccessPercentage ${r.probeSuccessPercentage})\n`,
        );
      }
      process.stdout.write(`  resilience score: ${journal.litmus.resilienceScore}%\n`);
    }
    for (const line of (await litmusHooks?.finish(journal.litmus)) ?? []) {
      if (!flags.json) process.stdout.write(`  ${line}\n`);
    }
    if (!flags.json) {
      const also = `${flags.junit ? `, junit: ${flags.junit}` : ''}${flags.report ? `, report: ${flags.report}` : ''}`;
      process.stdout.write(`  journal: ${flags.journalPath}${also}\n`);
    }
    return flags.exit ? exitCode : 0;
  } finally {
    interrupts.dispose();
  }
}

/** A PowerfulSeal `kubectl` step changes the cluster whatever the dry mode: a dry run refuses it. */
function refuseKubectlInDry(experiment: Experiment): void {
  for (const a of experiment.method) {
    const scenarios = (a as { provider?: { scenarios?: { name: string; steps: Record<string, unknown>[] }[] } })
      .provider?.scenarios;
    const sc = scenarios?.find((s) => s.steps.some((st) => 'kubectl' in st));
    if (sc) {
      throw new TurbulenceError(ErrorCodes.USAGE, `scenario "${sc.name}" has a kubectl step, which --dry refuses`, {
        hint: 'kubectl apply/delete would change the cluster: run without --dry, or validate it instead',
      });
    }
  }
}

/** A run event as a `--json` line: the journal and the experiment are left out (they are in the journal file). */
function jsonLine(e: RunEvent): unknown {
  if (e.type === 'run.finished') return { ...e, journal: undefined };
  if (e.type === 'run.started') return { ...e, experiment: undefined };
  return e;
}

function useColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}
