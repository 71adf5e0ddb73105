/**
 * JUnit XML from a journal, for CI systems: one test suite per run, one test case per hypothesis probe (per
 * phase and iteration), one per method probe with a tolerance, and one for the run itself (failed unless it
 * completed without deviation).
 */
import type { Journal, RunRecord } from '../experiment/journal.js';
import { verdictCases } from './verdicts.js';

interface Case {
  name: string;
  classname: string;
  time: number;
  failure?: string;
  skipped?: boolean;
}

const esc = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

function probeCase(record: RunRecord, classname: string): Case {
  const c: Case = { name: record.activity.name, classname, time: record.duration ?? 0 };
  if (record.status === 'failed') c.failure = (record.exception ?? ['the probe failed']).join('').trim();
  else if (record.tolerance_met === false) c.failure = record.tolerance_reason ?? 'tolerance not met';
  return c;
}

/** Renders the journal as a JUnit XML document. */
export function journalToJUnit(journal: Journal): string {
  const title = journal.experiment.title;
  const cases: Case[] = [];
  const phase = (label: string, records: RunRecord[] | undefined) => {
    for (const r of records ?? []) cases.push(probeCase(r, `${title}.${label}`));
  };
  phase('steady-state-before', journal.steady_states.before?.probes);
  journal.steady_states.during.forEach((o, i) => phase(`steady-state-during-${i + 1}`, o.probes));
  phase('steady-state-after', journal.steady_states.after?.probes);
  phase(
    'method',
    journal.run.filter((r) => r.tolerance_met !== undefined),
  );
  const ok = journal.status === 'completed' && !journal.deviated && journal.steady_state_gate !== 'not-met';
  const run: Case = { name: 'run', classname: title, time: journal.duration ?? 0 };
  if (!ok) {
    const why = [
      `status ${journal.status ?? 'unknown'}`,
      journal.deviated ? 'the steady state deviated after the method' : '',
      journal.steady_state_gate === 'not-met' ? 'the steady state was not met before the method' : '',
      journal.abort ? `aborted: ${journal.abort.reason}` : '',
    ].filter(Boolean);
    run.failure = why.join('; ');
  }
  cases.push(...verdictCases(journal, title)); // Litmus verdicts, PowerfulSeal scenario runs
  cases.push(run);
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const body = cases
    .map((c) => {
      const open = `    <testcase name="${esc(c.name)}" classname="${esc(c.classname)}" time="${c.time.toFixed(3)}"`;
      if (c.failure === undefined) return `${open}/>`;
      return `${open}>\n      <failure message="${esc(c.failure.split('\n')[0] ?? '')}">${esc(c.failure)}</failure>\n    </testcase>`;
    })
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="turbulence" tests="${cases.length}" failures="${failures}" time="${(journal.duration ?? 0).toFixed(3)}">`,
    `  <testsuite name="${esc(title)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" timestamp="${esc(journal.start)}" time="${(journal.duration ?? 0).toFixed(3)}">`,
    `    <properties><property name="seed" value="${journal.seed}"/><property name="run_id" value="${esc(journal.run_id)}"/><property name="status" value="${esc(journal.status ?? '')}"/></properties>`,
    body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
