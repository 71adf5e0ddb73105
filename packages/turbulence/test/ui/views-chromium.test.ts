/**
 * The DNS rules and labs views and the arcade's targets beyond the demo, in real Chromium against real things: a
 * chaos DNS server with a `dns.rule` fault, a netns lab with a stopped service, busybox containers on the real
 * Docker Engine and pods on the Kubernetes API fake (`test/kube-fake/`, the one fake: no API server runs here).
 * Each view's Revert goes through the ledger; each shot goes through its family's fault kind, and nothing outside
 * the selected sets can be shot. Needs root (lab), dockerd, kubectl; run under `flock /tmp/tb-system.lock`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, recordPage, requireChromium, screenshotPath, type PageRecord } from '../support/chromium.js';
import { eventually } from '../support/eventually.js';
import { requireSystem } from '../support/system.js';
import { IMAGE, engine, removeTestContainers, startContainers, stateOf, testRun } from '../system/docker/helpers.js';
import { uniqueName, uniqueSubnet } from '../system/lab/helpers.js';
import { startKubeFake, type KubeFake } from '../kube-fake/index.js';

const home = mkdtempSync(join(tmpdir(), 'turb-ui-views-'));
process.env.TURBULENCE_HOME = home;
process.env.TURBULENCE_GUARDIAN = 'off';
const { Ledger } = await import('../../src/faults/ledger.js');
const { FaultManager } = await import('../../src/faults/manager.js');
const { Rng } = await import('../../src/core/rng.js');
const { createDnsServer } = await import('../../src/dns/index.js');
const { labUp, parseLabSpec } = await import('../../src/lab/index.js');
const { startUiServer } = await import('../../src/ui/server.js');
const { containerSource, labSource, podSource } = await import('../../src/ui/arcade-sources.js');

const chromium = requireChromium();
const sys = requireSystem('root', 'ip', 'dockerd');
const procState = (pid: number): string =>
  /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '?';

describe.skipIf(chromium.skip || sys.skip)('the DNS, labs and arcade views in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let seen: PageRecord;
  let ui: Awaited<ReturnType<typeof startUiServer>>;
  let dns: ReturnType<typeof createDnsServer>;
  let dnsApi: string;
  let lab: Awaited<ReturnType<typeof labUp>>;
  let kube: KubeFake;
  const run = testRun();
  const manager = new FaultManager({ rng: new Rng(7) });
  const labName = uniqueName();
  const ledger = () => new Ledger(join(home, 'ledger'));

  beforeAll(async () => {
    dns = createDnsServer({ listen: '127.0.0.1:0', upstream: '127.0.0.1:9', api: '127.0.0.1:0', seed: 1 });
    dnsApi = (await dns.start()).api as string;
    lab = await labUp(
      parseLabSpec(
        `name: ${labName}\nsubnet: ${uniqueSubnet()}\nhosts:\n  - name: a\n    services:\n      - name: sleeper\n        command: sleep 600\n  - name: b\n`,
      ),
    );
    kube = await startKubeFake({ seed: 'default', controller: true });
    const kubeconfig = join(home, 'kubeconfig');
    await kube.writeKubeconfig(kubeconfig);
    process.env.KUBECONFIG = kubeconfig;
    await startContainers([run.name('web-1'), run.name('web-2')], { 'turbulence.test': run.id });
    ui = await startUiServer({
      host: '127.0.0.1',
      port: 0,
      journals: join(home, 'journals'),
      dnsApis: [dnsApi],
      arcade: [
        labSource(labName, 30_000),
        containerSource({ label: `turbulence.test=${run.id}` }, 30_000),
        podSource({ namespace: 'default', selector: 'app=web' }),
      ],
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    seen = recordPage(page);
    await page.goto(`${ui.url}/`);
    await eventually(async () => (await page.textContent('#live')) === '● live', 10_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await manager.revertAll('test end');
    await ui?.close();
    await lab?.down();
    await dns?.close();
    await kube?.close();
    await removeTestContainers(run.id);
    rmSync(home, { recursive: true, force: true });
  });

  it('shows a dns.rule fault on its server and reverts it with the button', { timeout: 30_000 }, async () => {
    const [fault] = await manager.inject(
      {
        kind: 'dns.rule',
        target: { api: dnsApi },
        params: { name: 'shop.test', action: { type: 'nxdomain' } },
        durationMs: 60_000,
      },
      { activity: 'test' },
    );
    await page.keyboard.press('7');
    const button = page.locator(`#dns button.revert[data-id="${fault!.id}"]`);
    await button.waitFor({ timeout: 10_000 });
    expect(await page.textContent('#dns')).toContain('nxdomain');
    await page.screenshot({ path: screenshotPath('ui-dns.png') });
    await button.click();
    await expect
      .poll(async () => (await fetch(`${dnsApi}/rules`)).text(), { timeout: 10_000 })
      .not.toContain('shop.test');
    await expect.poll(async () => (await ledger().list()).entries.length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.textContent('#dns'), { timeout: 10_000 }).toContain('no rules');
  });

  it(
    'shows the lab hosts, their processes and a fault on one, and reverts it with the button',
    { timeout: 30_000 },
    async () => {
      const pid = lab.state.hosts.find((h) => h.name === 'a')!.services.sleeper!.pid!;
      const [fault] = await manager.inject(
        { kind: 'process.stop', target: { lab: labName, host: 'a', service: 'sleeper' }, durationMs: 60_000 },
        { activity: 'test' },
      );
      expect(procState(pid)).toBe('T');
      await page.keyboard.press('8');
      const button = page.locator(`#labs tr[data-host="a"] button.revert[data-id="${fault!.id}"]`);
      await button.waitFor({ timeout: 10_000 });
      expect(await page.textContent('#labs tr[data-host="b"]')).not.toContain('process.stop');
      await page.screenshot({ path: screenshotPath('ui-labs.png') });
      await button.click();
      await expect.poll(() => procState(pid), { timeout: 10_000 }).not.toBe('T');
    },
  );

  it(
    'shoots a pod and a container through their kinds, and nothing outside the selected sets',
    { timeout: 60_000 },
    async () => {
      await page.keyboard.press('5');
      await page.locator('button.shoot[data-family="container"]').first().waitFor({ timeout: 15_000 });
      await page.check('#arm');
      const pods = page.locator('button.shoot[data-family="pod"]:not([disabled])');
      await expect.poll(() => pods.count(), { timeout: 15_000 }).toBe(3);
      const podName = (await pods.first().textContent())!.replace('✛ Shoot ', '').trim();
      page.once('dialog', (d) => void d.accept()); // the once-per-session confirmation
      await pods.first().click();
      await expect.poll(() => page.textContent('#message'), { timeout: 15_000 }).toContain(`shot ${podName}`);
      const podGone = () => {
        const pod = kube.cluster.get('pods', 'default', podName) as
          { metadata: { deletionTimestamp?: string } } | undefined;
        return !pod || pod.metadata.deletionTimestamp !== undefined;
      };
      await expect.poll(podGone, { timeout: 10_000 }).toBe(true);
      const victim = run.name('web-1');
      await page.locator(`button.shoot[data-family="container"]:has-text("${victim}")`).click();
      await expect.poll(() => page.textContent('#message'), { timeout: 15_000 }).toContain(`shot ${victim}`);
      await expect.poll(async () => (await stateOf(victim))?.Running, { timeout: 10_000 }).toBe(false);
      expect((await stateOf(run.name('web-2')))?.Running).toBe(true);
      expect((await ledger().list()).entries.map((e) => e.kind)).toEqual(['container.kill']);
      await page.screenshot({ path: screenshotPath('ui-arcade-targets.png') });
      const shoot = (target: string) =>
        fetch(`${ui.url}/api/arcade/shoot`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ target }),
        });
      // One down at a time: the lab service is refused while the container is down.
      expect((await shoot(`${labName}/a/sleeper`)).status).toBe(409);
      // A container outside the selection cannot be named at all.
      const outsider = await engine.createContainer({
        Image: IMAGE,
        name: run.name('other'),
        Cmd: ['sleep', '600'],
        Labels: { 'turbulence.test': `${run.id}-no` },
      });
      await outsider.start();
      expect((await shoot(`1:container:${outsider.id}`)).status).toBe(403);
      expect((await outsider.inspect()).State.Running).toBe(true);
      await outsider.remove({ force: true });
      // The labs & targets view lists the selected containers, the shot one with its fault.
      await page.click('[data-view=labs]'); // (the focus is on the arm switch: keys go to it)
      await expect
        .poll(() => page.textContent(`#targets tr[data-target="${victim}"]`), { timeout: 10_000 })
        .toContain('container.kill');
      await page.screenshot({ path: screenshotPath('ui-targets.png') });
      await page.click('[data-view=arcade]');
      // Disarming reverts what the arcade injected: the container runs again.
      await page.uncheck('#arm');
      await expect.poll(async () => (await stateOf(victim))?.Running, { timeout: 20_000 }).toBe(true);
      await expect.poll(async () => (await ledger().list()).entries.length, { timeout: 10_000 }).toBe(0);
      expect(seen.errors.join('\n')).toBe('');
    },
  );
});
