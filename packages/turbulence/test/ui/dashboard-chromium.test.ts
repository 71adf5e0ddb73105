/**
 * The dashboard in real Chromium against the real demo system (three replica processes, a proxy, a client): start
 * the demo experiment from the page, see its fault band arrive over SSE, revert a fault with the button and find
 * the ledger without it; plus the API's refusals (bad bodies 400, no token off loopback 401).
 * Run under `flock /tmp/tb-system.lock`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, recordPage, requireChromium, screenshotPath, type PageRecord } from '../support/chromium.js';

const home = mkdtempSync(join(tmpdir(), 'turb-ui-'));
process.env.TURBULENCE_HOME = home; // before the ledger and the fault manager read it
const { Ledger } = await import('../../src/faults/ledger.js');
const { startUiServer } = await import('../../src/ui/server.js');
const { startDemoControl } = await import('../../src/ui/demo.js');
const { alive } = await import('../../src/os/signals.js');

const sys = requireChromium();

describe.skipIf(sys.skip)('turbulence ui in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let seen: PageRecord;
  let ui: Awaited<ReturnType<typeof startUiServer>>;
  let demo: Awaited<ReturnType<typeof startDemoControl>>;
  const journals = join(home, 'journals');

  beforeAll(async () => {
    demo = await startDemoControl({ seed: 42, journals });
    ui = await startUiServer({ host: '127.0.0.1', port: 0, journals, demo });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    seen = recordPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    await demo?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it(
    'runs the demo from the page, shows its fault band live, and reverts a fault with the button',
    { timeout: 60_000 },
    async () => {
      await page.goto(`${ui.url}/`);
      await expect.poll(() => page.textContent('#live'), { timeout: 10_000 }).toBe('● live');
      await page.keyboard.press('4'); // the demo view, by keyboard
      await expect.poll(() => page.locator('#demo li').count(), { timeout: 10_000 }).toBe(3);
      await page.screenshot({ path: screenshotPath('ui-demo.png') });
      await page.click('#demo-run');
      // The kill band arrives through SSE (run.started → fault.injected → the live model redrawn).
      await page.waitForSelector('rect.fault-band[data-kind="process.kill"]', { timeout: 20_000 });
      await page.screenshot({ path: screenshotPath('ui-runs.png') });
      const ledger = new Ledger(join(home, 'ledger'));
      await expect.poll(async () => (await ledger.list()).entries.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const [entry] = (await ledger.list()).entries;
      await page.keyboard.press('2');
      const button = page.locator(`tr[data-fault="${entry!.id}"] button.revert`);
      await button.waitFor();
      await page.screenshot({ path: screenshotPath('ui-faults.png') });
      await button.click();
      await expect.poll(() => page.textContent('#message'), { timeout: 10_000 }).toContain(`reverted ${entry!.id}`);
      expect((await ledger.list()).entries.map((e) => e.id)).not.toContain(entry!.id);
      // The band of the reverted fault now ends: the live model has an end for it.
      await page.keyboard.press('1');
      const model = (await (await fetch(`${ui.url}/api/runs`)).json()) as { live: { runId: string }[] };
      const run = (await (await fetch(`${ui.url}/api/runs/live/${model.live[0]!.runId}`)).json()) as {
        model: { faults: { id: string; end: number | null; revertedBy: string | null }[] };
      };
      expect(run.model.faults.find((f) => f.id === entry!.id)).toMatchObject({
        end: expect.any(Number),
        revertedBy: 'ui',
      });
      await page.keyboard.press('3');
      await page.waitForSelector('#doctor table', { timeout: 20_000 });
      await page.screenshot({ path: screenshotPath('ui-doctor.png') });
      expect(seen.errors.join('\n')).toBe('');
      expect(seen.requests.every((u) => u.startsWith(ui.url))).toBe(true);
    },
  );

  it(
    'arms the arcade, shoots a demo replica: the process is gone, the ledger has it, the service answers',
    { timeout: 40_000 },
    async () => {
      const victim = demo.system.replicas[0]!;
      const pid = demo.system.supervisor.get(victim.name)!.pid;
      await page.keyboard.press('5');
      const shootButton = page.locator(`button.shoot[data-target="${victim.name}"]`);
      await shootButton.waitFor();
      expect(await shootButton.isDisabled()).toBe(true); // disarmed: nothing fires
      await page.check('#arm');
      await expect
        .poll(() => page.textContent('#blast-radius'), { timeout: 10_000 })
        .toContain('Blast radius: process.kill');
      await expect.poll(() => shootButton.isDisabled(), { timeout: 10_000 }).toBe(false);
      page.once('dialog', (d) => void d.accept()); // the once-per-session confirmation
      await shootButton.click();
      await expect.poll(() => page.textContent('#message'), { timeout: 10_000 }).toContain(`shot ${victim.name}`);
      await page.screenshot({ path: screenshotPath('ui-arcade.png') });
      await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
      const entries = (await new Ledger(join(home, 'ledger')).list()).entries;
      expect(entries.find((e) => e.kind === 'process.kill' && e.target.name.includes(victim.name))).toBeDefined();
      // The service still answers: through the proxy to another replica, and the client's failover.
      expect((await fetch(demo.system.via)).status).toBe(200);
      const ratio = (await (await fetch(`${demo.system.client.url}/success-ratio`)).json()) as number;
      expect(ratio).toBeGreaterThan(0.5);
      // A second shot within the blast radius (one down at a time) is refused.
      const other = await fetch(`${ui.url}/api/arcade/shoot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: demo.system.replicas[2]!.name }),
      });
      expect(other.status).toBe(409);
      expect(seen.errors.join('\n')).toBe('');
    },
  );

  it('adds a latency toxic from the page, a real client measures it, and removes it', { timeout: 40_000 }, async () => {
    const timed = async () => {
      const t0 = performance.now();
      const res = await fetch(demo.system.via);
      await res.text();
      return performance.now() - t0;
    };
    await page.keyboard.press('6');
    await page.waitForSelector('#toxic-proxy option', { state: 'attached' });
    await page.selectOption('#toxic-proxy', demo.system.replicas[2]!.name);
    await page.fill('#toxic-name', 'ui_latency');
    await page.fill('#toxic-attributes', '{"latency": 400, "jitter": 0}');
    await page.click('#toxic-form button[type=submit]');
    await expect.poll(() => page.textContent('#message'), { timeout: 10_000 }).toContain('added toxic ui_latency');
    await page.waitForSelector('tr[data-toxic="ui_latency"]');
    await page.screenshot({ path: screenshotPath('ui-proxies.png') });
    expect(await timed()).toBeGreaterThanOrEqual(380);
    await page.click('tr[data-toxic="ui_latency"] button.remove-toxic');
    await expect.poll(() => page.textContent('#message'), { timeout: 10_000 }).toContain('removed toxic ui_latency');
    expect(await timed()).toBeLessThan(380);
    expect(seen.errors.join('\n')).toBe('');
    expect(seen.requests.every((u) => u.startsWith(ui.url))).toBe(true);
  });
});
