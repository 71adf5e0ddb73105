/**
 * The dashboard API without a browser: bad bodies (400 with a message), the token off loopback (401), the proxies
 * routes against a real proxy server, and `turbulence run --ui URL` posting a real run's events to the hub.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTimeout, runCli } from '../support/cli.js';
import { eventually } from '../support/eventually.js';

const home = mkdtempSync(join(tmpdir(), 'turb-ui-api-'));
process.env.TURBULENCE_HOME = home;
const { startUiServer } = await import('../../src/ui/server.js');
const { createProxyServer } = await import('../../src/proxy/index.js');

describe('the dashboard API', () => {
  let ui: Awaited<ReturnType<typeof startUiServer>>;
  let proxy: Awaited<ReturnType<typeof createProxyServer>>;
  const journals = join(home, 'journals');
  const post = (path: string, body: string) =>
    fetch(`${ui.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    proxy = await createProxyServer({ seed: 1 });
    await proxy.createProxy({ name: 'p1', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
    ui = await startUiServer({ host: '127.0.0.1', port: 0, journals, proxyApi: { api: proxy.url } });
  });
  afterAll(async () => {
    await ui?.close();
    await proxy?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers bad bodies with 400 and a message, and stays up', async () => {
    const unknown = await post('/api/events', '{"type":"run.exploded","source":"run","at":"2026-01-01T00:00:00Z"}');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('unknown event type "run.exploded"');
    expect((await post('/api/events', '[{"type":"run.warning","source":"fault","at":"x"}]')).status).toBe(400);
    expect((await post('/api/events', '{"type":')).status).toBe(400);
    expect((await post('/api/faults/nope/revert', '{}')).status).toBe(404);
    const badToxic = await post('/api/proxies/p1/toxics', '{"type":"latency","toxicity":7}');
    expect(badToxic.status).toBe(400);
    expect(((await badToxic.json()) as { error: string }).error).toContain('toxicity: a number from 0 to 1');
    const unknownProxy = await post('/api/proxies/nope/toxics', '{"type":"latency","attributes":{"latency":1}}');
    expect(unknownProxy.status).toBe(404);
    expect((await fetch(`${ui.url}/api/runs/file/..%2Fsecret.json`)).status).toBe(400);
    expect((await fetch(`${ui.url}/api/health`)).status).toBe(200);
  });

  it('adds, updates and removes a toxic through the proxy API', async () => {
    const added = await post('/api/proxies/p1/toxics', '{"name":"lat","type":"latency","attributes":{"latency":50}}');
    expect(added.status).toBe(200);
    await post('/api/proxies/p1/toxics/lat', '{"attributes":{"latency":70}}');
    const list = (await (await fetch(`${ui.url}/api/proxies`)).json()) as {
      proxies: Record<string, { toxics: { name: string; attributes: { latency: number } }[] }>;
    };
    expect(list.proxies.p1?.toxics).toEqual([
      expect.objectContaining({ name: 'lat', attributes: expect.objectContaining({ latency: 70 }) }),
    ]);
    expect((await fetch(`${ui.url}/api/proxies/p1/toxics/lat`, { method: 'DELETE' })).status).toBe(200);
  });

  it('refuses a non-loopback bind without a token, and calls without the token on one', async () => {
    await expect(startUiServer({ host: '0.0.0.0', port: 0, journals })).rejects.toThrow(
      /not loopback, without a token/,
    );
    const open = await startUiServer({ host: '0.0.0.0', port: 0, journals, token: 's3cret' });
    try {
      const base = `http://127.0.0.1:${open.port}`;
      expect((await fetch(`${base}/api/faults`)).status).toBe(401);
      expect((await fetch(`${base}/api/events`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${base}/api/faults`, { headers: { authorization: 'Bearer s3cret' } });
      expect(ok.status).toBe(200);
      expect((await fetch(`${base}/`)).status).toBe(200); // the page itself; its API calls carry #token=
    } finally {
      await open.close();
    }
  });

  it('shows a run started elsewhere with run --ui URL, live and finished', { timeout: cliTimeout(1) }, async () => {
    writeFileSync(
      join(home, 'exp.yaml'),
      'title: posted run\ndescription: d\nmethod:\n  - {type: probe, name: v, provider: {type: process, path: node, arguments: ["--version"]}}\n',
    );
    const run = await runCli(['run', 'exp.yaml', '--ui', ui.url], {
      built: true,
      cwd: home,
      env: { PATH: process.env.PATH, TURBULENCE_HOME: home },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('warning');
    type Runs = { live: { runId: string; title: string; status: string }[] };
    const runsNow = async () => (await (await fetch(`${ui.url}/api/runs`)).json()) as Runs;
    expect(await eventually(async () => (await runsNow()).live[0]?.status === 'completed', 10_000)).toBe(true);
    const runs = await runsNow();
    expect(runs.live[0]?.title).toBe('posted run');
    const detail = (await (await fetch(`${ui.url}/api/runs/live/${runs.live[0]!.runId}`)).json()) as {
      svg: string;
      model: { activities: unknown[] };
    };
    expect(detail.svg).toContain('<svg class="timeline"');
    expect(detail.model.activities).toHaveLength(1);
  });
});
