/** `turbulence dns rules list|add|remove|clear --api URL`: manage the rules of a running chaos DNS server. */
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import type { DnsRuleStatus } from '../../../dns/engine.js';
import { parseInteger, parseProbability } from '../../parse.js';

export interface ApiFlags {
  api: string;
}

interface AddFlags extends ApiFlags {
  action: string;
  id?: string;
  name?: string;
  type?: string[];
  client?: string[];
  transport?: string;
  probability?: string;
  count?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
/** The `--api` option every command against a running server takes. */
export const API = ['--api <url>', 'control API of the server (env TURBULENCE_DNS_API)'] as const;

export function registerRuleCommands(dns: Command): void {
  const rules = dns.command('rules').description('list, add and remove the rules of a running chaos DNS server');
  rules
    .command('list')
    .description('print every rule with its match and hit counts')
    .option(...API)
    .action(async (f: ApiFlags) => {
      const list = (await callDnsApi(f, 'GET', '/rules')) as DnsRuleStatus[];
      if (list.length === 0) return console.log('no rules');
      for (const r of list) console.log(describe(r));
    });
  rules
    .command('add')
    .description('add a rule (matching everything not narrowed by --name/--type/--client/--transport)')
    .requiredOption('--action <action>', 'e.g. truncate, nxdomain, "delay(200, 50)", "inflate(60)", tcp-refuse')
    .option('--id <id>', 'rule id (replaces a rule with the same id)')
    .option('--name <pattern>', 'exact name, *.wildcard or /regex/')
    .option('--type <type>', 'record type (repeatable)', collect)
    .option('--client <cidr>', 'client address or CIDR (repeatable)', collect)
    .option('--transport <t>', 'udp or tcp')
    .option('--probability <p>', 'chance 0..1 per matching query')
    .option('--count <n>', 'fire at most n times')
    .option(...API)
    .action(async (f: AddFlags) => {
      const rule: Record<string, unknown> = { action: f.action };
      if (f.name) rule.name = f.name;
      if (f.type) rule.type = f.type;
      if (f.client) rule.client = f.client;
      if (f.transport) rule.transport = f.transport;
      if (f.probability !== undefined) rule.probability = parseProbability('--probability', f.probability);
      if (f.count !== undefined) rule.count = parseInteger('--count', f.count, { min: 1 });
      const added = f.id
        ? ((await callDnsApi(f, 'PUT', `/rules/${encodeURIComponent(f.id)}`, rule)) as DnsRuleStatus)
        : ((await callDnsApi(f, 'POST', '/rules', rule)) as DnsRuleStatus);
      console.log(`added ${describe(added)}`);
    });
  rules
    .command('remove <id>')
    .description('remove one rule')
    .option(...API)
    .action(async (id: string, f: ApiFlags) => {
      await callDnsApi(f, 'DELETE', `/rules/${encodeURIComponent(id)}`);
      console.log(`removed ${id}`);
    });
  rules
    .command('clear')
    .description('remove every rule')
    .option(...API)
    .action(async (f: ApiFlags) => {
      await callDnsApi(f, 'DELETE', '/rules');
      console.log('removed every rule');
    });
}

function describe(r: DnsRuleStatus): string {
  const { type, ...params } = r.action;
  const args = Object.values(params)
    .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
    .join(', ');
  const match = [r.name ?? '*', r.type?.join('/'), r.client?.join(','), r.transport].filter(Boolean).join(' ');
  const odds = r.probability < 1 ? ` p=${r.probability}` : '';
  const count = r.count !== undefined ? ` count=${r.count}` : '';
  return `${r.id}: ${match} → ${type}${args ? `(${args})` : ''}${odds}${count} [matched ${r.matched}, hits ${r.hits}]`;
}

/** Calls the control API named by `--api` (or `TURBULENCE_DNS_API`); an error answer becomes a usage error. */
export async function callDnsApi(f: Partial<ApiFlags>, method: string, path: string, body?: unknown): Promise<unknown> {
  const api = (f.api ?? process.env.TURBULENCE_DNS_API)?.replace(/\/+$/, '');
  if (!api) {
    throw new TurbulenceError(ErrorCodes.USAGE, 'which server? pass --api URL', {
      hint: 'the URL `turbulence dns serve --api HOST:PORT` printed, e.g. http://127.0.0.1:5380',
    });
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (process.env.TURBULENCE_DNS_API_TOKEN) headers.authorization = `Bearer ${process.env.TURBULENCE_DNS_API_TOKEN}`;
  let res: Response;
  try {
    res = await fetch(`${api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `no chaos DNS server answers at ${api}`, { cause: err });
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as { error?: string; hint?: string; details?: string[] }) : undefined;
  if (res.ok) return json;
  const details = json?.details?.length ? `\n  ${json.details.join('\n  ')}` : '';
  throw new TurbulenceError(ErrorCodes.USAGE, `${json?.error ?? `HTTP ${res.status}`}${details}`, {
    ...(json?.hint ? { hint: json.hint } : {}),
  });
}
