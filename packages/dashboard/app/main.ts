/**
 * The dashboard: views (runs, active faults, doctor, demo, arcade, proxies, DNS rules, labs) switched with buttons
 * (keyboard: Tab/Enter, or 1-8),
 * refreshed when the event stream says something changed. The run timeline is the report's SVG (drawn by the
 * server with `src/report/timeline.ts`), styled with the report's CSS.
 */
import { REPORT_CSS_VARS, TIMELINE_STYLE } from './theme.js';
import { api, follow, type StreamEvent } from './api.js';
import { APP_CSS } from './style.js';
import { loadArcade, setupArcade, shoot } from './arcade.js';
import { loadProxies, setupProxies } from './proxies.js';
import { loadDns, loadLabs } from './inventory.js';

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const esc = (s: unknown) =>
  String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

const style = document.createElement('style');
style.textContent = `${REPORT_CSS_VARS}${TIMELINE_STYLE}${APP_CSS}`;
document.head.append(style);

let selected: { kind: 'live' | 'file'; id: string } | undefined;
const say = (text: string) => ($('#message').textContent = text);

function show(view: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav[aria-label=views] button')) {
    const on = b.dataset.view === view;
    if (on) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
    $(`#view-${b.dataset.view}`).hidden = !on;
  }
  if (view === 'doctor') void loadDoctor();
  if (view === 'faults') void loadFaults();
  if (view === 'demo') void loadDemo();
  if (view === 'arcade') void loadArcade().catch((err: Error) => say(err.message));
  if (view === 'proxies') void loadProxies().catch((err: Error) => say(err.message));
  if (view === 'dns') void loadDns().catch((err: Error) => say(err.message));
  if (view === 'labs') void loadLabs().catch((err: Error) => say(err.message));
}

/** Reloads the DNS or labs view when it is open (after a revert, or a fault or DNS event). */
function refreshInventory(): void {
  if (!$('#view-dns').hidden) void loadDns().catch(() => undefined);
  if (!$('#view-labs').hidden) void loadLabs().catch(() => undefined);
}

interface RunsAnswer {
  live: { runId: string; title: string; status: string; start: string }[];
  history: { file: string; title?: string; status?: string; score?: number; error?: string }[];
}

async function loadRuns(): Promise<void> {
  const runs = await api<RunsAnswer>('/api/runs');
  const item = (kind: 'live' | 'file', id: string, label: string) => {
    const current = selected?.kind === kind && selected.id === id ? ' aria-current="true"' : '';
    return `<li><button type="button" data-kind="${kind}" data-id="${esc(id)}"${current}>${label}</button></li>`;
  };
  $('#run-list').innerHTML =
    `<h3>Live</h3><ul>${runs.live.map((r) => item('live', r.runId, `${r.status === 'running' ? '● running' : esc(r.status)} · ${esc(r.title)}`)).join('') || '<li class="empty">none</li>'}</ul>` +
    `<h3>History</h3><ul>${runs.history.map((h) => item('file', h.file, h.error ? `⚠ ${esc(h.file)}` : `${esc(h.status)} (${h.score}) · ${esc(h.title)}`)).join('') || '<li class="empty">no journals</li>'}</ul>`;
  if (!selected && runs.live[0]) selected = { kind: 'live', id: runs.live[0].runId };
  if (selected) await loadRun();
}

interface RunAnswer {
  svg: string;
  model: {
    title: string;
    status: string;
    score: { value: number; outcome: string };
    seed: number | null;
    faults: { id: string; kind: string; target: string; end: number | null }[];
  };
}

async function loadRun(): Promise<void> {
  if (!selected) return;
  const { model, svg } = await api<RunAnswer>(`/api/runs/${selected.kind}/${encodeURIComponent(selected.id)}`);
  const open = model.faults.filter((f) => f.end === null).length;
  $('#run-detail').innerHTML =
    `<h3>${esc(model.title)}</h3><p class="summary"><strong>${esc(model.status)}</strong> · score ${model.score.value} (${esc(model.score.outcome)}) · ` +
    `seed ${model.seed ?? '—'} · ${model.faults.length} fault(s), <span id="open-faults">${open}</span> in effect</p>` +
    `<figure>${svg}<figcaption>Hatched bands: faults per target (labelled with their kind); lines: probe values, dashed: tolerance bounds.</figcaption></figure>`;
}

interface FaultsAnswer {
  faults: {
    id: string;
    kind: string;
    target: { name: string };
    createdAt: string;
    expiresAt?: string;
    owner: { pid: number; runId?: string };
  }[];
}

async function loadFaults(): Promise<void> {
  const { faults } = await api<FaultsAnswer>('/api/faults');
  $('#fault-count').textContent = String(faults.length);
  $('#faults').innerHTML =
    faults.length === 0
      ? '<p class="empty">The ledger is empty: no fault is in effect.</p>'
      : `<table><thead><tr><th>Fault</th><th>Kind</th><th>Target</th><th>Since</th><th>Owner</th><th></th></tr></thead><tbody>${faults
          .map(
            (f) =>
              `<tr data-fault="${esc(f.id)}"><td><code>${esc(f.id)}</code></td><td>${esc(f.kind)}</td><td>${esc(f.target.name)}</td>` +
              `<td>${esc(new Date(f.createdAt).toLocaleTimeString())}</td><td>pid ${f.owner.pid}${f.owner.runId ? ` · run ${esc(f.owner.runId)}` : ''}</td>` +
              `<td><button type="button" class="revert" data-id="${esc(f.id)}">↺ Revert</button></td></tr>`,
          )
          .join('')}</tbody></table>`;
}

async function loadDoctor(): Promise<void> {
  type Line = { name: string; result: { ok: boolean; detail?: string; reason?: string } };
  const d = await api<{ machine: Line[]; kinds: Line[] }>('/api/doctor');
  const rows = (lines: Line[]) =>
    lines
      .map(
        (l) =>
          `<tr><td>${l.result.ok ? '✔ works' : '✘ no'}</td><td>${esc(l.name)}</td><td>${esc(l.result.ok ? (l.result.detail ?? '') : (l.result.reason ?? ''))}</td></tr>`,
      )
      .join('');
  $('#doctor').innerHTML =
    `<h3>Machine</h3><table><tbody>${rows(d.machine)}</tbody></table><h3>Fault kinds</h3><table><tbody>${rows(d.kinds)}</tbody></table>`;
}

async function loadDemo(): Promise<void> {
  const d = await api<{
    replicas: { name: string; url: string; pid: number; alive: boolean }[];
    proxy: string;
    client: string;
    running: boolean;
  }>('/api/demo');
  $<HTMLButtonElement>('#demo-run').disabled = d.running;
  $('#demo').innerHTML =
    `<ul>${d.replicas.map((r) => `<li>${r.alive ? '● up' : '✘ down'} ${esc(r.name)} <code>${esc(r.url)}</code> pid ${r.pid}</li>`).join('')}</ul>` +
    `<p>Proxy API <code>${esc(d.proxy)}</code> · client <code>${esc(d.client)}</code>${d.running ? ' · <strong>experiment running</strong>' : ''}</p>`;
}

// Coalesce refreshes: at most one in flight, one queued.
function coalesce(fn: () => Promise<void>): () => void {
  let busy = false;
  let again = false;
  const run = async () => {
    if (busy) return void (again = true);
    busy = true;
    try {
      await fn();
    } catch (err) {
      say(String((err as Error).message));
    } finally {
      busy = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  return () => void run();
}
const refreshRuns = coalesce(loadRuns);
const refreshFaults = coalesce(loadFaults);
const refreshDemo = coalesce(loadDemo);

function onEvent(e: StreamEvent): void {
  if (e.type === 'run.started' && typeof e.runId === 'string') selected = { kind: 'live', id: e.runId };
  if (e.source === 'run' || e.source === 'fault') refreshRuns();
  if (e.source === 'fault') refreshFaults();
  if (!$('#view-arcade').hidden && (e.source === 'fault' || e.source === 'supervisor')) void loadArcade();
  if (e.source === 'fault' || e.source === 'supervisor' || e.type === 'dns.rule.added' || e.type === 'dns.rule.removed')
    refreshInventory();
  if (!$('#view-proxies').hidden && e.source === 'proxy') void loadProxies();
  if (!$('#view-demo').hidden && (e.type === 'run.started' || e.type === 'run.finished' || e.source === 'supervisor'))
    refreshDemo();
}

document.addEventListener('click', (ev) => {
  const t = (ev.target as HTMLElement).closest<HTMLButtonElement>('button');
  if (!t) return;
  if (t.dataset.view) show(t.dataset.view);
  else if (t.classList.contains('shoot') && t.dataset.target) void shoot(t.dataset.target, say);
  else if (t.dataset.kind && t.dataset.id) {
    selected = { kind: t.dataset.kind as 'live' | 'file', id: t.dataset.id };
    refreshRuns();
  } else if (t.classList.contains('revert') && t.dataset.id) {
    void api<{ reverted: string[] }>(`/api/faults/${encodeURIComponent(t.dataset.id)}/revert`, {}).then(
      (r) => (say(`reverted ${r.reverted.join(', ')}`), refreshFaults(), refreshRuns(), refreshInventory()),
      (err: Error) => say(err.message),
    );
  } else if (t.id === 'revert-all') {
    if (!confirm('Revert every fault in the ledger now?')) return;
    void api<{ reverted: string[]; failed: unknown[] }>('/api/faults/revert-all', {}).then(
      (r) => (
        say(`reverted ${r.reverted.length} fault(s)${r.failed.length ? `, ${r.failed.length} failed` : ''}`),
        refreshFaults(),
        refreshRuns()
      ),
      (err: Error) => say(err.message),
    );
  } else if (t.id === 'demo-run') {
    t.disabled = true;
    void api('/api/demo/run', {}).then(
      () => (say('demo experiment started'), show('runs')),
      (err: Error) => say(err.message),
    );
  } else if (t.id === 'theme') {
    const root = document.documentElement;
    const dark = root.dataset.theme
      ? root.dataset.theme === 'dark'
      : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
  }
});
document.addEventListener('keydown', (ev) => {
  if (
    ev.target instanceof HTMLInputElement ||
    ev.target instanceof HTMLSelectElement ||
    ev.altKey ||
    ev.ctrlKey ||
    ev.metaKey
  )
    return;
  const views = ['runs', 'faults', 'doctor', 'demo', 'arcade', 'proxies', 'dns', 'labs'];
  const view = views[Number(ev.key) - 1];
  if (view && !document.querySelector<HTMLButtonElement>(`[data-view=${view}]`)?.hidden) show(view);
});

setupArcade(say);
setupProxies(say);
void api<{ views: Record<'demo' | 'arcade' | 'proxies', boolean> }>('/api/health').then(
  ({ views }) => {
    for (const v of ['demo', 'arcade', 'proxies'] as const) $(`[data-view=${v}]`).hidden = !views[v];
  },
  (err: Error) => say(err.message),
);
refreshRuns();
refreshFaults();
// A running run's timeline grows with time even between events.
setInterval(() => {
  if (selected?.kind === 'live' && document.querySelector('#run-detail strong')?.textContent === 'running')
    refreshRuns();
}, 1000);
void follow(onEvent, (live) => ($('#live').textContent = live ? '● live' : '○ reconnecting'));
