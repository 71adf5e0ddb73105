/**
 * The dashboard's live path: latency from a run event entering the event hub to the browser reading it over SSE
 * (goal < 100 ms), against a bare Node SSE server writing the same events to the same in-page reader in the same
 * run (baseline); and memory with 10,000 events (server heap and RSS, the page's JS heap) against the same with none.
 *
 *   npm run build && node --expose-gc --import tsx bench/ui.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { stamp } from '../packages/turbulence/src/core/events.js';
import { launchChromium } from '../packages/turbulence/test/support/chromium.js';

const home = mkdtempSync(join(tmpdir(), 'turb-bench-ui-'));
process.env.TURBULENCE_HOME = home;
const { startUiServer } = await import('../packages/turbulence/src/ui/server.js');
const quick = process.argv.includes('--quick');
const N = quick ? 50 : 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** An in-page SSE reader (fetch + TextDecoderStream, as the dashboard reads) that records arrival − sentAt. */
async function startReader(page: Page, url: string): Promise<void> {
  await page.evaluate(async (u) => {
    const w = globalThis as unknown as { lat: number[] };
    w.lat = [];
    const res = await fetch(u);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const e = JSON.parse(data.slice(6)) as { message?: string };
          const sent = Number(/sent=(\d+(?:\.\d+)?)/.exec(e.message ?? '')?.[1]);
          if (sent) w.lat.push(performance.timeOrigin + performance.now() - sent);
        }
      }
    })();
  }, url);
}

async function measure(page: Page, url: string, emit: (i: number) => void): Promise<number[]> {
  await startReader(page, url);
  await sleep(300);
  for (let i = 0; i < N; i++) {
    emit(i);
    await sleep(20);
  }
  await sleep(500);
  return page.evaluate(() => (globalThis as unknown as { lat: number[] }).lat);
}

const warning = (i: number) =>
  stamp('run', { type: 'run.warning', message: `bench ${i} sent=${performance.timeOrigin + performance.now()}` });

const browser = await launchChromium(); // the tests' launch: Debian's Chromium, off the network
try {
  // Baseline: a bare SSE server, same reader, same page origin rules (served from the same kind of server).
  const clients = new Set<ServerResponse>();
  const bare = createServer((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hi\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else res.end('<!doctype html><title>bare</title>');
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
  const page1 = await browser.newPage();
  await page1.goto(bareUrl);
  const base = await measure(page1, `${bareUrl}/events`, (i) => {
    const line = `data: ${JSON.stringify(warning(i))}\n\n`;
    for (const c of clients) c.write(line);
  });
  await page1.close();
  bare.close();

  const ui = await startUiServer({ host: '127.0.0.1', port: 0, journals: join(home, 'journals'), capacity: 10_000 });
  const page2 = await browser.newPage();
  await page2.goto(`${ui.url}/`); // the dashboard itself is open and following too
  const lat = await measure(page2, `${ui.url}/api/events?since=${ui.hub.size + 10}`, (i) => ui.hub.add(warning(i)));

  // Memory: server heap/RSS and the dashboard page's JS heap, before and after 10,000 events.
  const cdp = await page2.context().newCDPSession(page2);
  await cdp.send('Performance.enable');
  const pageHeap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
  };
  gc();
  const before = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, page: await pageHeap() };
  const kinds = ['fault.injected', 'run.warning'] as const;
  for (let i = 0; i < 10_000; i++) {
    if (kinds[i % 2] === 'run.warning')
      ui.hub.add(stamp('run', { type: 'run.warning', message: `event ${i} ${'x'.repeat(80)}` }));
    else
      ui.hub.add(
        stamp('fault', {
          type: 'fault.injected',
          id: `f-${i}`,
          kind: 'process.kill',
          runId: null,
          activity: 'a',
          target: { id: 't', name: 'target' },
          state: null,
          injectedAt: Date.now(),
        }),
      );
    if (i % 500 === 0) await sleep(5);
  }
  await sleep(2000);
  gc();
  const after = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, page: await pageHeap() };
  await ui.close();

  const row = (name: string, xs: number[]) =>
    `| ${name} | ${xs.length} | ${pct(xs, 0.5).toFixed(1)} ms | ${pct(xs, 0.95).toFixed(1)} ms | ${Math.max(...xs).toFixed(1)} ms |`;
  console.log(
    `\nui bench ${new Date().toISOString()} — ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log('| SSE event → browser | events | median | p95 | max |\n| --- | --- | --- | --- | --- |');
  console.log(row('bare Node SSE server (baseline)', base));
  console.log(row('turbulence ui (hub → SSE)', lat));
  console.log(
    `\nratio of medians ui/baseline: ${(pct(lat, 0.5) / pct(base, 0.5)).toFixed(2)}×; goal median < 100 ms: ${pct(lat, 0.5) < 100 ? 'met' : 'NOT met'}`,
  );
  console.log('\n| memory | before | after 10,000 events | delta |\n| --- | --- | --- | --- |');
  console.log(`| server heap used | ${mib(before.heap)} | ${mib(after.heap)} | ${mib(after.heap - before.heap)} |`);
  console.log(`| server RSS | ${mib(before.rss)} | ${mib(after.rss)} | ${mib(after.rss - before.rss)} |`);
  console.log(
    `| dashboard page JS heap | ${mib(before.page)} | ${mib(after.page)} | ${mib(after.page - before.page)} |`,
  );
} finally {
  await browser.close();
  rmSync(home, { recursive: true, force: true });
}
