/**
 * The dashboard's DNS and lab views: what is active on the chaos DNS servers and in the running labs, each item
 * with the ledger fault that put it there (the page's Revert button reverts that fault through the ledger, as
 * `turbulence fault revert` does).
 *
 *   GET /api/dns    every chaos DNS server known here: the `--dns-api` ones, those `dns.rule` faults in the ledger
 *                   name, and running labs' servers; each with its rules (hits) and, per rule, its fault id
 *   GET /api/labs   every lab in $TURBULENCE_HOME/labs: status, hosts (address, netns), their services (pid,
 *                   status, alive) and the faults in the ledger on each host and service; plus the containers
 *                   and pods the dashboard was given (`--arcade-container`, `--arcade-pod`), each with its faults
 */
import type { FastifyInstance } from 'fastify';
import { errorMessage } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { Ledger, LedgerEntry } from '../faults/ledger.js';
import { listLabs, readLabState, type LabState } from '../lab/state.js';
import { alive } from '../os/signals.js';
import { callDnsApi } from '../targets/dns.js';
import { listTargets, type ArcadeSource } from './arcade-sources.js';
import type { FaultRef } from './fault-ref.js';

const ref = (e: LedgerEntry): FaultRef => ({
  id: e.id,
  kind: e.kind,
  target: e.target.name,
  createdAt: e.createdAt,
  ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}),
});

/**
 * Registers `GET /api/dns` and `GET /api/labs`.
 *
 * @example
 * registerInventory(app, new Ledger(), { dnsApis: ['http://127.0.0.1:5380'] });
 */
export function registerInventory(
  app: FastifyInstance,
  ledger: Ledger,
  options: { dnsApis?: string[]; targets?: readonly ArcadeSource[] } = {},
): void {
  app.get('/api/dns', async () => {
    const { entries } = await ledger.list();
    const ruleFaults = entries.filter((e) => e.kind === 'dns.rule');
    const labs = listLabs().flatMap((name) => {
      const api = readLabState(name)?.dns?.api;
      return api ? [{ api, lab: name }] : [];
    });
    const apis = new Map<string, string | undefined>();
    for (const a of options.dnsApis ?? []) apis.set(a.replace(/\/+$/, ''), undefined);
    for (const l of labs) apis.set(l.api.replace(/\/+$/, ''), l.lab);
    for (const e of ruleFaults) {
      const api = e.target.attributes.api;
      if (typeof api === 'string' && !apis.has(api)) apis.set(api, undefined);
    }
    const servers = await Promise.all([...apis].map(([api, lab]) => dnsServer(api, lab, ruleFaults)));
    return { servers };
  });

  app.get('/api/labs', async () => {
    const { entries } = await ledger.list();
    const labs = listLabs().flatMap((name) => {
      const state = readLabState(name);
      return state ? [labView(state, entries)] : [];
    });
    const sets = (options.targets ?? []).filter((t) => t.family === 'container' || t.family === 'pod');
    const targets = await Promise.all(
      sets.map(async (source, i) => {
        const listed = await listTargets(source, i).catch((err: unknown) => errorMessage(err));
        if (typeof listed === 'string') return { label: source.label, family: source.family, error: listed, items: [] };
        const items = listed.map((t) => ({
          name: t.name,
          alive: t.alive,
          faults: entries.filter((e) => e.target.id === t.target?.id).map(ref),
        }));
        // A target its fault took down (a killed container) no longer matches the query: listed from the ledger.
        const shown = new Set(listed.map((t) => t.target?.id));
        for (const e of entries.filter((x) => x.target.type === source.family && !shown.has(x.target.id))) {
          shown.add(e.target.id);
          items.push({
            name: e.target.name,
            alive: false,
            faults: entries.filter((x) => x.target.id === e.target.id).map(ref),
          });
        }
        return { label: source.label, family: source.family, items };
      }),
    );
    return { labs, targets };
  });
}

async function dnsServer(api: string, lab: string | undefined, faults: LedgerEntry[]) {
  const target: Target = { id: `dns-api:${api}`, type: 'dns-server', name: api, attributes: { api } };
  const mine = faults.filter((e) => e.target.attributes.api === api);
  try {
    const res = await callDnsApi(target, 'GET', '/rules');
    if (res.status !== 200) throw new Error(`GET /rules answered ${res.status}: ${res.body.slice(0, 200)}`);
    const parsed = JSON.parse(res.body) as { rules?: unknown[] } | unknown[];
    const rules = (Array.isArray(parsed) ? parsed : (parsed.rules ?? [])) as { id: string }[];
    return {
      api,
      lab: lab ?? null,
      reachable: true,
      rules: rules.map((r) => {
        const fault = mine.find((e) => (e.state as { ruleId?: string } | undefined)?.ruleId === r.id);
        return { ...r, fault: fault ? ref(fault) : null };
      }),
    };
  } catch (err) {
    // A server that is gone still shows the faults the ledger holds for it (their revert is then a no-op).
    return { api, lab: lab ?? null, reachable: false, error: errorMessage(err), rules: [], faults: mine.map(ref) };
  }
}

/** Faults on a lab host: its namespace, its services' processes, or the lab and host named in the target. */
function onHost(e: LedgerEntry, lab: string, host: string, netns: string): boolean {
  const a = e.target.attributes;
  if (a.netns === netns) return true;
  if (a.lab === lab && a.host === host) return true;
  return typeof a.managed === 'string' && a.managed.startsWith(`${lab}.${host}.`);
}

function labView(state: LabState, entries: LedgerEntry[]) {
  const hosts = state.hosts.map((h) => {
    const faults = entries.filter((e) => onHost(e, state.name, h.name, h.netns));
    return {
      name: h.name,
      address: h.address,
      netns: h.netns,
      services: Object.entries(h.services).map(([name, s]) => ({
        name,
        pid: s.pid ?? null,
        status: s.status,
        restarts: s.restarts,
        alive: s.pid !== undefined && alive(s.pid),
        faults: faults
          .filter((e) => e.target.attributes.service === name || e.target.attributes.managed === s.managed)
          .map(ref),
      })),
      faults: faults.map(ref),
    };
  });
  return {
    name: state.name,
    status: state.status,
    subnet: state.subnet,
    dns: state.dns?.api ?? null,
    supervisorAlive: state.supervisor ? alive(state.supervisor.pid) : false,
    hosts,
  };
}
