import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMonkeyLog, parseMonkeyLog } from './monkey.js';
import { monkeyMarkdown, monkeyTimelineSvg } from './monkey-render.js';

// A real log: `turbulence monkey run` (accelerated clock, 6 days, process.stop on a sleep) wrote it.
const text = readFileSync(join(import.meta.dirname, '__fixtures__', 'monkey-events.jsonl'), 'utf8');

describe('monkey logs in the report', () => {
  it('reads every decision with its due time, outcome and faults', () => {
    expect(isMonkeyLog(text)).toBe(true);
    expect(isMonkeyLog('{"title": "a journal"}')).toBe(false);
    const m = parseMonkeyLog(text, 'events.jsonl');
    expect(m.runId).toBe('monkey-tl');
    expect(m.offsetMin).toBe(60); // Europe/Berlin in winter
    const outcomes = m.entries.map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'injected')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'skipped')).toHaveLength(4);
    for (const e of m.entries.filter((x) => x.outcome === 'injected'))
      expect(e.faults.every((f) => f.revertedBy === 'expired' && f.lastedMs !== null)).toBe(true);
    expect(m.stopped).toBe('until');
  });

  it('draws one column per day and one band per injected fault, in due order', () => {
    const m = parseMonkeyLog(text, 'events.jsonl');
    const svg = monkeyTimelineSvg(m);
    const days = new Set(m.entries.map((e) => e.dueText.slice(0, 10)));
    expect((svg.match(/class="tick"/g) ?? []).length).toBeGreaterThanOrEqual(days.size + 1);
    expect((svg.match(/class="fault-band monkey-fault"/g) ?? []).length).toBe(5);
    const xs = [...svg.matchAll(/data-due="(\d+)" (?:x|cx)="([\d.]+)"/g)].map((g) => [Number(g[1]), Number(g[2])]);
    const sorted = [...xs].sort((a, b) => a[0]! - b[0]!);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![1]!).toBeGreaterThanOrEqual(sorted[i - 1]![1]! - 4);
    expect(monkeyMarkdown(m)).toMatch(/^## Monkey monkey-tl: 5 injected, 4 skipped/);
  });

  it('names the line of a log that is cut', () => {
    const cut = `${text.split('\n').slice(0, 3).join('\n')}\n{"type":"monkey.sched`;
    let error: unknown;
    try {
      parseMonkeyLog(cut, 'events.jsonl');
    } catch (err) {
      error = err;
    }
    expect((error as { format(): string }).format()).toMatch(/events\.jsonl:4:1.*not a monkey log line/);
  });
});
