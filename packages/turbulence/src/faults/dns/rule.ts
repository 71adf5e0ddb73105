/**
 * @module `dns.rule`: add a rule to a running chaos DNS server (`turbulence dns serve --api ...` or
 * `createDnsServer({ api })`) through its control API; revert removes it.
 *
 *   { "type": "fault", "kind": "dns.rule", "target": { "api": "http://127.0.0.1:5380" },
 *     "params": { "name": "svc.example.test", "action": "truncate" }, "duration": "30s" }
 *
 * `"target": { "lab": "shop" }` finds the API of a running lab's chaos DNS server (its lab file's `dns:` block).
 *
 * The rule id is the params' `id`, or derived from the params alone, so revert finds the rule even when inject
 * never returned (two identical `dns.rule` faults on one server therefore share one rule).
 * Set `TURBULENCE_DNS_API_TOKEN` when the API requires a token.
 */
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage, isTurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { deriveSeed } from '../../core/rng.js';
import { callDnsApi as call, resolveDnsApis, type ApiResponse } from '../../targets/dns.js';
import { parseRule, type DnsRuleInput } from '../../dns/rule.js';
import { objectName } from '../naming.js';
import { dnsRuleShape } from './schema.js';

/** The rule, exactly as the control API takes it (see docs/dns.md). */
const params = dnsRuleShape.superRefine((value, ctx) => {
  try {
    parseRule(value);
  } catch (err) {
    const details = isTurbulenceError(err) && err.details.length > 0 ? err.details : [err];
    for (const d of details) {
      const path = isTurbulenceError(d) ? [...(d.location?.path ?? [])] : [];
      ctx.addIssue({ code: 'custom', message: errorMessage(d), path });
    }
  }
}) as unknown as z.ZodType<DnsRuleInput & JsonObject>;

/** `dns.rule`. */
export const ruleDriver: FaultDriver<DnsRuleInput & JsonObject> = {
  kind: 'dns.rule',
  summary: 'add a rule (truncate, nxdomain, delay, drop, ...) to a chaos DNS server; revert removes it',
  params,
  targets: ['dns-server'],
  resolveTargets: (q) => resolveDnsApis(q),
  async inject(target, p, ctx) {
    const id = ruleId(p, ctx.faultId);
    const res = await call(target, 'PUT', `/rules/${encodeURIComponent(id)}`, { ...p, id });
    if (res.status !== 200) throw apiError(ErrorCodes.FAULT_INJECT_FAILED, target, res);
    return { ruleId: id };
  },
  async verify(fault) {
    for (const id of ruleIdsOf(fault)) {
      if ((await call(fault.target, 'GET', `/rules/${encodeURIComponent(id)}`)).status === 200) return true;
    }
    return false;
  },
  async revert(fault) {
    for (const id of ruleIdsOf(fault)) {
      let res: ApiResponse;
      try {
        res = await call(fault.target, 'DELETE', `/rules/${encodeURIComponent(id)}`);
      } catch (err) {
        if (/ECONNREFUSED/.test(errorMessage((err as Error).cause ?? err))) return; // server gone: its rules are gone
        throw err;
      }
      if (res.status !== 204 && res.status !== 404) throw apiError(ErrorCodes.FAULT_REVERT_FAILED, target(fault), res);
    }
  },
  check: () => Promise.resolve({ ok: true, detail: 'user space only' }),
};

/**
 * The id the rule gets on the server: the given one; else, for a fault the manager injected, one named from its
 * ledger id (`turbulence_<fault id>`: two faults never share a rule); else (a driver called directly) a stable
 * hash of the params.
 */
export function ruleId(p: DnsRuleInput, faultId?: string): string {
  if (p.id) return p.id;
  if (faultId !== undefined) return objectName('turbulence_', faultId);
  return `fault-${deriveSeed(0, stableJson(p)).toString(36)}`;
}

/** The rule ids a revert removes: the recorded one, else the ledger-id one and the params-hash one. */
function ruleIdsOf(fault: { id: string; params: DnsRuleInput; state?: unknown }): string[] {
  const recorded = (fault.state as { ruleId?: unknown } | undefined)?.ruleId;
  if (typeof recorded === 'string') return [recorded];
  return [...new Set([ruleId(fault.params, fault.id), ruleId(fault.params)])];
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function target(fault: { target: Target }): Target {
  return fault.target;
}

function apiError(code: (typeof ErrorCodes)[keyof typeof ErrorCodes], t: Target, res: ApiResponse): TurbulenceError {
  let message = res.body;
  try {
    message = (JSON.parse(res.body) as { error?: string }).error ?? res.body;
  } catch {
    // not JSON: keep the text
  }
  return new TurbulenceError(code, `${t.name} answered ${res.status}: ${message}`);
}
