/**
 * The Markdown report, for pull-request comments: GitHub-flavoured, the verdict on the first line, and always under
 * GitHub's 65,536-character comment limit (activity rows are dropped from the end first, and the report says so).
 */
import type { RunModel } from './model.js';
import { verdict } from './html.js';
import { aggregateScore, PROBE_FORMULA, SCORE_FORMULA } from './score.js';
import { verdictsMarkdown } from './verdicts.js';

/** GitHub's limit on a comment body. */
export const MARKDOWN_LIMIT = 65_536;

const cell = (s: string, max = 120) => {
  const one = s
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const rel = (run: RunModel, ms: number | null) => (ms === null ? '—' : `+${((ms - run.start) / 1000).toFixed(2)} s`);
const dur = (s: number | null) => (s === null ? '—' : `${s.toFixed(s < 10 ? 3 : 1)} s`);

function tableOf(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function runHead(run: RunModel, level: string): string[] {
  const v = verdict(run);
  const lines = [
    `${level} ${v.symbol} ${v.word.toUpperCase()}: ${cell(run.title, 200)}`,
    '',
    `**Resilience score ${run.score.value}/100** (${run.score.outcome}) · probe success ${run.probes.percent === null ? '—' : `${run.probes.percent} % (${run.probes.met}/${run.probes.checked})`} · ` +
      `steady state before: ${run.steadyBefore}, after: ${run.steadyAfter} · ${run.faults.length} fault(s), ${run.faults.filter((f) => f.end !== null).length} reverted · ${dur(run.duration)}`,
    '',
    `Status ${code(run.status)}${run.deviated ? ' (deviated)' : ''} · seed ${run.seed ?? '— (Chaos Toolkit journal)'}${run.replay ? ` · replay: ${code(run.replay)}` : ''} · journal ${code(run.source)}`,
  ];
  for (const n of run.notes) lines.push('', `> Note: ${cell(n, 300)}`);
  return lines;
}

function runBody(run: RunModel): { fixed: string[]; activityRows: string[] } {
  const fixed: string[] = [];
  if (run.faults.length > 0) {
    fixed.push('', '**Ledger** (injected → reverted)', '');
    fixed.push(
      ...tableOf(
        ['Fault', 'Kind', 'Target', 'Injected', 'Reverted', 'By'],
        run.faults.map((f) => [
          code(f.id),
          cell(f.kind),
          cell(f.target, 60),
          rel(run, f.start),
          f.end === null ? '**never**' : rel(run, f.end),
          cell(f.revertedBy ?? '—', 60),
        ]),
      ),
    );
  }
  fixed.push(...verdictsMarkdown(run.verdicts));
  if (run.errors.length > 0) {
    fixed.push('', '**Errors**', '');
    fixed.push(
      ...tableOf(
        ['Where', 'Code', 'Message'],
        run.errors.map((e) => [cell(e.where, 60), code(e.code ?? '—'), cell(e.message, 300)]),
      ),
    );
  }
  const activityRows = run.activities.map((a) =>
    [
      a.phase,
      cell(a.name, 60),
      `${a.status === 'succeeded' ? '✔' : a.status === 'failed' ? '✘' : '…'} ${a.status}`,
      a.toleranceMet === null ? '—' : a.toleranceMet ? '✔ met' : `✘ ${cell(a.toleranceReason ?? 'not met', 80)}`,
      rel(run, a.start),
      dur(a.duration),
      a.output ? code(cell(a.output, 80)) : '',
    ].join(' | '),
  );
  return { fixed, activityRows: activityRows.map((r) => `| ${r} |`) };
}

const ACTIVITY_HEAD = [
  '',
  '**Activities**',
  '',
  '| Phase | Activity | Status | Tolerance | Start | Duration | Output |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];

/**
 * The report of one or more runs as GitHub-flavoured Markdown, verdict first, under {@link MARKDOWN_LIMIT}.
 *
 * @example
 * await writeFile('report.md', reportMarkdown(await readJournals(['journal.json'])));
 */
export function reportMarkdown(runs: RunModel[], limit: number = MARKDOWN_LIMIT): string {
  const head: string[] = [];
  if (runs.length > 1) {
    const agg = aggregateScore(runs);
    const passed = runs.filter((r) => r.score.outcome === 'passed').length;
    head.push(
      `## ${passed === runs.length ? '✔' : '✘'} ${passed}/${runs.length} runs passed · mean resilience score ${agg.mean}/100`,
      '',
    );
    head.push(
      ...tableOf(
        ['#', 'Run', 'Verdict', 'Score', 'Probe success', 'Seed', 'Faults', 'Duration'],
        runs.map((r, i) => {
          const v = verdict(r);
          return [
            String(i + 1),
            cell(r.title, 60),
            `${v.symbol} ${v.word}`,
            String(r.score.value),
            r.probes.percent === null ? '—' : `${r.probes.percent} %`,
            String(r.seed ?? '—'),
            String(r.faults.length),
            dur(r.duration),
          ];
        }),
      ),
    );
    head.push('', `Weighted probe success: ${agg.probeWeighted === null ? '—' : `${agg.probeWeighted} %`}`);
  }
  const sections = runs.map((r) => ({ head: runHead(r, runs.length > 1 ? '###' : '##'), ...runBody(r) }));
  const footer = [
    '',
    '<details><summary>How the scores are computed</summary>',
    '',
    `- ${SCORE_FORMULA}`,
    `- ${PROBE_FORMULA}`,
    '',
    '</details>',
    '',
  ];
  const render = (keep: number[]) => {
    const out = [...head];
    let dropped = 0;
    sections.forEach((s, i) => {
      out.push(...(i > 0 || head.length > 0 ? [''] : []), ...s.head, ...s.fixed);
      const kept = s.activityRows.slice(0, keep[i]);
      dropped += s.activityRows.length - kept.length;
      if (kept.length > 0) out.push(...ACTIVITY_HEAD, ...kept);
    });
    if (dropped > 0)
      out.push(
        '',
        `_Truncated: ${dropped} activity row(s) left out to stay under GitHub's ${limit.toLocaleString('en-US')}-character comment limit; the HTML report has them all._`,
      );
    return [...out, ...footer].join('\n');
  };
  const keep = sections.map((s) => s.activityRows.length);
  let text = render(keep);
  // Drop activity rows from the last run backwards until the text fits.
  for (let i = sections.length - 1; i >= 0 && text.length >= limit; i--) {
    while (keep[i]! > 0 && text.length >= limit) {
      keep[i] = Math.max(0, keep[i]! - Math.max(1, Math.ceil((text.length - limit) / 100)));
      text = render(keep);
    }
  }
  return text.length < limit
    ? text
    : `${text.slice(0, limit - 80)}\n\n_Truncated at ${limit.toLocaleString('en-US')} characters._\n`;
}
