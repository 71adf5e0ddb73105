import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRunModel, parseTime } from './model.js';
import { parseJournalText } from './read.js';
import { LAYOUT, timelineScale, timelineSvg } from './timeline.js';
import { reportHtml } from './html.js';
import { reportMarkdown } from './markdown.js';
import { aggregateScore, gremlinScore } from './score.js';
import { reportFormatOf } from './write.js';

const FIXTURES = join(import.meta.dirname, '__fixtures__');
const text = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const ours = () => parseJournalText(text('turbulence-journal.json'), 'turbulence-journal.json');
const ctk = () => parseJournalText(text('chaostoolkit-journal.json'), 'chaostoolkit-journal.json');
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Every `<rect class="fault-band" ...>` of an SVG, with its numeric attributes. */
function bands(svg: string): { id: string; x: number; width: number }[] {
  return [
    ...svg.matchAll(/<rect class="fault-band" data-fault-id="([^"]+)"[^>]* x="([\d.]+)"[^>]* width="([\d.]+)"/g),
  ].map((m) => ({ id: m[1]!, x: Number(m[2]), width: Number(m[3]) }));
}

describe('the report model', () => {
  it('reads a turbulence journal: faults, probes, markers, errors, seed and replay', () => {
    const run = ours();
    expect(run.flavor).toBe('turbulence');
    expect(run.status).toBe('aborted');
    expect(run.score).toEqual({ value: 75, outcome: 'stopped' });
    expect(run.probes).toEqual({ met: 3, checked: 4, percent: 75 });
    expect(run.faults.map((f) => [f.id, f.start - T0, f.end === null ? null : f.end - T0])).toEqual([
      ['f-kill-1', 2000, 10_000],
      ['f-toxic-2', 5000, 15_000],
      ['f-latency-3', 12_000, null],
    ]);
    expect(run.series).toEqual([expect.objectContaining({ name: 'success-ratio', bounds: [0.99, 1] })]);
    expect(run.series[0]!.points.map((p) => [p.t - T0, p.value, p.ok])).toEqual([
      [500, 1, true],
      [6000, 0.97, false],
      [11_000, 0.995, true],
      [17_000, 1, true],
    ]);
    expect(run.markers.map((m) => [m.kind, m.t - T0])).toEqual([
      ['abort', 16_000],
      ['rollback', 18_000],
    ]);
    expect(run.errors.map((e) => e.code)).toEqual(['TURB_ERR_ACTIVITY_FAILED', 'TURB_ERR_FAULT_REVERT_FAILED']);
    expect(run.replay).toBe('turbulence run EXPERIMENT --seed 7');
    expect(run.notes).toEqual([]);
  });

  it("reads Chaos Toolkit's own journal (no seed, no faults, timestamps without a zone)", () => {
    const run = ctk();
    expect(run.flavor).toBe('chaostoolkit');
    expect(run.start).toBe(Date.parse('2024-03-12T10:15:02.113Z'));
    expect(run.score).toEqual({ value: 50, outcome: 'failed' });
    expect(run.steadyAfter).toBe('not met');
    expect(run.seed).toBeNull();
    expect(run.replay).toBeNull();
    expect(run.faults).toEqual([]);
    // The status probe (tolerance 200) plots the HTTP status.
    expect(run.series.find((s) => s.name === 'we-can-request-sunset')?.points.map((p) => p.value)).toEqual([200, 500]);
    expect(run.errors).toEqual([
      expect.objectContaining({ where: 'method restart-astre-service-to-pick-up-certificate', code: 'ActivityFailed' }),
    ]);
  });

  it('ignores unknown fields with a note', () => {
    const j = JSON.parse(text('turbulence-journal.json')) as Record<string, unknown>;
    const run = buildRunModel({ ...j, 'x-team': 'payments', cost: 3 }, 'j.json');
    expect(run.notes).toEqual(['ignored unknown field(s): x-team, cost']);
  });

  it('refuses truncated JSON with its line and column, and JSON that is not a journal', () => {
    const full = text('turbulence-journal.json');
    expect(() => parseJournalText(full.slice(0, 200), 'cut.json')).toThrow(/truncated JSON/);
    try {
      parseJournalText('{\n  "experiment": {}\n  "start": 1\n}', 'bad.json');
    } catch (err) {
      expect((err as { format(): string }).format()).toMatch(/^bad\.json:3:3: invalid JSON/);
    }
    expect(() => parseJournalText('{"title": "an experiment"}', 'exp.json')).toThrow(
      'not a journal: it has no experiment, start, run',
    );
    expect(() => parseJournalText('42', 'n.json')).toThrow('not a journal: it is number');
  });

  it('parses both timestamp forms as UTC', () => {
    expect(parseTime('2024-03-12T10:15:02.113482')).toBe(Date.parse('2024-03-12T10:15:02.113Z'));
    expect(parseTime('2026-12-07T04:48:03.837000+00:00')).toBe(Date.parse('2026-12-07T04:48:03.837Z'));
    expect(parseTime('soon')).toBeNull();
  });
});

describe('scores', () => {
  it('follows the stated formula', () => {
    expect(gremlinScore('completed', false, false, null).value).toBe(100);
    expect(gremlinScore('completed', true, false, null).value).toBe(50);
    expect(gremlinScore('completed', false, true, null).value).toBe(50);
    expect(gremlinScore('interrupted', false, false, null).value).toBe(75);
    expect(gremlinScore('failed', false, false, null).value).toBe(50);
    expect(gremlinScore('running', false, false, null).value).toBe(0);
    expect(gremlinScore('completed', false, false, 'actions').value).toBe(0);
    expect(aggregateScore([ours(), ctk()])).toEqual({ mean: 62.5, probeWeighted: 70.9 });
  });
});

describe('the timeline SVG', () => {
  it('has one band per fault, from its injection to its revert (or the end when never reverted)', () => {
    const run = ours();
    const svg = timelineSvg(run);
    const { t0, t1, x } = timelineScale(run);
    expect(t0).toBe(T0);
    expect(t1).toBe(T0 + 20_000);
    const byId = new Map(bands(svg).map((b) => [b.id, b]));
    expect([...byId.keys()].sort()).toEqual(['f-kill-1', 'f-latency-3', 'f-toxic-2']);
    const found = ['f-kill-1', 'f-toxic-2', 'f-latency-3'].map((id) => byId.get(id)!);
    const span = LAYOUT.width - LAYOUT.label - LAYOUT.right;
    const at = (s: number) => LAYOUT.label + (s / 20) * span;
    expect(found[0]!.x).toBeCloseTo(at(2), 0);
    expect(found[0]!.x + found[0]!.width).toBeCloseTo(at(10), 0);
    expect(found[1]!.x).toBeCloseTo(at(5), 0);
    expect(found[1]!.x + found[1]!.width).toBeCloseTo(at(15), 0);
    expect(found[2]!.x).toBeCloseTo(x(T0 + 12_000), 0);
    expect(found[2]!.x + found[2]!.width).toBeCloseTo(at(20), 0);
    // Two targets → two rows; the bands of one target share a row.
    const y = (id: string) => Number(new RegExp(`data-fault-id="${id}"[^>]* y="([\\d.]+)"`).exec(svg)?.[1]);
    expect(y('f-kill-1')).toBe(y('f-latency-3'));
    expect(y('f-toxic-2')).toBeGreaterThan(y('f-kill-1'));
  });

  it('is readable without colour: bands are hatched and labelled, the never-reverted one is marked', () => {
    const svg = timelineSvg(ours());
    expect(svg.match(/fill="url\(#hatch-[a-d]\)"/g)).toHaveLength(3);
    expect(svg).toContain('<text class="band-label"');
    expect(svg).toContain('class="fault not-reverted"');
    expect(svg).toContain('never reverted');
    expect(svg.match(/class="tolerance-bound"/g)).toHaveLength(2);
    expect(svg.match(/class="probe-point failed"/g)).toHaveLength(1);
    expect(svg).toContain('class="marker marker-abort"');
    expect(svg).toContain('class="marker marker-rollback"');
  });
});

describe('the HTML and Markdown reports', () => {
  it('HTML is one page with no external reference and a policy that forbids fetches', () => {
    const html = reportHtml([ours(), ctk()]);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).toContain('Comparison of 2 runs');
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(2);
    expect(html).toContain('turbulence run EXPERIMENT --seed 7');
    expect(html).toContain('passed 100, stopped/expired');
  });

  it('Markdown starts with the verdict and stays under the limit, saying what it left out', () => {
    const md = reportMarkdown([ours()]);
    expect(md.split('\n')[0]).toBe('## ■ ABORTED: Checkout survives a dead replica and a slow proxy');
    expect(md).toContain('| `f-latency-3` | network.latency | replica-a (pid 101) | +12.00 s | **never** |');
    const many = Array.from({ length: 60 }, () => ours());
    const long = reportMarkdown(many);
    expect(long.length).toBeLessThan(65_536);
    expect(long.split('\n')[0]).toMatch(/^## ✘ 0\/60 runs passed/);
    const small = reportMarkdown([ours()], 2000);
    expect(small.length).toBeLessThan(2000);
    expect(small).toMatch(/_Truncated: \d+ activity row\(s\) left out/);
  });

  it('picks the format from the extension and refuses others', () => {
    expect(reportFormatOf('a/report.HTML')).toBe('html');
    expect(reportFormatOf('report.md')).toBe('md');
    expect(() => reportFormatOf('report.pdf')).toThrow(/cannot tell the report format/);
  });
});
