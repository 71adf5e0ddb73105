/**
 * `turbulence fault inject|list|revert|kinds`: one fault from the command line, and the ledger by hand.
 */
import type { Command } from 'commander';
import { formatDuration } from '../../core/duration.js';
import type { JsonObject } from '../../core/json.js';
import { ErrorCodes, ExitCodes, TurbulenceError } from '../../core/errors.js';
import { Rng, newSeed } from '../../core/rng.js';
import { parseSelectionMode } from '../../core/selector.js';
import { Ledger } from '../../faults/ledger.js';
import { FaultManager } from '../../faults/manager.js';
import { keepReason, recoverLedger, revertLedgerEntry } from '../../faults/recover.js';
import { describeKind, type FieldDescription, type KindDescription } from '../../faults/describe.js';
import { getDriver, listDrivers } from '../../faults/registry.js';
import { parsePairs } from '../../targets/query.js';
import { trapInterrupts } from '../signals.js';
import { kindSchema } from '../../faults/schemas.js';
import { didYouMean } from '../../core/suggest.js';
import { checkFault } from '../../experiment/validate-faults.js';
import { parseDurationFlag, parseInteger } from '../parse.js';

interface InjectFlags {
  target: string[];
  param: string[];
  select?: string;
  duration?: string;
  seed?: string;
  detach?: boolean;
  dryRun?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

const EXAMPLES = `
Examples:
  $ turbulence fault kinds
  $ turbulence fault inject process.stop --target name=redis-server --duration 30s
  $ turbulence fault inject process.kill --target cmdline='node .*server\\.js' --select 'count(1)' --seed 7
  $ turbulence fault inject process.kill --target managed=web-1 --param signal=SIGTERM --param restart=true
  $ turbulence fault inject process.stop --target pidfile=/run/app.pid --detach
  $ turbulence fault inject config.set --target path=app.yaml --param key=server.port --param value=9999 --duration 30s
  $ turbulence fault inject config.env --target managed=api --param name=LOG_LEVEL --param value=trace --duration 30s
  $ turbulence fault inject pod.delete --target namespace=default --target selector=app=web --select one --dry-run
  $ turbulence fault inject node.drain --target name=node-1 --duration 2m
  $ turbulence fault list
  $ turbulence fault revert process-stop-m3x8k2-1a2b3c
  $ turbulence recover`;

/** Registers `turbulence fault inject|list|revert|kinds`. */
export function register(program: Command): void {
  const fault = program
    .command('fault')
    .description('inject one fault by hand, and list or revert what the ledger holds')
    .addHelpText('after', EXAMPLES);

  fault
    .command('inject')
    .description(
      'inject a fault and stay in the foreground until its duration elapses or Ctrl-C, then revert it ' +
        '(with --detach, leave it in effect and in the ledger)',
    )
    .argument('<kind>', 'fault kind, e.g. process.stop (see `turbulence fault kinds`)')
    .option(
      '-t, --target <k=v>',
      'target query field, repeatable: pid=, name=, cmdline= (regex), pidfile=, managed=, lab= host= service=; ' +
        'Kubernetes: namespace=, selector= (labels), field=, name=, node=, owner=deployment/NAME, optIn=false',
      collect,
      [],
    )
    .option('-p, --param <k=v>', 'fault parameter, repeatable, e.g. signal=SIGTERM', collect, [])
    .option('-s, --select <mode>', 'all | one | count(N) | percent(P) | random-max-percent(P) (default all)')
    .option(
      '-d, --duration <duration>',
      'revert after this long, e.g. 500ms, 30s, 5m (default: until Ctrl-C); a detached guardian reverts it at expiry even if this command is killed',
    )
    .option('--seed <n>', 'seed for the target selection (printed when not given)')
    .option('--detach', 'inject, record in the ledger and exit; revert later with `fault revert` or `recover`')
    .option('--dry-run', 'show which targets would be chosen; change nothing')
    .addHelpText('after', EXAMPLES)
    .action(async (kind: string, flags: InjectFlags) => {
      process.exitCode = await inject(kind, flags);
    });

  fault
    .command('list')
    .description('list the faults in the ledger (injected and not yet reverted)')
    .option('--json', 'print the ledger entries as JSON')
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await list(flags.json === true);
    });

  fault
    .command('revert')
    .description('revert a fault from the ledger by id (whoever owns it), or every fault with --all')
    .argument('[id]', 'fault id from `turbulence fault list`')
    .option('--all', 'revert every fault in the ledger')
    .option(
      '--force',
      'revert even when the target changed since injection (config.*: overwrite the change with the original bytes)',
    )
    .action(async (id: string | undefined, flags: { all?: boolean; force?: boolean }) => {
      if (flags.force && id !== undefined) await forceRevert(id);
      process.exitCode = await revert(id, flags.all === true);
    });

  fault
    .command('kinds')
    .description('list the fault kinds, or describe one: parameters (type, default, range), target, example')
    .argument('[kind]', 'a kind to describe, e.g. process.kill')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  turbulence fault kinds\n  turbulence fault kinds network.latency')
    .action(async (kind: string | undefined, flags: { json?: boolean }) => {
      const drivers = await listDrivers((family, e) =>
        err(`warning: fault family ${family} did not load: ${String(e)}`),
      );
      if (kind !== undefined) {
        const driver = drivers.find((d) => d.kind === kind);
        const schema = kindSchema(kind);
        if (!driver || !schema) {
          throw new TurbulenceError(ErrorCodes.USAGE, `unknown fault kind ${JSON.stringify(kind)}`, {
            hint: didYouMean(
              kind,
              drivers.map((d) => d.kind),
            ),
          });
        }
        const description = {
          ...describeKind(schema),
          summary: driver.summary,
          reversible: driver.reversible !== false,
        };
        out(flags.json ? JSON.stringify(description) : renderKind(description).join('\n'));
        return;
      }
      if (flags.json) {
        out(
          JSON.stringify(
            drivers.map((d) => ({ kind: d.kind, summary: d.summary, reversible: d.reversible !== false })),
          ),
        );
        return;
      }
      const width = Math.max(...drivers.map((d) => d.kind.length), 4);
      for (const d of drivers) out(`${d.kind.padEnd(width)}  ${d.summary}`);
    });
}

async function inject(kind: string, flags: InjectFlags): Promise<number> {
  const seed = flags.seed === undefined ? newSeed() : parseInteger('--seed', flags.seed);
  const durationMs = flags.duration === undefined ? undefined : parseDurationFlag('--duration', flags.duration);
  const manager = new FaultManager({ rng: new Rng(seed), dryRun: flags.dryRun === true });
  const spec = {
    kind,
    // No --target leaves the choice to the family (stress.* acts on this machine; the others ask for one).
    ...(flags.target.length > 0 ? { target: parsePairs(flags.target, '--target') } : {}),
    params: parsePairs(flags.param, '--param'),
    ...(flags.select !== undefined ? { select: parseSelectionMode(flags.select) } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
  checkSpec(kind, spec.target, spec.params);
  manager.on('fault-reverted', (f) =>
    out(f.note ? `${f.id} (${f.reason}): ${f.note}` : `reverted ${f.id} (${f.reason})`),
  );
  manager.on('fault-failed', (f) => err(`failed to ${f.phase} ${f.id ?? kind}: ${f.error.format()}`));
  // Handlers go in before anything takes effect: a Ctrl-C at any moment from here on reverts.
  const interrupt = trapInterrupts();
  try {
    const faults = await manager.inject(spec, { activity: `turbulence fault inject ${kind}` });
    const verb = flags.dryRun ? 'would inject' : 'injected';
    for (const f of faults) out(`${verb} ${f.kind} on ${f.target.name}${flags.dryRun ? '' : `  id ${f.id}`}`);
    if (flags.seed === undefined) out(`seed ${seed} (pass --seed ${seed} to choose the same targets again)`);
    if (flags.dryRun || faults.length === 0) return ExitCodes.OK;
    if (flags.detach && !interrupt.fired) {
      await manager.detach();
      out('detached: the fault stays in effect; `turbulence fault revert ID` (or `recover` once expired) reverts it');
      return ExitCodes.OK;
    }
    out(
      durationMs === undefined
        ? 'in effect until Ctrl-C'
        : `in effect for ${formatDuration(durationMs)} (Ctrl-C reverts now)`,
    );
    if ((await getDriver(kind)).reversible === false) {
      out(
        `note: ${kind} cannot be undone; reverting only clears the ledger, or does what the kind says (e.g. restart=true)`,
      );
    }
    return await foreground(
      manager,
      interrupt.stopped.then(() => 'interrupted' as const),
    );
  } finally {
    interrupt.dispose();
    manager.dispose();
  }
}

/** Waits until every fault has reverted itself, or a signal comes (then reverts everything). */
async function foreground(manager: FaultManager, interrupted: Promise<'interrupted'>): Promise<number> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    const outcome = await Promise.race([
      interrupted,
      new Promise<'done' | 'failed'>((resolve) => {
        manager.on('fault-reverted', () => manager.active().length === 0 && resolve('done'));
        manager.on('fault-failed', (f) => f.phase === 'revert' && resolve('failed'));
        if (manager.active().length === 0) resolve('done'); // expired before we listened
      }),
    ]);
    if (outcome === 'done') return ExitCodes.OK;
    const failures = await manager.revertAll(outcome === 'interrupted' ? 'interrupted' : 'revert-all');
    for (const f of failures) err(`could not revert ${f.id}: ${f.error.format()}`);
    if (failures.length > 0 || outcome === 'failed') {
      err('some faults are still in the ledger: run `turbulence recover --all` once the cause is fixed');
      return ExitCodes.FAILED;
    }
    return outcome === 'interrupted' ? ExitCodes.INTERRUPTED : ExitCodes.OK;
  } finally {
    clearInterval(keepAlive);
  }
}

async function list(json: boolean): Promise<number> {
  const ledger = new Ledger();
  const { entries, corrupt } = await ledger.list();
  for (const c of corrupt) err(`warning: unreadable ledger file ${c.file}: ${c.error}`);
  if (json) {
    out(JSON.stringify({ entries, corrupt }, null, 2));
    return corrupt.length > 0 ? ExitCodes.FAILED : ExitCodes.OK;
  }
  if (entries.length === 0) {
    out(`no faults in the ledger (${ledger.dir})`);
    return corrupt.length > 0 ? ExitCodes.FAILED : ExitCodes.OK;
  }
  for (const e of entries) {
    const reason = await keepReason(e, false);
    const expired = e.expiresAt !== undefined && Date.parse(e.expiresAt) <= Date.now();
    const owner =
      reason !== undefined
        ? reason
        : expired
          ? 'expired: the guardian reverts it, or `turbulence recover`'
          : 'owner gone: `turbulence recover` reverts it';
    const expires = e.expiresAt === undefined ? 'no expiry' : `expires ${e.expiresAt}`;
    const age = `age ${formatDuration(Math.max(0, Date.now() - Date.parse(e.createdAt)))}`;
    out(`${e.id}  ${e.kind}  ${e.target.name}  ${e.status}  ${age}  ${expires}  (${owner})`);
  }
  return corrupt.length > 0 ? ExitCodes.FAILED : ExitCodes.OK;
}

/** Marks a ledger entry `force: true` (for kinds whose params have it), so its revert overwrites changes since. */
async function forceRevert(id: string): Promise<void> {
  const ledger = new Ledger();
  const entry = await ledger.get(id);
  if (!entry) return; // revert() says there is no such fault
  const driver = await getDriver(entry.kind);
  const params = { ...entry.params, force: true };
  if (!driver.params.safeParse(params).success) {
    throw new TurbulenceError(ErrorCodes.USAGE, `--force means nothing for ${entry.kind}`, {
      hint: 'it applies to kinds with a force param (config.*); revert without it',
    });
  }
  await ledger.update(id, { params });
}

async function revert(id: string | undefined, all: boolean): Promise<number> {
  if (id !== undefined && all) throw new TurbulenceError(ErrorCodes.USAGE, 'give a fault id or --all, not both');
  if (id !== undefined) {
    const entry = await revertLedgerEntry(id);
    out(`reverted ${entry.id} (${entry.kind} on ${entry.target.name})`);
    return ExitCodes.OK;
  }
  if (!all) {
    throw new TurbulenceError(ErrorCodes.USAGE, 'which fault? give an id or --all', {
      hint: 'see `turbulence fault list`',
    });
  }
  const report = await recoverLedger({ all: true });
  for (const e of report.reverted) out(`reverted ${e.id} (${e.kind} on ${e.target.name})`);
  for (const f of report.failed) err(`could not revert ${f.entry.id}: ${f.error.format()}`);
  for (const c of report.corrupt) err(`warning: unreadable ledger file ${c.file}: ${c.error}`);
  if (report.reverted.length === 0 && report.failed.length === 0) out('no faults in the ledger');
  return report.failed.length > 0 || report.corrupt.length > 0 ? ExitCodes.FAILED : ExitCodes.OK;
}

/** `fault kinds KIND` as text: summary, parameters, target, and the kind in an experiment and on the CLI. */
function renderKind(d: KindDescription & { summary: string; reversible: boolean }): string[] {
  const field = (f: FieldDescription) =>
    `  ${f.name.padEnd(12)} ${f.type}${f.required ? ' (required)' : ''}` +
    `${f.default !== undefined ? `, default ${JSON.stringify(f.default)}` : ''}` +
    `${f.range !== undefined ? `, range ${f.range}` : ''}${f.description ? ` — ${f.description}` : ''}`;
  const { target, params, duration } = d.example;
  const pairs = (o: JsonObject | undefined, flag: string) =>
    Object.entries(o ?? {}).map(([k, v]) => ` ${flag} ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [
    `${d.kind}: ${d.summary}${d.reversible ? '' : ' (not reversible)'}`,
    '',
    'parameters:',
    ...(d.params.length > 0 ? d.params.map(field) : ['  (none)']),
    '',
    `target (${d.targetTypes.join(', ')}${d.targetOptional ? '; optional' : ''}):`,
    ...d.target.map(field),
    '',
    'in an experiment:',
    `  provider: ${JSON.stringify({ type: 'fault', kind: d.kind, target, ...(params ? { params } : {}), ...(duration ? { duration } : {}) })}`,
    'on the command line:',
    `  turbulence fault inject ${d.kind}${[...pairs(target, '--target'), ...pairs(params, '--param')].join('')}${duration ? ` --duration ${duration}` : ''}`,
  ];
}

/** The experiment's fault checks, before anything runs: `--param sginal=TERM` → did you mean `signal`? */
function checkSpec(kind: string, target: JsonObject | undefined, params: JsonObject | undefined): void {
  const given = (o: JsonObject | undefined) => (o && Object.keys(o).length > 0 ? o : undefined);
  const spec: Record<string, unknown> = { kind, target: given(target), params: given(params) };
  const problems = checkFault(spec, []);
  if (problems.length === 0) return;
  const errors = problems.map((p) => {
    const where = p.path[0];
    const flag = where === 'params' ? '--param' : where === 'target' ? '--target' : 'KIND';
    return new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `${p.path.join('.')} (${flag}): ${p.message}`, {
      hint: p.hint ?? `see \`turbulence fault kinds ${kind}\``,
    });
  });
  const [first, ...others] = errors as [TurbulenceError, ...TurbulenceError[]];
  throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, first.message, {
    ...(first.hint ? { hint: first.hint } : {}),
    details: others,
  });
}
