/**
 * The HTML report in real Chromium: it opens from disk with no console error and no request besides the file
 * itself, the timeline draws one band per fault where the golden geometry says, and hover/keyboard details work.
 * Run under `flock /tmp/tb-system.lock` (one Chromium at a time on the shared machine).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJournalText } from '../../src/report/read.js';
import { reportHtml } from '../../src/report/html.js';
import { LAYOUT } from '../../src/report/timeline.js';
import { parseMonkeyLog } from '../../src/report/monkey.js';
import { launchChromium, recordPage, requireChromium, screenshotPath } from '../support/chromium.js';

const FIXTURES = resolve(import.meta.dirname, '../../src/report/__fixtures__');
const journal = (name: string) => parseJournalText(readFileSync(join(FIXTURES, name), 'utf8'), name);
const sys = requireChromium();

describe.skipIf(sys.skip)('the HTML report in Chromium', () => {
  let browser: Browser;
  const work = mkdtempSync(join(tmpdir(), 'turb-report-'));
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('opens from disk with no console error and no network request, bands where the golden geometry says', async () => {
    const file = join(work, 'report.html');
    writeFileSync(file, reportHtml([journal('turbulence-journal.json')]));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = recordPage(page);
    const url = pathToFileURL(file).href;
    await page.goto(url);
    // The rendered geometry (no DOM lib in this tsconfig: the element is typed by hand).
    type Rect = { getBBox(): { x: number; width: number }; getAttribute(n: string): string | null };
    const bands = await page.$$eval('rect.fault-band', (rs) =>
      (rs as unknown as Rect[]).map((r) => {
        const b = r.getBBox();
        return { id: r.getAttribute('data-fault-id'), x: b.x, right: b.x + b.width };
      }),
    );
    const span = LAYOUT.width - LAYOUT.label - LAYOUT.right;
    const at = (s: number) => LAYOUT.label + (s / 20) * span;
    expect(bands.map((b) => b.id).sort()).toEqual(['f-kill-1', 'f-latency-3', 'f-toxic-2']);
    const kill = bands.find((b) => b.id === 'f-kill-1')!;
    expect(kill.x).toBeCloseTo(at(2), 0);
    expect(kill.right).toBeCloseTo(at(10), 0);
    // Keyboard: Tab reaches the theme button, then the first mark of the timeline, whose details appear.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.textContent('.detail')).toMatch(/\S/);
    await page.click('#theme');
    expect(await page.getAttribute('html', 'data-theme')).toMatch(/^(dark|light)$/);
    await page.screenshot({ path: screenshotPath('report.png'), fullPage: true });
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([url]);
    await page.close();
  });

  it('renders a comparison of a turbulence and a Chaos Toolkit journal, still without requests', async () => {
    const file = join(work, 'comparison.html');
    writeFileSync(file, reportHtml([journal('turbulence-journal.json'), journal('chaostoolkit-journal.json')]));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const seen = recordPage(page);
    const url = pathToFileURL(file).href;
    await page.goto(url);
    expect(await page.$$eval('svg.timeline', (s) => s.length)).toBe(2);
    expect(await page.textContent('.comparison')).toContain('Mean resilience score: 62.5');
    await page.screenshot({ path: screenshotPath('report-comparison.png'), fullPage: true });
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([url]);
    await page.close();
  });

  it('draws a monkey log as a multi-day timeline, one hatched band per injected fault, still without requests', async () => {
    const monkey = parseMonkeyLog(readFileSync(join(FIXTURES, 'monkey-events.jsonl'), 'utf8'), 'events.jsonl');
    const file = join(work, 'monkey.html');
    writeFileSync(file, reportHtml([], { monkeys: [monkey] }));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = recordPage(page);
    const url = pathToFileURL(file).href;
    await page.goto(url);
    const injected = monkey.entries.filter((e) => e.outcome === 'injected').length;
    expect(injected).toBeGreaterThan(0);
    expect(await page.$$eval('svg.monkey-timeline rect.monkey-fault', (r) => r.length)).toBe(injected);
    // The bands follow the days: their due times, in order, left to right.
    type El = { getBBox(): { x: number }; getAttribute(n: string): string | null };
    const xs = await page.$$eval('svg.monkey-timeline [data-due]', (els) =>
      (els as unknown as El[]).map((e) => ({ due: Number(e.getAttribute('data-due')), x: e.getBBox().x })),
    );
    const byDue = [...xs].sort((a, b) => a.due - b.due);
    for (let i = 1; i < byDue.length; i++) expect(byDue[i]!.x).toBeGreaterThanOrEqual(byDue[i - 1]!.x - 6);
    await page.screenshot({ path: screenshotPath('report-monkey.png'), fullPage: true });
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([url]);
    await page.close();
  });
});
