/**
 * The proxies view: every proxy of the configured Toxiproxy-compatible API with its toxics (Remove, Edit fills
 * the form), and a form that adds a toxic or updates one of the same name, through the dashboard server.
 */
import { api } from './api.js';

interface Toxic {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Record<string, unknown>;
}
interface Proxy {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Toxic[];
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const esc = (s: unknown) =>
  String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
let proxies: Proxy[] = [];

/** Reloads the proxies and their toxics. */
export async function loadProxies(): Promise<void> {
  const r = await api<{ api: string; proxies: Record<string, Proxy> }>('/api/proxies');
  proxies = Object.values(r.proxies);
  const select = $<HTMLSelectElement>('#toxic-proxy');
  const chosen = select.value;
  select.innerHTML = proxies.map((p) => `<option>${esc(p.name)}</option>`).join('');
  if (chosen) select.value = chosen;
  $('#proxies').innerHTML =
    `<p>Proxy API <code>${esc(r.api)}</code></p>` +
    proxies
      .map(
        (p) =>
          `<h3>${esc(p.name)} ${p.enabled ? '(enabled)' : '(disabled)'}</h3><p><code>${esc(p.listen)}</code> → <code>${esc(p.upstream)}</code></p>` +
          (p.toxics.length === 0
            ? '<p class="empty">no toxics</p>'
            : `<table><thead><tr><th>Toxic</th><th>Type</th><th>Stream</th><th>Toxicity</th><th>Attributes</th><th></th></tr></thead><tbody>${p.toxics
                .map(
                  (t) =>
                    `<tr data-toxic="${esc(t.name)}"><td>${esc(t.name)}</td><td>${esc(t.type)}</td><td>${esc(t.stream)}</td><td>${t.toxicity}</td>` +
                    `<td><code>${esc(JSON.stringify(t.attributes))}</code></td><td><button type="button" class="edit-toxic" data-proxy="${esc(p.name)}" data-toxic="${esc(t.name)}">✎ Edit</button> ` +
                    `<button type="button" class="remove-toxic" data-proxy="${esc(p.name)}" data-toxic="${esc(t.name)}">✕ Remove</button></td></tr>`,
                )
                .join('')}</tbody></table>`),
      )
      .join('');
}

/** Wires the form and the Edit / Remove buttons. */
export function setupProxies(say: (s: string) => void): void {
  $('#toxic-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const proxy = $<HTMLSelectElement>('#toxic-proxy').value;
    const name = $<HTMLInputElement>('#toxic-name').value.trim();
    let attributes: unknown;
    try {
      attributes = JSON.parse($<HTMLInputElement>('#toxic-attributes').value);
    } catch (err) {
      return say(`attributes: not JSON (${(err as Error).message})`);
    }
    const body = {
      ...(name ? { name } : {}),
      type: $<HTMLSelectElement>('#toxic-type').value,
      stream: $<HTMLSelectElement>('#toxic-stream').value,
      toxicity: Number($<HTMLInputElement>('#toxic-toxicity').value),
      attributes,
    };
    const exists = proxies.find((p) => p.name === proxy)?.toxics.some((t) => t.name === name);
    const path = `/api/proxies/${encodeURIComponent(proxy)}/toxics${exists ? `/${encodeURIComponent(name)}` : ''}`;
    void api<{ name: string }>(path, body).then(
      (t) => (say(`${exists ? 'updated' : 'added'} toxic ${t.name} on ${proxy}`), void loadProxies()),
      (err: Error) => say(err.message),
    );
  });
  document.addEventListener('click', (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button.remove-toxic, button.edit-toxic');
    if (!b?.dataset.proxy || !b.dataset.toxic) return;
    const { proxy, toxic } = b.dataset;
    if (b.classList.contains('edit-toxic')) {
      const t = proxies.find((p) => p.name === proxy)?.toxics.find((x) => x.name === toxic);
      if (!t) return;
      $<HTMLSelectElement>('#toxic-proxy').value = proxy;
      $<HTMLInputElement>('#toxic-name').value = t.name;
      $<HTMLSelectElement>('#toxic-type').value = t.type;
      $<HTMLSelectElement>('#toxic-stream').value = t.stream;
      $<HTMLInputElement>('#toxic-toxicity').value = String(t.toxicity);
      $<HTMLInputElement>('#toxic-attributes').value = JSON.stringify(t.attributes);
      $<HTMLInputElement>('#toxic-attributes').focus();
      return;
    }
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    void fetch(`/api/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`, {
      method: 'DELETE',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }).then(
      async (r) => (
        r.ok ? say(`removed toxic ${toxic}`) : say(((await r.json()) as { error: string }).error),
        void loadProxies()
      ),
      (err: Error) => say(err.message),
    );
  });
}
