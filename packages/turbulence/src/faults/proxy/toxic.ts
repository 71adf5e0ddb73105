/**
 * @module `proxy.toxic`: adds a toxic to a proxy; revert removes it. Like chaostoolkit-toxiproxy, but the toxic is
 * in the ledger before it exists, so a crash mid-run is recovered by `turbulence recover`.
 */
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver } from '../../core/fault.js';
import { ProxyClient, ProxyClientError } from '../../proxy/client.js';
import { attributesOf, isNotFound, reach, resolveProxies } from '../../targets/proxy.js';
import { objectName } from '../naming.js';

import { toxicParams as params } from './schema.js';

export type ProxyToxicParams = z.infer<typeof params>;

/**
 * The toxic's name on the server: the given one; else, for a fault the manager injected, one named from its ledger
 * id (`turbulence_<fault id>`: two faults on one proxy never share a toxic); else `turbulence_<type>_<stream>`.
 */
export function toxicName(p: ProxyToxicParams, faultId?: string): string {
  if (p.name) return p.name;
  return faultId !== undefined ? objectName('turbulence_', faultId) : `turbulence_${p.type}_${p.stream}`;
}

/** The toxic names a revert removes: the recorded one, else the ledger-id one and the default one. */
function toxicNamesOf(fault: { id: string; params: ProxyToxicParams; state?: unknown }): string[] {
  const recorded = (fault.state as { toxic?: unknown } | undefined)?.toxic;
  if (typeof recorded === 'string') return [recorded];
  return [...new Set([toxicName(fault.params, fault.id), toxicName(fault.params)])];
}

/** `proxy.toxic`. */
export const toxicDriver: FaultDriver<ProxyToxicParams> = {
  kind: 'proxy.toxic',
  summary:
    'add a toxic (latency, bandwidth, timeout, ...; http_status, http_delay, ... on http proxies) to a Toxiproxy-compatible proxy; revert removes it',
  params,
  reversible: true,
  targets: ['proxy'],
  resolveTargets: (query) => resolveProxies(query),
  async inject(target, p, ctx) {
    const { url, proxy } = attributesOf(target);
    const api = new ProxyClient(url);
    const body = {
      name: toxicName(p, ctx.faultId),
      type: p.type,
      stream: p.stream,
      toxicity: p.toxicity,
      attributes: p.attributes,
    };
    try {
      await reach(url, 'add the toxic', () => api.addToxic(proxy, body));
    } catch (err) {
      // Injected before (a retry): make the existing toxic match, which keeps inject safe to run twice.
      if (err instanceof ProxyClientError && err.status === 409) {
        await api.updateToxic(proxy, body.name, { attributes: p.attributes, toxicity: p.toxicity });
      } else throw injectFailed(proxy, url, err);
    }
    return { toxic: body.name };
  },
  async verify(fault) {
    const { url, proxy } = attributesOf(fault.target);
    const client = new ProxyClient(url);
    let toxic: Awaited<ReturnType<ProxyClient['getToxic']>> | undefined;
    for (const name of toxicNamesOf(fault)) toxic ??= await client.getToxic(proxy, name).catch(() => undefined);
    if (!toxic || toxic.type !== fault.params.type) return false;
    return Object.entries(fault.params.attributes).every(([k, v]) =>
      typeof v === 'object' ? JSON.stringify(toxic.attributes[k]) === JSON.stringify(v) : toxic.attributes[k] === v,
    );
  },
  async revert(fault) {
    const { url, proxy } = attributesOf(fault.target);
    for (const name of toxicNamesOf(fault)) {
      try {
        await reach(url, 'remove the toxic', () => new ProxyClient(url).removeToxic(proxy, name));
      } catch (err) {
        if (isNotFound(err)) continue;
        throw new TurbulenceError(ErrorCodes.FAULT_REVERT_FAILED, `cannot remove toxic from proxy ${proxy}`, {
          hint: `remove it by hand: turbulence proxy toxic remove ${proxy} -n ${name} --url ${url}`,
          cause: err,
        });
      }
    }
  },
};

function injectFailed(proxy: string, url: string, err: unknown): TurbulenceError {
  if (err instanceof TurbulenceError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new TurbulenceError(
    ErrorCodes.FAULT_INJECT_FAILED,
    `cannot add toxic to proxy ${proxy} on ${url}: ${reason}`,
    {
      hint: 'check the toxic type and attributes against docs/proxy.md',
      cause: err,
    },
  );
}
