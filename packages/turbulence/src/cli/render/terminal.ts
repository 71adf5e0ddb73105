/**
 * Live terminal output of a run: each activity as it starts and ends with its duration, probe values against
 * their tolerances, faults injected and reverted, the rollbacks decision, and a summary. Listens to run events.
 */
import type { RunEvent } from '../../experiment/events.js';
import type { Journal, RunRecord } from '../../experiment/journal.js';
import { formatDuration } from '../../core/duration.js';

export interface TerminalOptions {
  write: (text: string) => void;
  color: boolean;
  /** Only warnings and the summary. */
  quiet?: boolean;
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
type Color = keyof typeof codes;

/** Short, single-line rendering of an activity output. */
export function summarizeOutput(output: unknown, max = 80): string {
  if (output === null || output === undefined) return 'null';
  const o = output as { status?: unknown; body?: unknown; stdout?: unknown };
  let text: string;
  if (typeof output === 'object' && o.status !== undefined && ('body' in o || 'stdout' in o)) {
    const rest = 'body' in o ? o.body : o.stdout;
    text = `status ${JSON.stringify(o.status)} ${typeof rest === 'string' ? rest.trim() : JSON.stringify(rest)}`;
  } else {
    text = typeof output === 'string' ? output : JSON.stringify(output);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Returns an event listener that renders the run to a terminal. */
export function terminalRenderer(opts: TerminalOptions): (e: RunEvent) => void {
  const c = (color: Color, s: string) => (opts.color ? `\u001b[${codes[color]}m${s}\u001b[0m` : s);
  const line = (s: string) => opts.write(`${s}\n`);
  const verbose = !opts.quiet;

  return (e) => {
    switch (e.type) {
      case 'run.started':
        if (verbose) {
          line(c('bold', `▶ ${e.title}`));
          line(
            c('gray', `  run ${e.runId}  seed ${e.seed}${e.dry ? `  dry=${e.dry}` : ''}${e.strict ? '  strict' : ''}`),
          );
        }
        return;
      case 'run.warning':
        line(c('yellow', `  ! ${e.message}`));
        return;
      case 'hypothesis.started':
        if (verbose && e.phase !== 'hypothesis-during')
          line(c('cyan', `● steady state (${phaseLabel(e.phase)}): ${e.title}`));
        return;
      case 'hypothesis.finished':
        if (e.phase === 'hypothesis-during') {
          if (!e.outcome.steady_state_met)
            line(c('yellow', `  ~ steady state not met during the method (check ${(e.iteration ?? 0) + 1})`));
          return;
        }
        if (verbose) {
          line(
            e.outcome.steady_state_met
              ? c('green', `  ✔ steady state met (${phaseLabel(e.phase)})`)
              : c('red', `  ✘ steady state NOT met (${phaseLabel(e.phase)})`),
          );
        }
        return;
      case 'method.started':
        if (verbose) line(c('cyan', `● method (${e.activities} activities)`));
        return;
      case 'activity.started':
        if (verbose && e.phase !== 'hypothesis-during' && e.phase !== 'abort-condition') {
          line(
            `  ${c('gray', '…')} ${e.kind} ${c('bold', e.name)} ${c('gray', e.describe)}${e.background ? c('gray', ' (background)') : ''}`,
          );
        }
        return;
      case 'activity.finished':
        if (verbose && e.phase !== 'hypothesis-during' && e.phase !== 'abort-condition')
          line(renderRecord(e.record, c, e.skipped));
        return;
      case 'activity.paused':
        if (verbose) line(c('gray', `    pause ${e.when} ${e.name}: ${e.seconds}s`));
        return;
      case 'fault.injected':
        if (verbose) {
          const exp = e.expiresAt ? ` until ${new Date(e.expiresAt).toISOString().slice(11, 19)}` : '';
          line(c('magenta', `    ⚡ fault ${e.kind} on ${label(e.target)} [${e.id}]${exp}`));
        }
        return;
      case 'fault.reverted':
        if (verbose && e.note)
          line(c('magenta', `    ↺ ${e.kind} on ${label(e.target)} [${e.id}] (${e.reason}): ${e.note}`));
        else if (verbose) line(c('magenta', `    ↺ reverted ${e.kind} on ${label(e.target)} [${e.id}] (${e.reason})`));
        return;
      case 'fault.failed':
        if (e.phase !== 'revert') return;
        line(
          c(
            'red',
            `    ✘ could not revert ${e.kind} on ${e.target ? label(e.target) : '?'} [${e.id ?? '?'}]: ${e.error} — run \`turbulence recover\``,
          ),
        );
        return;
      case 'run.aborted':
        line(c('red', `■ aborting: ${e.reason}`));
        return;
      case 'run.interrupted':
        line(c('yellow', `■ ${e.reason}: reverting faults`));
        return;
      case 'rollbacks.decided':
        if (verbose) line(c('cyan', `● rollbacks: ${e.decision.run ? 'run' : 'skipped'} — ${e.decision.reason}`));
        return;
      case 'run.finished':
        line(summary(e.journal, e.exitCode, c));
        return;
      default:
        return;
    }
  };
}

function label(t: { id: string; name: string }): string {
  return t.name || t.id;
}

function phaseLabel(phase: string): string {
  return phase.replace('hypothesis-', '');
}

function renderRecord(r: RunRecord, c: (color: Color, s: string) => string, skipped?: 'dry'): string {
  const took = c('gray', formatDuration((r.duration ?? 0) * 1000));
  if (skipped) return `    ${c('gray', '○ skipped (dry run)')} ${r.activity.name}`;
  if (r.status === 'failed') {
    return `    ${c('red', '✘')} ${r.activity.name} ${took} ${c('red', (r.exception?.[0] ?? 'failed').trim())}`;
  }
  let verdict = '';
  if (r.tolerance_met !== undefined) {
    verdict = r.tolerance_met
      ? c('green', ` ✔ ${r.tolerance_reason ?? 'within tolerance'}`)
      : c('red', ` ✘ ${r.tolerance_reason ?? 'outside tolerance'}`);
  }
  return `    ${c('green', '✔')} ${r.activity.name} ${took} → ${summarizeOutput(r.output)}${verdict}`;
}

function summary(j: Journal, exitCode: number, c: (color: Color, s: string) => string): string {
  const faults = j.faults.length;
  const left = j.faults.filter((f) => f.reverted_at === null).length;
  const noted = j.faults.filter((f) => f.reverted_at !== null && f.revert_note).length;
  const ended = left
    ? c('red', `, ${left} NOT reverted`)
    : !faults
      ? ''
      : noted === faults
        ? `, none needed undoing (see the notes above)`
        : noted
          ? `, ${faults - noted} reverted, ${noted} needed no undoing`
          : ', all reverted';
  const verdict =
    j.status === 'completed' && !j.deviated && j.steady_state_gate !== 'not-met'
      ? c('green', 'completed: the steady state held')
      : j.status === 'completed' && j.steady_state_gate === 'not-met'
        ? c('yellow', 'completed: the steady state was NOT met before the method, so the method did not run')
        : j.status === 'completed' && j.deviated
          ? c('red', 'deviated: the steady state did not hold after the method')
          : c('red', `${j.status ?? 'unknown'}${j.abort ? `: ${j.abort.reason}` : ''}`);
  const parts = [
    `${c('bold', '■ verdict:')} ${verdict}`,
    c(
      'gray',
      `  ${j.run.length} activities, ${faults} fault(s) injected${ended}, ${j.rollbacks.length} rollback(s), ${formatDuration((j.duration ?? 0) * 1000)}, seed ${j.seed}, exit ${exitCode}`,
    ),
  ];
  return parts.join('\n');
}
