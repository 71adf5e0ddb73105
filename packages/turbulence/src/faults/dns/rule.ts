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
import { readLabState } from '../../lab/state.js';
import { parseRule, type DnsRuleInput } from '../../dns/rule.js';
import { dnsQuerySchema, dnsRuleShape } from './schema.js';

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
  async resolveTargets(q) {
    const parsed = dnsQuerySchema.safeParse(q ?? {});
    if (!parsed.success) {
      throw new TurbulenceError(
        ErrorCodes.FAULT_INVALID_PARAMS,
        'dns.rule needs target { api: URL } or { lab: NAME }',
        {
          hint:
            'give the control API of a chaos DNS server, e.g. { "api": "http://127.0.0.1:5380" }, or the name of a ' +
            'running lab whose lab file has a dns: block, e.g. { "lab": "shop" }',
        },
      );
    }
    if ('lab' in parsed.data) return [await reachable(labDnsApi(parsed.data.lab))];
    const urls = Array.isArray(parsed.data.api) ? parsed.data.api : [parsed.data.api];
    return Promise.all(urls.map((u) => reachable(u.replace(/\/+$/, ''))));
  },
  async inject(target, p) {
    const id = ruleId(p);
    const res = await call(target, 'PUT', `/rules/${encodeURIComponent(id)}`, { ...p, id });
    if (res.status !== 200) throw apiError(ErrorCodes.FAULT_INJECT_FAILED, target, res);
    return { ruleId: id };
  },
  async verify(fault) {
    return (await call(fault.target, 'GET', `/rules/${encodeURIComponent(ruleId(fault.params))}`)).status === 200;
  },
  async revert(fault) {
    let res: ApiResponse;
    try {
      res = await call(fault.target, 'DELETE', `/rules/${encodeURIComponent(ruleId(fault.params))}`);
    } catch (err) {
      if (/ECONNREFUSED/.test(errorMessage((err as Error).cause ?? err))) return; // server gone: its rules are gone
      throw err;
    }
    if (res.status !== 204 && res.status !== 404) throw apiError(ErrorCodes.FAULT_REVERT_FAILED, target(fault), res);
  },
  check: () => Promise.resolve({ ok: true, detail: 'user space only' }),
};

/** The id the rule gets on the server: the given one, or a stable hash of the params. */
export function ruleId(p: DnsRuleInput): string {
  if (p.id) return p.id;
  return `fault-${deriveSeed(0, stableJson(p)).toString(36)}`;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

interface ApiResponse {
  status: number;
  body: string;
}

async function call(t: Target, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = process.env.TURBULENCE_DNS_API_TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${t.attributes.api as string}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.text() };
}

/** The control API of a running lab's chaos DNS server, from the lab's state file. */
function labDnsApi(name: string): string {
  const lab = readLabState(name);
  if (!lab) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `no lab named "${name}" is up`, {
      hint: 'start it with `turbulence lab up LAB_FILE` (or check the name with `turbulence lab status`)',
    });
  }
  if (!lab.dns) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `lab "${name}" has no chaos DNS server`, {
      hint: 'add a dns: block to its lab file (docs/lab.md, "Chaos DNS in a lab") and run `turbulence lab up` again',
    });
  }
  if (!lab.dns.api) {
    throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `the chaos DNS server of lab "${name}" is not serving`, {
      hint: '`turbulence lab status` shows why; `turbulence lab down` then `lab up` starts it again',
    });
  }
  return lab.dns.api.replace(/\/+$/, '');
}

async function reachable(api: string): Promise<Target> {
  const target: Target = {
    id: `dns-api:${api}`,
    type: 'dns-server',
    name: `chaos DNS server at ${api}`,
    attributes: { api },
  };
  try {
    const res = await call(target, 'GET', '/health');
    if (res.status === 200) return target;
    throw new Error(`GET /health answered ${res.status}`);
  } catch (err) {
    throw new TurbulenceError(
      ErrorCodes.TARGET_REFUSED,
      `no chaos DNS server answers at ${api}: ${errorMessage(err)}`,
      {
        hint: 'start one with `turbulence dns serve --listen ... --upstream ... --api 127.0.0.1:5380`',
        cause: err,
      },
    );
  }
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
