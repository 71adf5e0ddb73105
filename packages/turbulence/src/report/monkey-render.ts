/**
 * The monkey log's multi-day timeline (hand-drawn SVG, like the run timeline: no library, no script needed) and its
 * report sections, HTML and Markdown. See `monkey.ts` for the model.
 */
import { monkeyCounts, type MonkeyEntry, type MonkeyModel } from './monkey.js';

const DAY = 86_400_000;
const L = { width: 960, label: 160, right: 16, axis: 34, row: 30 } as const;
const esc = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Local (schedule time zone) midnight at or before `t`. */
const midnight = (t: number, offsetMin: number) => {
  const local = t + offsetMin * 60_000;
  return local - (((local % DAY) + DAY) % DAY) - offsetMin * 60_000;
};
const localDay = (t: number, offsetMin: number) => new Date(t + offsetMin * 60_000);
const lasted = (ms: number | null) =>
  ms === null
    ? 'still in effect'
    : ms < 1000
      ? `${ms} ms`
      : ms < 120_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${(ms / 60_000).toFixed(1)} min`;

function title(e: MonkeyEntry): string {
  const lines = [`${e.group}: ${e.kind} due ${e.dueText}`, `outcome: ${e.outcome}${e.reason ? ` (${e.reason})` : ''}`];
  if (e.targets.length) lines.push(`targets: ${e.targets.join(', ')}`);
  for (const f of e.faults)
    lines.push(
      `fault ${f.id} on ${f.target}: lasted ${lasted(f.lastedMs)}${f.revertedBy ? `, reverted (${f.revertedBy})` : ''}`,
    );
  return lines.join('\n');
}

/**
 * The timeline: one lane per group, one column per day of the schedule's time zone.
 *
 * @example
 * const svg = monkeyTimelineSvg(parseMonkeyLog(text, 'events.jsonl'));
 */
export function monkeyTimelineSvg(m: MonkeyModel): string {
  const groups = [...new Set(m.entries.map((e) => e.group))];
  const times = [...m.entries.map((e) => e.due), ...m.markers.map((x) => x.at)];
  const t0 = midnight(times.length ? Math.min(...times) : Date.now(), m.offsetMin);
  const t1 = Math.max(t0 + DAY, midnight(times.length ? Math.max(...times) : t0, m.offsetMin) + DAY);
  const plot = L.width - L.label - L.right;
  const x = (t: number) => L.label + ((t - t0) / (t1 - t0)) * plot;
  const height = L.axis + Math.max(1, groups.length) * L.row + 24;
  const out: string[] = [
    `<svg class="timeline monkey-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${L.width} ${height}" width="${L.width}" height="${height}" role="img" aria-label="${esc(`monkey timeline of ${m.runId}: ${m.entries.length} decisions over ${Math.round((t1 - t0) / DAY)} days`)}">`,
    `<title>${esc(`monkey ${m.runId}`)}</title>`,
    `<defs><pattern id="mk-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="band-fill"/><line x1="0" y1="0" x2="0" y2="6" class="band-hatch"/></pattern></defs>`,
  ];
  const days = Math.round((t1 - t0) / DAY);
  const labelEvery = days > 21 ? 7 : days > 10 ? 2 : 1;
  for (let d = 0; d <= days; d++) {
    const t = t0 + d * DAY;
    out.push(
      `<line class="tick" x1="${x(t).toFixed(1)}" y1="${L.axis - 6}" x2="${x(t).toFixed(1)}" y2="${height - 20}"/>`,
    );
    if (d < days && d % labelEvery === 0) {
      const local = localDay(t, m.offsetMin);
      const label = `${WEEKDAY[local.getUTCDay()]} ${local.toISOString().slice(5, 10)}`;
      out.push(`<text class="tick-label" x="${(x(t) + 3).toFixed(1)}" y="${L.axis - 12}">${label}</text>`);
    }
  }
  groups.forEach((g, i) => {
    const y = L.axis + i * L.row;
    out.push(`<text class="row-label" x="8" y="${y + L.row / 2 + 4}">${esc(g)}</text>`);
    for (const e of m.entries.filter((x) => x.group === g)) {
      const ex = x(e.due);
      const cy = y + L.row / 2;
      const attrs = `tabindex="0" data-entry="${esc(e.entry)}" data-outcome="${e.outcome}" data-due="${e.due}"`;
      if (e.outcome === 'injected') {
        const ms = Math.max(0, ...e.faults.map((f) => f.lastedMs ?? 0));
        const w = Math.max(4, x(e.due + ms) - ex);
        out.push(
          `<rect class="fault-band monkey-fault" ${attrs} x="${ex.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${L.row - 10}" fill="url(#mk-hatch)"><title>${esc(title(e))}</title></rect>`,
        );
      } else if (e.outcome === 'leashed') {
        out.push(
          `<rect class="monkey-leashed" ${attrs} x="${(ex - 3).toFixed(1)}" y="${y + 5}" width="6" height="${L.row - 10}" stroke-dasharray="2 2"><title>${esc(title(e))}</title></rect>`,
        );
      } else {
        const cls = e.outcome === 'skipped' ? 'monkey-skipped' : 'monkey-pending';
        out.push(
          `<circle class="${cls}" ${attrs} cx="${ex.toFixed(1)}" cy="${cy}" r="4"><title>${esc(title(e))}</title></circle>`,
        );
      }
    }
  });
  for (const mk of m.markers) {
    const mx = x(mk.at).toFixed(1);
    out.push(
      `<g class="marker"><title>${esc(mk.label)}</title><line x1="${mx}" y1="${L.axis - 4}" x2="${mx}" y2="${height - 20}"/>` +
        `<text x="${mx}" y="${height - 6}" text-anchor="middle">${esc(mk.label.slice(0, 40))}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}

const cell = (s: string) => esc(s);

/** The HTML section of one monkey log. */
export function monkeySectionHtml(m: MonkeyModel, i: number): string {
  const c = monkeyCounts(m);
  const rows = m.entries
    .map(
      (e) =>
        `<tr><td>${cell(e.dueText.replace('T', ' ').slice(0, 16))}</td><td>${cell(e.group)}</td><td>${cell(e.kind)}</td>` +
        `<td>${e.outcome === 'injected' ? '▨ injected' : e.outcome === 'skipped' ? '○ skipped' : e.outcome === 'leashed' ? '⬚ leashed' : '△ scheduled'}${e.reason ? `: ${cell(e.reason)}` : ''}</td>` +
        `<td>${cell(e.faults.map((f) => `${f.target} (${lasted(f.lastedMs)})`).join(', ') || e.targets.join(', ') || '—')}</td></tr>`,
    )
    .join('');
  return (
    `<section class="run monkey" id="monkey-${i + 1}" aria-labelledby="monkey-${i + 1}-title">` +
    `<h2 id="monkey-${i + 1}-title">Monkey ${cell(m.runId)}</h2>` +
    `<p>Schedule <code>${cell(m.schedule)}</code> · seed ${m.seed ?? '—'} · origin ${cell(m.origin ?? '—')} · ` +
    `${c.injected} injected, ${c.skipped} skipped, ${c.leashed} leashed${c.scheduled ? `, ${c.scheduled} pending` : ''}` +
    `${m.stopped ? ` · stopped (${cell(m.stopped)})` : ' · still running or killed'} · log <code>${cell(m.source)}</code></p>` +
    `<h3>Timeline</h3><figure>${monkeyTimelineSvg(m)}<figcaption>One lane per group, one column per day (schedule time zone). ` +
    `▨ hatched: a fault injected (width: how long it lasted, wall clock); ○: drawn and skipped; dashed ⬚: leashed (decided, not injected). ` +
    `Vertical lines: halt, resume, stop. Hover or focus (Tab) a mark for details.</figcaption><p class="detail" aria-live="polite"></p></figure>` +
    `<h3>Decisions</h3><table><thead><tr><th>Due</th><th>Group</th><th>Kind</th><th>Outcome</th><th>Targets (how long)</th></tr></thead><tbody>${rows}</tbody></table>` +
    `</section>`
  );
}

/** The Markdown summary of one monkey log (a table per day would not fit a PR comment: counts and faults). */
export function monkeyMarkdown(m: MonkeyModel): string {
  const c = monkeyCounts(m);
  const lines = [
    `## Monkey ${m.runId}: ${c.injected} injected, ${c.skipped} skipped, ${c.leashed} leashed`,
    '',
    `Schedule \`${m.schedule}\` · seed ${m.seed ?? '—'} · ${m.stopped ? `stopped (${m.stopped})` : 'still running or killed'}`,
    '',
    '| Due | Group | Kind | Outcome | Targets |',
    '|---|---|---|---|---|',
    ...m.entries
      .slice(0, 200)
      .map(
        (e) =>
          `| ${e.dueText.replace('T', ' ').slice(0, 16)} | ${e.group} | ${e.kind} | ${e.outcome}${e.reason ? `: ${e.reason}` : ''} | ${(e.faults.map((f) => f.target).join(', ') || e.targets.join(', ') || '—').replace(/\|/g, '\\|')} |`,
      ),
  ];
  if (m.entries.length > 200) lines.push('', `… and ${m.entries.length - 200} more decisions (see the HTML report).`);
  return `${lines.join('\n')}\n`;
}
