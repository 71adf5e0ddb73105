/**
 * The DNS rules and labs views: what is active on the chaos DNS servers and in the running labs. Every item a
 * fault put there carries that fault's Revert button (the same `button.revert` as the Active faults view: the
 * server reverts it through the ledger).
 */
import type { FaultRef } from '../../turbulence/src/ui/fault-ref.js';
import { api } from './api.js';

interface DnsAnswer {
  servers: {
    api: string;
    lab: string | null;
    reachable: boolean;
    error?: string;
    rules: {
      id: string;
      name?: string;
      type?: string[];
      action: { type: string };
      probability: number;
      hits: number;
      matched: number;
      fault: FaultRef | null;
    }[];
    faults?: FaultRef[];
  }[];
}
interface LabsAnswer {
  targets: {
    label: string;
    family: string;
    error?: string;
    items: { name: string; alive: boolean; faults: FaultRef[] }[];
  }[];
  labs: {
    name: string;
    status: string;
    subnet: string;
    dns: string | null;
    supervisorAlive: boolean;
    hosts: {
      name: string;
      address: string;
      netns: string;
      services: {
        name: string;
        pid: number | null;
        status: string;
        restarts: number;
        alive: boolean;
        faults: FaultRef[];
      }[];
      faults: FaultRef[];
    }[];
  }[];
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;
const esc = (s: unknown) =>
  String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
const until = (f: FaultRef) => (f.expiresAt ? ` until ${new Date(f.expiresAt).toLocaleTimeString()}` : '');
const revert = (f: FaultRef) =>
  `<button type="button" class="revert" data-id="${esc(f.id)}" title="revert ${esc(f.kind)} ${esc(f.id)} through the ledger">↺ Revert</button>`;
const faultCell = (f: FaultRef | null) =>
  f
    ? `<code>${esc(f.id)}</code>${esc(until(f))} ${revert(f)}`
    : '<span class="empty">not a fault (rules file or API)</span>';

/** Loads the DNS rules view. */
export async function loadDns(): Promise<void> {
  const { servers } = await api<DnsAnswer>('/api/dns');
  $('#dns').innerHTML =
    servers.length === 0
      ? '<p class="empty">No chaos DNS server known: start one (<code>turbulence dns serve --api ...</code>), a lab with a <code>dns:</code> block, or pass <code>--dns-api URL</code>.</p>'
      : servers
          .map(
            (s) =>
              `<h3>${s.lab ? `lab ${esc(s.lab)} · ` : ''}<code>${esc(s.api)}</code> ${s.reachable ? '● answering' : '✘ not answering'}</h3>` +
              (s.reachable
                ? s.rules.length === 0
                  ? '<p class="empty">no rules: every query is forwarded untouched</p>'
                  : `<table><thead><tr><th>Rule</th><th>Name</th><th>Action</th><th>Probability</th><th>Hits / matched</th><th>Fault</th></tr></thead><tbody>${s.rules
                      .map(
                        (r) =>
                          `<tr data-rule="${esc(r.id)}"><td><code>${esc(r.id)}</code></td><td>${esc(r.name ?? '*')}${r.type ? ` (${esc(r.type.join(', '))})` : ''}</td>` +
                          `<td>${esc(r.action.type)}</td><td>${r.probability}</td><td>${r.hits} / ${r.matched}</td><td>${faultCell(r.fault)}</td></tr>`,
                      )
                      .join('')}</tbody></table>`
                : `<p>${esc(s.error ?? '')}</p>${(s.faults ?? []).map((f) => `<p>${esc(f.kind)} <code>${esc(f.id)}</code> ${revert(f)}</p>`).join('')}`),
          )
          .join('');
}

/** Loads the labs view. */
export async function loadLabs(): Promise<void> {
  const { labs, targets } = await api<LabsAnswer>('/api/labs');
  $('#targets').innerHTML = targets
    .map(
      (t) =>
        `<h3>${esc(t.label)}</h3>${t.error ? `<p>${esc(t.error)}</p>` : ''}<table><tbody>${
          t.items
            .map(
              (i) =>
                `<tr data-target="${esc(i.name)}"><td>${i.alive ? '● up' : '✘ down'} ${esc(i.name)}</td><td>${
                  i.faults
                    .map((f) => `${esc(f.kind)} <code>${esc(f.id)}</code>${esc(until(f))} ${revert(f)}`)
                    .join('<br>') || '<span class="empty">no fault</span>'
                }</td></tr>`,
            )
            .join('') || '<tr><td class="empty">none now</td></tr>'
        }</tbody></table>`,
    )
    .join('');
  $('#labs').innerHTML =
    labs.length === 0
      ? '<p class="empty">No lab is up: <code>turbulence lab up LAB_FILE</code> starts one.</p>'
      : labs
          .map(
            (l) =>
              `<h3>lab ${esc(l.name)} · ${esc(l.status)} · <code>${esc(l.subnet)}</code>${l.dns ? ` · DNS <code>${esc(l.dns)}</code>` : ''}${l.supervisorAlive ? '' : ' · ✘ supervisor gone'}</h3>` +
              `<table><thead><tr><th>Host</th><th>Address</th><th>Services</th><th>Faults on the host</th></tr></thead><tbody>${l.hosts
                .map(
                  (h) =>
                    `<tr data-host="${esc(h.name)}"><td>${esc(h.name)}<br><small><code>${esc(h.netns)}</code></small></td><td><code>${esc(h.address)}</code></td>` +
                    `<td>${
                      h.services
                        .map(
                          (s) =>
                            `<div>${s.alive ? '● up' : '✘ down'} ${esc(s.name)} · ${esc(s.status)}${s.pid ? ` · pid ${s.pid}` : ''}${s.restarts ? ` · ${s.restarts} restart(s)` : ''}</div>`,
                        )
                        .join('') || '<span class="empty">none</span>'
                    }</td>` +
                    `<td>${h.faults.map((f) => `<div>${esc(f.kind)} <code>${esc(f.id)}</code>${esc(until(f))} ${revert(f)}</div>`).join('') || '<span class="empty">none</span>'}</td></tr>`,
                )
                .join('')}</tbody></table>`,
          )
          .join('');
}
