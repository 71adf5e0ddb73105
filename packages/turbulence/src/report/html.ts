/**
 * The HTML report: one self-contained file (inline CSS, inline SVG, a few lines of inline script for hover and
 * keyboard details; a Content-Security-Policy that forbids every fetch), readable from disk, without colour
 * (verdicts are words and symbols, bands are hatched and labelled), in light and dark themes.
 */
import { verdictsHtml } from './verdicts.js';
import { VERSION } from '../version.js';
import type { RunModel } from './model.js';
import { aggregateScore, PROBE_FORMULA, SCORE_FORMULA } from './score.js';
import { timelineSvg } from './timeline.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';
import type { MonkeyModel } from './monkey.js';
import { monkeySectionHtml } from './monkey-render.js';

const esc = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The verdict of a run as a symbol and a word (never colour alone). */
export function verdict(run: RunModel): { symbol: string; word: string; cls: string } {
  switch (run.score.outcome) {
    case 'passed':
      return { symbol: '✔', word: 'passed', cls: 'passed' };
    case 'stopped':
      return { symbol: '■', word: run.status, cls: 'stopped' };
    case 'not run':
      return { symbol: '○', word: run.status === 'running' ? 'running' : 'not run (dry)', cls: 'notrun' };
    default:
      return {
        symbol: '✘',
        word: run.deviated ? 'deviated' : run.status === 'completed' ? 'failed' : run.status,
        cls: 'failed',
      };
  }
}

const iso = (ms: number | null) =>
  ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
const rel = (run: RunModel, ms: number | null) => (ms === null ? '—' : `+${((ms - run.start) / 1000).toFixed(2)} s`);
const dur = (s: number | null) => (s === null ? '—' : `${s.toFixed(s < 10 ? 3 : 1)} s`);

function summary(run: RunModel): string {
  const v = verdict(run);
  const rows: [string, string][] = [
    [
      'Status',
      `<span class="verdict ${v.cls}">${v.symbol} ${esc(v.word)}</span> (${esc(run.status)}${run.deviated ? ', deviated' : ''})`,
    ],
    ['Steady state', `before: ${run.steadyBefore} · after: ${run.steadyAfter}`],
    ['Resilience score', `<strong>${run.score.value}</strong> / 100 (${run.score.outcome})`],
    [
      'Probe success',
      run.probes.percent === null
        ? 'no probe with a tolerance'
        : `${run.probes.percent} % (${run.probes.met} of ${run.probes.checked} checks met)`,
    ],
    ['Started', `${iso(run.start)} · duration ${dur(run.duration)}`],
    ['Faults', `${run.faults.length} injected, ${run.faults.filter((f) => f.end !== null).length} reverted`],
    ['Seed', run.seed === null ? '— (not recorded: a Chaos Toolkit journal)' : String(run.seed)],
  ];
  if (run.replay) rows.push(['Replay', `<code>${esc(run.replay)}</code>`]);
  if (run.runId) rows.push(['Run id', `<code>${esc(run.runId)}</code>`]);
  rows.push([
    'Journal',
    `<code>${esc(run.source)}</code> (${run.flavor === 'turbulence' ? 'turbulence' : 'Chaos Toolkit'})`,
  ]);
  return `<dl class="summary">${rows.map(([k, v2]) => `<dt>${k}</dt><dd>${v2}</dd>`).join('')}</dl>`;
}

function table(caption: string, head: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<h3>${caption}</h3><p class="empty">${empty}</p>`;
  return (
    `<h3>${caption}</h3><div class="scroll"><table><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`
  );
}

function ledger(run: RunModel): string {
  const rows = run.faults.map((f) => [
    `<code>${esc(f.id)}</code>`,
    esc(f.kind),
    esc(f.target),
    `${rel(run, f.start)}<br><small>${iso(f.start)}</small>`,
    f.end === null ? '<strong>never reverted</strong>' : `${rel(run, f.end)}<br><small>${iso(f.end)}</small>`,
    f.end === null ? '—' : dur((f.end - f.start) / 1000),
    esc(f.revertedBy ?? '—'),
  ]);
  const head = ['Fault', 'Kind', 'Target', 'Injected', 'Reverted', 'Held', 'Reverted by'];
  return table('Ledger: injected → reverted', head, rows, 'No fault was injected through the fault manager.');
}

function activities(run: RunModel): string {
  const rows = run.activities.map((a) => [
    esc(a.phase),
    `${esc(a.name)} <small>(${esc(a.type)})</small>`,
    `${a.status === 'succeeded' ? '✔' : a.status === 'failed' ? '✘' : '…'} ${esc(a.status)}`,
    a.toleranceMet === null
      ? '—'
      : `${a.toleranceMet ? '✔ met' : '✘ not met'}${a.toleranceReason ? `<br><small>${esc(a.toleranceReason)}</small>` : ''}`,
    rel(run, a.start),
    dur(a.duration),
    `<code class="output">${esc(a.output)}</code>`,
  ]);
  return table(
    'Activities',
    ['Phase', 'Activity', 'Status', 'Tolerance', 'Start', 'Duration', 'Output'],
    rows,
    'No activity ran.',
  );
}

function errors(run: RunModel): string {
  const rows = run.errors.map((e) => [
    esc(e.where),
    `<code>${esc(e.code ?? '—')}</code>`,
    `<pre>${esc(e.message)}</pre>`,
  ]);
  return table('Errors', ['Where', 'Code', 'Message'], rows, 'No errors.');
}

function runSection(run: RunModel, i: number): string {
  const v = verdict(run);
  const notes = run.notes.map((n) => `<p class="note">Note: ${esc(n)}</p>`).join('');
  return (
    `<section class="run" id="run-${i + 1}" aria-labelledby="run-${i + 1}-title">` +
    `<h2 id="run-${i + 1}-title"><span class="verdict ${v.cls}">${v.symbol} ${esc(v.word)}</span> ${esc(run.title)}</h2>` +
    notes +
    summary(run) +
    `<h3>Timeline</h3><figure>${timelineSvg(run, { title: `timeline of ${run.title}`, now: run.end ?? run.start })}` +
    `<figcaption>Hatched bands: faults, one row per target, labelled with their kind (dashed outline: never reverted). ` +
    `Lines: probe values; dashed: tolerance bounds; ✕: tolerance not met. Vertical lines: abort, rollbacks, interrupt. ` +
    `Hover or focus (Tab) a mark for details.</figcaption><p class="detail" aria-live="polite"></p></figure>` +
    ledger(run) +
    verdictsHtml(run.verdicts) +
    activities(run) +
    errors(run) +
    `</section>`
  );
}

function comparison(runs: RunModel[]): string {
  const agg = aggregateScore(runs);
  const rows = runs.map((r, i) => {
    const v = verdict(r);
    return [
      `<a href="#run-${i + 1}">${esc(r.title)}</a>`,
      iso(r.start),
      r.seed === null ? '—' : String(r.seed),
      `<span class="verdict ${v.cls}">${v.symbol} ${esc(v.word)}</span>`,
      String(r.score.value),
      r.probes.percent === null ? '—' : `${r.probes.percent} %`,
      String(r.faults.length),
      dur(r.duration),
    ];
  });
  const head = ['Run', 'Started', 'Seed', 'Verdict', 'Score', 'Probe success', 'Faults', 'Duration'];
  return (
    `<section class="comparison" aria-labelledby="cmp"><h2 id="cmp">Comparison of ${runs.length} runs</h2>` +
    `<p>Mean resilience score: <strong>${agg.mean}</strong> / 100 · weighted probe success: <strong>${agg.probeWeighted === null ? '—' : `${agg.probeWeighted} %`}</strong></p>` +
    table('Runs', head, rows, '') +
    `</section>`
  );
}

/**
 * The report of one or more runs as a complete HTML document.
 *
 * @example
 * await writeFile('report.html', reportHtml(await readJournals(['journal.json'])));
 */
export function reportHtml(
  runs: RunModel[],
  options: { generatedAt?: Date; monkeys?: readonly MonkeyModel[] } = {},
): string {
  const at = (options.generatedAt ?? new Date()).toISOString();
  const monkeys = options.monkeys ?? [];
  const title =
    runs.length === 1 && monkeys.length === 0
      ? `turbulence report: ${runs[0]!.title}`
      : runs.length === 0 && monkeys.length === 1
        ? `turbulence report: monkey ${monkeys[0]!.runId}`
        : `turbulence report: ${runs.length} runs${monkeys.length ? `, ${monkeys.length} monkey log(s)` : ''}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${REPORT_CSS}</style></head><body>`,
    `<header><h1>${esc(title)}</h1><button type="button" id="theme" aria-label="switch light/dark theme">◐ theme</button>`,
    `<p class="meta">Generated ${esc(at)} by turbulence ${esc(VERSION)} from ${runs.length} journal(s)${monkeys.length ? ` and ${monkeys.length} monkey log(s)` : ''}.</p></header><main>`,
    runs.length > 1 ? comparison(runs) : '',
    ...runs.map(runSection),
    ...monkeys.map(monkeySectionHtml),
    `</main><footer><h2>How the scores are computed</h2><ul><li>${esc(SCORE_FORMULA)}</li><li>${esc(PROBE_FORMULA)}</li></ul></footer>`,
    `<script>${REPORT_SCRIPT}</script></body></html>`,
    '',
  ].join('\n');
}
