/**
 * The run timeline as hand-drawn SVG: the one home of the chart, used by the HTML report (server side) and by the
 * dashboard (in the browser, where it redraws as events arrive). Pure string building: no DOM, no Node API, no
 * dependency, so it runs in both places and the report needs no script to draw.
 *
 *   ┌ labels ┐┌──────────────── time (+0 s … end) ────────────────┐
 *   method     ▭ ▭   ▭            activities (thin spans)
 *   target A       ▨▨▨▨▨▨▨▨▨       one band per fault, hatched by kind, labelled with the kind
 *   target B             ▨▨▨▨▨▨▨
 *   probe p    ─•──•──×──•──       values as a line, tolerance bounds dashed, × = tolerance not met
 *              │ abort / rollback  vertical markers, labelled
 *
 * Every mark has a `<title>` (hover details) and bands are focusable (keyboard).
 */
import type { ActivityRow, FaultWindow, Marker, ProbeSeries } from './model.js';

/** What the timeline draws (a subset of the report's run model, so the dashboard can build it from events). */
export interface TimelineInput {
  start: number;
  end: number | null;
  faults: readonly FaultWindow[];
  activities: readonly Pick<ActivityRow, 'phase' | 'name' | 'status' | 'start' | 'end'>[];
  series: readonly ProbeSeries[];
  markers: readonly Marker[];
}

/** Geometry of the chart; exported so tests can check where marks land. */
export const LAYOUT = { width: 960, label: 210, right: 24, axis: 28, row: 26, band: 18, plot: 64 } as const;

/** Time → x: the run's start to its last known instant (`now` for a run still going). */
export function timelineScale(
  input: TimelineInput,
  now: number = Date.now(),
): { t0: number; t1: number; x: (t: number) => number } {
  const t0 = input.start;
  const times = [
    input.end ?? now,
    ...input.faults.map((f) => f.end ?? f.start),
    ...input.activities.map((a) => a.end ?? a.start ?? t0),
    ...input.series.flatMap((s) => s.points.map((p) => p.t)),
    ...input.markers.map((m) => m.t),
  ];
  const t1 = Math.max(t0 + 1000, ...times);
  const span = LAYOUT.width - LAYOUT.label - LAYOUT.right;
  return { t0, t1, x: (t) => round(LAYOUT.label + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * span) };
}

const round = (n: number) => Math.round(n * 10) / 10;
const esc = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
const secs = (ms: number) => `+${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const PATTERNS = ['hatch-a', 'hatch-b', 'hatch-c', 'hatch-d'] as const;

/** A tick step in ms giving 4 to 10 ticks. */
function tickStep(spanMs: number): number {
  for (const s of [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 3_600_000])
    if (spanMs / s <= 10) return s;
  return 86_400_000;
}

function defs(): string {
  const hatch = (id: string, angle: number, gap: number) =>
    `<pattern id="${id}" patternUnits="userSpaceOnUse" width="${gap}" height="${gap}" patternTransform="rotate(${angle})">` +
    `<rect width="${gap}" height="${gap}" class="band-fill"/><line x1="0" y1="0" x2="0" y2="${gap}" class="band-hatch"/></pattern>`;
  return `<defs>${hatch('hatch-a', 45, 6)}${hatch('hatch-b', -45, 6)}${hatch('hatch-c', 0, 5)}${hatch('hatch-d', 90, 8)}</defs>`;
}

/**
 * The timeline of one run as an `<svg>` element (a string). `idPrefix` keeps pattern ids unique when a page holds
 * several timelines.
 *
 * @example
 * document.body.insertAdjacentHTML('beforeend', timelineSvg(run));
 */
export function timelineSvg(input: TimelineInput, options: { now?: number; title?: string } = {}): string {
  const { t0, t1, x } = timelineScale(input, options.now);
  const parts: string[] = [];
  let y = LAYOUT.axis;
  const step = tickStep(t1 - t0);
  for (let t = 0; t <= t1 - t0; t += step) {
    const tx = x(t0 + t);
    parts.push(`<line class="tick" x1="${tx}" x2="${tx}" y1="${LAYOUT.axis - 6}" y2="100%"/>`);
    parts.push(`<text class="tick-label" x="${tx}" y="${LAYOUT.axis - 10}" text-anchor="middle">${secs(t)}</text>`);
  }
  // Activities of the method, reverts and rollbacks on one row.
  const spans = input.activities.filter((a) => a.start !== null && ['method', 'revert', 'rollback'].includes(a.phase));
  if (spans.length > 0) {
    parts.push(`<text class="row-label" x="8" y="${y + 16}">activities</text>`);
    for (const a of spans) {
      const x0 = x(a.start!);
      const w = Math.max(2, x(a.end ?? t1) - x0);
      parts.push(
        `<rect class="activity activity-${esc(a.phase)}" x="${x0}" y="${y + 8}" width="${round(w)}" height="8">` +
          `<title>${esc(`${a.phase} ${a.name}: ${a.status}`)}</title></rect>`,
      );
    }
    y += LAYOUT.row;
  }
  // One row per fault target, one band per fault.
  const kinds = [...new Set(input.faults.map((f) => f.kind))];
  const targets = [...new Set(input.faults.map((f) => f.target))];
  for (const target of targets) {
    parts.push(
      `<text class="row-label" x="8" y="${y + 16}"><title>${esc(target)}</title>${esc(clip(target, 28))}</text>`,
    );
    for (const f of input.faults.filter((g) => g.target === target)) parts.push(band(f, x, t1, y, kinds));
    y += LAYOUT.row;
  }
  for (const s of input.series) {
    parts.push(plot(s, x, y));
    y += LAYOUT.plot + 8;
  }
  const height = y + 8;
  for (const m of input.markers) {
    const mx = x(m.t);
    parts.push(
      `<g class="marker marker-${m.kind}" tabindex="0"><line x1="${mx}" x2="${mx}" y1="${LAYOUT.axis - 4}" y2="${height}"/>` +
        `<text x="${mx + 3}" y="${height - 4}">${esc(m.kind)}</text><title>${esc(`${m.label} at ${secs(m.t - t0)}`)}</title></g>`,
    );
  }
  const label = options.title ?? 'run timeline';
  return (
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(label)}" viewBox="0 0 ${LAYOUT.width} ${height}" width="100%" ` +
    `data-t0="${t0}" data-t1="${t1}">${defs()}${parts.join('')}</svg>`
  );
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function band(f: FaultWindow, x: (t: number) => number, t1: number, y: number, kinds: string[]): string {
  const x0 = x(f.start);
  const x1 = x(f.end ?? t1);
  const w = round(Math.max(2, x1 - x0));
  const pattern = PATTERNS[kinds.indexOf(f.kind) % PATTERNS.length]!;
  const open = f.end === null ? ' not-reverted' : '';
  const detail = `${f.kind} on ${f.target} [${f.id}]: ${f.end === null ? 'never reverted' : `${((f.end - f.start) / 1000).toFixed(2)} s, reverted by ${f.revertedBy ?? '?'}`}`;
  const text =
    w > 70 ? `<text class="band-label" x="${x0 + 4}" y="${y + 17}">${esc(clip(f.kind, Math.floor(w / 7)))}</text>` : '';
  return (
    `<g class="fault${open}" tabindex="0"><rect class="fault-band" data-fault-id="${esc(f.id)}" data-kind="${esc(f.kind)}" ` +
    `x="${x0}" y="${y + 4}" width="${w}" height="${LAYOUT.band}" fill="url(#${pattern})"/>${text}<title>${esc(detail)}</title></g>`
  );
}

function plot(s: ProbeSeries, x: (t: number) => number, y: number): string {
  const values = [...s.points.map((p) => p.value), ...(s.bounds ?? [])];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const top = y + 6;
  const h = LAYOUT.plot - 12;
  const vy = (v: number) => round(top + h - ((v - lo) / (hi - lo)) * h);
  const out = [
    `<g class="probe" data-probe="${esc(s.name)}"><text class="row-label" x="8" y="${y + 16}"><title>${esc(s.name)}</title>${esc(clip(s.name, 28))}</text>`,
    `<text class="axis-value" x="${LAYOUT.label - 6}" y="${top + 4}" text-anchor="end">${fmt(hi)}</text>`,
    `<text class="axis-value" x="${LAYOUT.label - 6}" y="${top + h}" text-anchor="end">${fmt(lo)}</text>`,
  ];
  for (const b of new Set(s.bounds ?? [])) {
    out.push(
      `<line class="tolerance-bound" x1="${LAYOUT.label}" x2="${LAYOUT.width - LAYOUT.right}" y1="${vy(b)}" y2="${vy(b)}"><title>tolerance bound ${fmt(b)}</title></line>`,
    );
  }
  if (s.points.length > 1)
    out.push(`<polyline class="probe-line" points="${s.points.map((p) => `${x(p.t)},${vy(p.value)}`).join(' ')}"/>`);
  for (const p of s.points) {
    const verdict = p.ok === null ? '' : p.ok ? ', tolerance met' : ', tolerance NOT met';
    const title = `<title>${esc(`${s.name} = ${fmt(p.value)}${verdict}`)}</title>`;
    const px = x(p.t);
    const py = vy(p.value);
    out.push(
      p.ok === false
        ? `<path class="probe-point failed" tabindex="0" d="M${px - 4},${py - 4}L${px + 4},${py + 4}M${px - 4},${py + 4}L${px + 4},${py - 4}">${title}</path>`
        : `<circle class="probe-point" tabindex="0" cx="${px}" cy="${py}" r="3.5">${title}</circle>`,
    );
  }
  out.push('</g>');
  return out.join('');
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 3 : 1));
