/**
 * The lab file: hosts (name, address), an optional subnet, and services per host. Parsed from YAML with the
 * position of every node, so each validation error points at `file:line:col`.
 *
 * ```yaml
 * name: etcd
 * subnet: 10.77.0.0/24        # optional; a private /24 that exists only inside the lab's namespaces
 * hostAccess: true            # optional; give this machine an address (.1) on the lab bridge
 * hosts:
 *   - name: n1
 *     address: 10.77.0.11     # optional; assigned from the subnet in order otherwise
 *     services:
 *       - name: etcd
 *         command: [etcd, --name, n1]
 *         ready: { tcp: 2379, timeout: 10s }
 *         restart: on-failure
 * dns:                        # optional; every host resolves through a chaos DNS server (needs hostAccess)
 *   upstream: 10.77.0.11:53   # optional; a lab host name or HOST:PORT; default this machine's resolver
 *   api: 127.0.0.1:5380       # optional; the control API (default: a free loopback port, see `lab status`)
 *   rules: [{ name: db.example.test, action: nxdomain }]
 * ```
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { parseRule } from '../dns/rule.js';

const NAME = /^[a-z][a-z0-9-]{0,14}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** `PORT`, `:PORT`, `ADDRESS:PORT` or `[IPV6]:PORT`: passed to the probe as arguments, never through a shell. */
const TCP_TARGET = /^(?:(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])?:)?[1-9]\d{0,4}$/;

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** How `up` decides a service is ready. Exactly one of tcp, http, exec. */
export const ReadySchema = z
  .object({
    /** A port on the host's own address (or `address:port`) that accepts TCP connections. */
    tcp: z
      .union([
        z.number().int().min(1).max(65535),
        z.string().regex(TCP_TARGET, 'a port, or ADDRESS:PORT with an IP address or host name'),
      ])
      .refine((v) => typeof v === 'number' || Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, {
        message: 'the port must be at most 65535',
      })
      .optional(),
    /** A URL fetched from inside the host; any 2xx answer is ready. */
    http: z.string().url().optional(),
    /** A shell command run inside the host; exit 0 is ready. */
    exec: z.string().optional(),
    timeout: duration.default(30_000),
    interval: duration.default(200),
  })
  .strict()
  .refine((r) => [r.tcp, r.http, r.exec].filter((x) => x !== undefined).length === 1, {
    message: 'a readiness probe needs exactly one of tcp, http, exec',
  });

export const ServiceSchema = z
  .object({
    name: z.string().regex(NAME, 'service names are lower-case letters, digits and dashes'),
    /** argv array, or a string run by `/bin/sh -c`. */
    command: z.union([z.array(z.string()).min(1), z.string().min(1)]),
    env: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({}),
    /** Working directory; default: the host's own directory (`<lab dir>/hosts/<host>`), fresh on every `up`. */
    cwd: z.string().optional(),
    ready: ReadySchema.optional(),
    restart: z.enum(['never', 'on-failure', 'always']).default('never'),
    /** Start under libfaketime with a clock file, so `time.skew` can move this service's wall clock. */
    faketime: z.boolean().default(false),
    /** Time to wait after SIGTERM before SIGKILL when the lab goes down. */
    stopTimeout: duration.default(10_000),
    /** Wait before the first restart (doubling on each further restart, at most 4×). */
    restartDelay: duration.default(500),
  })
  .strict();

export const HostSchema = z
  .object({
    name: z.string().regex(NAME, 'host names are lower-case letters, digits and dashes, at most 15 characters'),
    address: z.string().regex(IPV4, 'an IPv4 address like 10.77.0.11').optional(),
    /** With a lab `dns:` block: false keeps this machine's resolv.conf here (e.g. on the host running the upstream). */
    dns: z.boolean().default(true),
    services: z.array(ServiceSchema).default([]),
  })
  .strict();

/** A rule as the chaos DNS server takes it, validated with the same parser. */
const DnsRuleInputSchema = z.unknown().superRefine((value, ctx) => {
  try {
    parseRule(value);
  } catch (err) {
    const e = err as TurbulenceError;
    for (const d of e.details?.length ? e.details : [e]) {
      ctx.addIssue({ code: 'custom', message: d.message, path: [...(d.location?.path ?? [])] });
    }
  }
});

/**
 * Chaos DNS for the whole lab: a server on the gateway address (`<subnet>.1:53`), run by the lab's supervisor, and
 * a `/etc/netns/<ns>/resolv.conf` naming it in every host.
 */
export const LabDnsSchema = z
  .object({
    /** The real resolver: `HOST:PORT`, a bare IP (port 53) or a lab host name (its address, port 53 or `:PORT`). */
    upstream: z.string().min(1).optional(),
    /** Where the control API listens (`HOST:PORT` on this machine); default a free port on 127.0.0.1. */
    api: z.string().min(1).optional(),
    /** Bearer token of the control API; needed when `api` is not on loopback. */
    apiToken: z.string().min(1).optional(),
    /** Rules the server starts with (the `dns.rule` format). */
    rules: z.array(DnsRuleInputSchema).default([]),
    /** Seed of the rules' coin flips; default a fresh one, recorded in the lab state. */
    seed: z.number().int().min(0).optional(),
  })
  .strict();

export const LabSchema = z
  .object({
    name: z.string().regex(NAME, 'lab names are lower-case letters, digits and dashes, at most 15 characters'),
    subnet: z
      .string()
      .regex(/^(\d{1,3}\.){3}0\/24$/, 'a /24 like 10.77.0.0/24')
      .default('10.77.0.0/24'),
    hostAccess: z.boolean().default(false),
    dns: LabDnsSchema.optional(),
    hosts: z.array(HostSchema).min(1),
  })
  .strict()
  .superRefine((lab, ctx) => {
    if (lab.dns && !lab.hostAccess) {
      ctx.addIssue({
        code: 'custom',
        path: ['dns'],
        message: 'dns needs hostAccess: true (the chaos DNS server listens on the gateway address .1 of the lab)',
      });
    }
    const upstream = lab.dns?.upstream;
    if (upstream !== undefined && !validUpstream(upstream, lab.hosts)) {
      ctx.addIssue({
        code: 'custom',
        path: ['dns', 'upstream'],
        message: `upstream ${JSON.stringify(upstream)} is neither HOST:PORT with an IP address nor a lab host name`,
      });
    }
    const prefix = lab.subnet.replace(/\.0\/24$/, '.');
    const seen = new Map<string, number>();
    lab.hosts.forEach((h, i) => {
      if (seen.has(h.name)) {
        ctx.addIssue({ code: 'custom', path: ['hosts', i, 'name'], message: `host "${h.name}" is declared twice` });
      }
      seen.set(h.name, i);
      if (h.address && !h.address.startsWith(prefix)) {
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', i, 'address'],
          message: `${h.address} is not in ${lab.subnet}`,
        });
      }
      const names = new Set<string>();
      h.services.forEach((s, j) => {
        if (names.has(s.name)) {
          const path = ['hosts', i, 'services', j, 'name'];
          ctx.addIssue({ code: 'custom', path, message: `service "${s.name}" is declared twice on ${h.name}` });
        }
        names.add(s.name);
      });
    });
  });

/** `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`, `n1`, `n1:5353` where n1 is a lab host. */
function validUpstream(text: string, hosts: readonly { name: string }[]): boolean {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m || Number(m[2] ?? 53) > 65535) return false;
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 || hosts.some((h) => h.name === host);
}

export type LabSpec = z.output<typeof LabSchema>;
export type LabDnsSpec = z.output<typeof LabDnsSchema>;
export type HostSpec = z.output<typeof HostSchema>;
export type ServiceSpec = z.output<typeof ServiceSchema>;
export type ReadySpec = z.output<typeof ReadySchema>;

/**
 * Parses and validates a lab document. Every problem is reported with its line and column.
 *
 * @example
 * const lab = parseLabSpec(readFileSync('lab.yaml', 'utf8'), 'lab.yaml');
 */
export function parseLabSpec(text: string, file = '<lab>'): LabSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0] as (typeof doc.errors)[number];
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `invalid YAML: ${e.message.split('\n')[0]}`, {
      location: { file, ...at(e.pos[0]) },
    });
  }
  const result = LabSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const node = nearestNode(doc, path);
    return new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, issue.message, {
      location: { file, ...at(node), path },
    });
  });
  const first = details[0] as TurbulenceError;
  throw new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, `invalid lab file: ${first.message}`, {
    location: first.location,
    hint: 'see docs/lab.md for the lab file format',
    details: details.slice(1),
  });
}

/** Start offset of the deepest YAML node that exists along `path`. */
function nearestNode(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

/** Reads and validates a lab file. */
export function loadLabFile(path: string): LabSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `cannot read lab file ${path}`, {
      cause: err,
      hint: 'check the path',
    });
  }
  return parseLabSpec(text, path);
}

/** Each host's address: the declared one, else the next free one from .11 upward. */
export function assignAddresses(lab: LabSpec): Map<string, string> {
  const prefix = lab.subnet.replace(/\.0\/24$/, '.');
  const taken = new Set(lab.hosts.map((h) => h.address).filter(Boolean));
  const out = new Map<string, string>();
  let next = 11;
  for (const h of lab.hosts) {
    if (h.address) {
      out.set(h.name, h.address);
      continue;
    }
    while (taken.has(`${prefix}${next}`)) next++;
    out.set(h.name, `${prefix}${next}`);
    taken.add(`${prefix}${next}`);
  }
  return out;
}
