/**
 * DNS fault rules: which queries (name, type, client, transport) get which action, how often (probability) and
 * how many times (count). Rules are plain JSON, as written in a rules file, sent to the control API or given as
 * the params of a `dns.rule` fault.
 *
 * @example
 * parseRule({ name: '*.svc.test', type: 'A', action: 'delay(200, 50)', probability: 0.5 });
 */
import { BlockList, isIP } from 'node:net';
import { RE2JS } from 're2js';
import { z } from 'zod';
import { ErrorCodes, TurbulenceError, errorMessage, type ErrorLocation } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import type { DnsTransport } from './action.js';
import { dnsActions, getDnsAction } from './actions/index.js';

/** An action as written: `"nxdomain"`, `"delay(200, 50)"` or `{ "type": "delay", "ms": 200, "jitter": 50 }`. */
export type DnsActionInput = string | ({ type: string } & Record<string, unknown>);

/** A rule as users write it. */
export interface DnsRuleInput {
  /** Stable id (letters, digits, `.`, `_`, `-`); assigned when absent. */
  id?: string;
  /** `api.svc.test` (exact, case-insensitive), `*.svc.test` (any subdomain), `/^api-\d+\./` (regex); absent: any. */
  name?: string;
  /** Query type(s): `A`, `["A", "AAAA"]`; absent: any. */
  type?: string | string[];
  /** Client address(es) or CIDR(s): `127.0.0.5`, `10.0.0.0/8`; absent: any. */
  client?: string | string[];
  /** Only queries over this transport; absent: both. */
  transport?: DnsTransport;
  action: DnsActionInput;
  /** Chance (0..1) that a matching query fires the rule, drawn from the rule's seeded RNG. Default 1. */
  probability?: number;
  /** Fire at most this many times. */
  count?: number;
}

/** A validated rule: lists normalised, the action always an object with defaults applied. */
export interface DnsRule {
  id: string;
  name?: string;
  type?: string[];
  client?: string[];
  transport?: DnsTransport;
  action: { type: string } & JsonObject;
  probability: number;
  count?: number;
}

/** What a rule matches against. */
export interface DnsQueryFacts {
  name: string;
  type: string;
  client: string;
  transport: DnsTransport;
}

// Empty, as parseRule leaves a rule without an id, means "assign one": a parsed rule parses again (rules files).
const ID = /^[A-Za-z0-9._-]{0,64}$/;
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const ruleSchema = z
  .object({
    id: z.string().regex(ID, 'use 1-64 letters, digits, ".", "_" or "-"').optional(),
    name: z.string().min(1).max(512).optional(),
    type: oneOrMany.optional(),
    client: oneOrMany.optional(),
    transport: z.enum(['udp', 'tcp']).optional(),
    action: z.union([z.string().min(1), z.looseObject({ type: z.string().min(1) })]),
    probability: z.number().min(0).max(1).default(1),
    count: z.number().int().min(1).optional(),
  })
  .strict();

/**
 * Validates a rule and normalises it. Throws a `TURB_ERR_FAULT_INVALID_PARAMS` error listing every problem with
 * its key path (below `at`).
 */
export function parseRule(input: unknown, at: ErrorLocation = {}): DnsRule {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues, at);
  const r = parsed.data;
  const rule: DnsRule = { id: r.id ?? '', action: parseAction(r.action, at), probability: r.probability };
  if (r.name !== undefined) rule.name = checkName(r.name, at);
  if (r.type !== undefined) rule.type = list(r.type).map((t) => t.toUpperCase());
  if (r.client !== undefined) rule.client = checkClients(list(r.client), at);
  if (r.transport !== undefined) rule.transport = r.transport;
  if (r.count !== undefined) rule.count = r.count;
  return rule;
}

/** Parses `"delay(200, 50)"` or an action object into `{ type, ...params }` with defaults applied. */
export function parseAction(input: DnsActionInput, at: ErrorLocation = {}): { type: string } & JsonObject {
  const path = [...(at.path ?? []), 'action'];
  const obj = typeof input === 'string' ? shorthand(input, { ...at, path }) : input;
  const def = getDnsAction(obj.type);
  if (!def) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `unknown DNS action ${JSON.stringify(obj.type)}`, {
      location: { ...at, path },
      hint: `use one of ${dnsActions.map((a) => a.type).join(', ')}`,
    });
  }
  const { type: _type, ...rest } = obj;
  const params = def.params.safeParse(rest);
  if (!params.success) throw invalid(params.error.issues, { ...at, path });
  return { type: def.type, ...(params.data as JsonObject) };
}

/**
 * A predicate for the rule's match conditions (everything except probability and count).
 */
export function compileMatcher(rule: DnsRule): (q: DnsQueryFacts) => boolean {
  const name = rule.name === undefined ? () => true : nameMatcher(rule.name);
  const types = rule.type && !rule.type.includes('ANY') ? new Set(rule.type) : undefined;
  const clients = rule.client ? blockList(rule.client) : undefined;
  return (q) =>
    (rule.transport === undefined || rule.transport === q.transport) &&
    (types === undefined || types.has(q.type)) &&
    name(q.name) &&
    (clients === undefined || clientMatches(clients, q.client));
}

function nameMatcher(pattern: string): (name: string) => boolean {
  const norm = (n: string) => n.replace(/\.$/, '').toLowerCase();
  if (pattern === '*') return () => true;
  const re = regexOf(pattern);
  if (re) return (n) => re(norm(n));
  const p = norm(pattern);
  if (p.startsWith('*.')) {
    const suffix = p.slice(1);
    return (n) => norm(n).endsWith(suffix);
  }
  return (n) => norm(n) === p;
}

/**
 * A `/pattern/flags` name as a matcher on RE2 (`re2js`): matching takes time linear in the name, so no rule can
 * stall the server by backtracking (`/(a+)+$/` is fine). Flags: `i`, `s`, `m` (`g`, `y`, `u` are ignored).
 * Throws on syntax RE2 does not have (backreferences, lookaround) and on bad syntax.
 */
function regexOf(pattern: string): ((name: string) => boolean) | undefined {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (!m) return undefined;
  let flags = 0;
  for (const f of m[2] as string) {
    if (f === 'i') flags |= RE2JS.CASE_INSENSITIVE;
    else if (f === 's') flags |= RE2JS.DOTALL;
    else if (f === 'm') flags |= RE2JS.MULTILINE;
    else if (!'guy'.includes(f)) throw new Error(`unknown flag ${f}`);
  }
  const re = RE2JS.compile(m[1] as string, flags);
  return (name) => re.matcher(name).find();
}

function checkName(name: string, at: ErrorLocation): string {
  try {
    regexOf(name);
  } catch (err) {
    const unsupported = /unsupported Perl syntax/.test(errorMessage(err)) || /\(\?<?[=!]|\\[1-9]/.test(name); // lookaround, backreference
    throw new TurbulenceError(
      ErrorCodes.FAULT_INVALID_PARAMS,
      unsupported
        ? `name ${name} uses regex syntax the linear-time engine (RE2) does not support: ${errorMessage(err)}`
        : `name ${name} is not a valid regular expression: ${errorMessage(err)}`,
      {
        location: { ...at, path: [...(at.path ?? []), 'name'] },
        hint: unsupported
          ? 'rules match names with RE2, which has no backreferences (\\1) or lookaround ((?=, (?!, (?<=, (?<!); rewrite without them, or use *.suffix'
          : 'write /pattern/flags with an RE2 regular expression (flags i, s, m); see docs/dns.md',
        cause: err,
      },
    );
  }
  return name;
}

function checkClients(clients: string[], at: ErrorLocation): string[] {
  try {
    blockList(clients);
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, (err as Error).message, {
      location: { ...at, path: [...(at.path ?? []), 'client'] },
      hint: 'write an address (127.0.0.5) or a CIDR (127.0.0.0/8, ::1/128)',
    });
  }
  return clients;
}

function blockList(clients: string[]): BlockList {
  const bl = new BlockList();
  for (const c of clients) {
    const [addr = '', bits] = c.split('/');
    const family = isIP(addr);
    if (family === 0) throw new Error(`client ${JSON.stringify(c)} is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) bl.addAddress(addr, type);
    else if (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)) bl.addSubnet(addr, Number(bits), type);
    else throw new Error(`client ${JSON.stringify(c)} has an invalid prefix length`);
  }
  return bl;
}

function clientMatches(bl: BlockList, address: string): boolean {
  const v4 = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(v4);
  return family !== 0 && bl.check(v4, family === 4 ? 'ipv4' : 'ipv6');
}

function shorthand(text: string, at: ErrorLocation): { type: string } & Record<string, unknown> {
  const m = /^\s*([a-z][a-z0-9-]*)\s*(?:\((.*)\))?\s*$/i.exec(text);
  const def = m ? getDnsAction((m[1] as string).toLowerCase()) : undefined;
  if (!m || !def) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `action ${JSON.stringify(text)} is not valid`, {
      location: at,
      hint: `write e.g. "nxdomain", "delay(200, 50)" or "inflate(60)"; actions: ${dnsActions.map((a) => a.type).join(', ')}`,
    });
  }
  const args = m[2]?.trim() ? m[2].split(',').map((s) => s.trim()) : [];
  const names = def.positional ?? [];
  if (args.length > names.length) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `action ${def.type} takes ${names.length} arguments`, {
      location: at,
      hint: names.length ? `write ${def.type}(${names.join(', ')})` : `write ${def.type}`,
    });
  }
  const out: { type: string } & Record<string, unknown> = { type: def.type };
  args.forEach((a, i) => (out[names[i] as string] = /^-?\d+(\.\d+)?$/.test(a) ? Number(a) : a));
  return out;
}

function list(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

function invalid(issues: readonly z.core.$ZodIssue[], at: ErrorLocation): TurbulenceError {
  const details = issues.map(
    (i) =>
      new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, i.message, {
        location: { ...at, path: [...(at.path ?? []), ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] },
      }),
  );
  const first = details[0];
  const where = first?.location?.path?.length ? ` (${first.format()})` : first ? `: ${first.message}` : '';
  return new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, `invalid DNS rule${where}`, {
    location: at,
    details,
    hint: 'see docs/dns.md for the rule format',
  });
}
