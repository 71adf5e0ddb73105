/**
 * Traffic filters of the network kinds (`params.match`): which packets a fault acts on, by protocol, addresses and
 * ports, the way iptables (and Pumba's `iptables`/`netem` flags) name them. One definition, three renderings: nft
 * expressions (partition, loss), tc u32 clauses (bandwidth, latency with netem) and iptables arguments (latency with
 * NFQUEUE). Pure: no I/O.
 *
 *   match: { protocol: tcp, dstPorts: [80] }                     tcp packets to port 80
 *   match: [{ sources: [10.0.0.5] }, { dstPorts: [8080] }]       from 10.0.0.5, OR to port 8080 (any of the list)
 *
 * Fields of one match all hold together (AND); a list of matches is any of them (OR). Fields are packet fields, the
 * same in both directions: on what the target receives, `dstPorts` are its own ports; on what it sends, the
 * remote ones. `peers` (when the kind has them) narrow further. Ports without a protocol mean TCP and UDP.
 */
import { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([0-9]|[12]\d|3[0-2]))?$/;
const cidr = z.string().regex(IPV4, { message: 'an IPv4 address or CIDR, e.g. 10.0.0.5 or 10.0.0.0/24' });
const port = z.number().int().min(1).max(65535);

/** One traffic filter: every field given must hold. */
export const trafficMatchSchema = z
  .object({
    /** `tcp`, `udp` or `icmp`; absent: any (with ports: TCP and UDP). */
    protocol: z.enum(['tcp', 'udp', 'icmp']).optional(),
    /** Source addresses/CIDRs of the packet. */
    sources: z.array(cidr).min(1).optional(),
    /** Destination addresses/CIDRs of the packet. */
    destinations: z.array(cidr).min(1).optional(),
    /** Source ports of the packet (TCP/UDP). */
    srcPorts: z.array(port).min(1).optional(),
    /** Destination ports of the packet (TCP/UDP). */
    dstPorts: z.array(port).min(1).optional(),
  })
  .strict()
  .refine((m) => m.protocol !== 'icmp' || (m.srcPorts === undefined && m.dstPorts === undefined), {
    message: 'ports need protocol tcp or udp (or no protocol: both); icmp has no ports',
    path: ['protocol'],
  });
export type TrafficMatch = z.output<typeof trafficMatchSchema>;

/** `params.match`: one filter, or a list of filters of which any may match. Absent: all traffic. */
export const matchParam = z.union([trafficMatchSchema, z.array(trafficMatchSchema).min(1)]).optional();
export type MatchParam = z.output<typeof matchParam>;

/** The filters of a `match` param as a list (empty: all traffic). */
export const matchesOf = (m: MatchParam): TrafficMatch[] => (m === undefined ? [] : Array.isArray(m) ? m : [m]);

/** Most rules (or tc filters) one fault may expand its filters to. */
const MAX_EXPANSION = 64;

const PROTO_NUMBER = { tcp: 6, udp: 17, icmp: 1 } as const;

/** The protocols a match needs written out: its own, or TCP and UDP for ports without one, or none. */
const protocolsOf = (m: TrafficMatch): (keyof typeof PROTO_NUMBER | undefined)[] =>
  m.protocol ? [m.protocol] : m.srcPorts || m.dstPorts ? ['tcp', 'udp'] : [undefined];

/** Cartesian product of lists of argument groups. */
function product(groups: string[][][]): string[][] {
  let out: string[][] = [[]];
  for (const group of groups) out = out.flatMap((prefix) => group.map((g) => [...prefix, ...g]));
  if (out.length > MAX_EXPANSION) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_INVALID_PARAMS,
      `params.match expands to ${out.length} filters (at most ${MAX_EXPANSION})`,
      {
        location: { path: ['params', 'match'] },
        hint: 'fewer addresses or ports per match, or a CIDR that covers several addresses',
      },
    );
  }
  return out;
}

/**
 * nft expressions, one per filter (`['']` for all traffic), to put before a rule's verdict.
 *
 * @example
 * nftMatches({ protocol: 'tcp', dstPorts: [80, 443] }); // ['meta l4proto tcp th dport { 80, 443 } ']
 */
export function nftMatches(m: MatchParam): string[] {
  const list = matchesOf(m);
  if (list.length === 0) return [''];
  return list.map((x) => {
    const set = (v: readonly (string | number)[]): string => `{ ${v.join(', ')} }`;
    const protos = protocolsOf(x).filter((p) => p !== undefined);
    return [
      x.sources ? `ip saddr ${set(x.sources)} ` : '',
      x.destinations ? `ip daddr ${set(x.destinations)} ` : '',
      protos.length === 1 ? `meta l4proto ${protos[0]} ` : protos.length > 1 ? `meta l4proto ${set(protos)} ` : '',
      x.srcPorts ? `th sport ${set(x.srcPorts)} ` : '',
      x.dstPorts ? `th dport ${set(x.dstPorts)} ` : '',
    ].join('');
  });
}

/**
 * tc u32 selectors, one per expanded filter (`[]` for all traffic): each a list of `match ip ...` clauses.
 *
 * @example
 * u32Selectors({ protocol: 'tcp', srcPorts: [80] }); // [['match', 'ip', 'protocol', '6', '0xff', 'match', 'ip', 'sport', '80', '0xffff']]
 */
export function u32Selectors(m: MatchParam): string[][] {
  return matchesOf(m).flatMap((x) =>
    product([
      protocolsOf(x).map((p) => (p ? ['match', 'ip', 'protocol', String(PROTO_NUMBER[p]), '0xff'] : [])),
      (x.sources ?? ['']).map((a) => (a ? ['match', 'ip', 'src', a] : [])),
      (x.destinations ?? ['']).map((a) => (a ? ['match', 'ip', 'dst', a] : [])),
      (x.srcPorts ?? [0]).map((p) => (p ? ['match', 'ip', 'sport', String(p), '0xffff'] : [])),
      (x.dstPorts ?? [0]).map((p) => (p ? ['match', 'ip', 'dport', String(p), '0xffff'] : [])),
    ]),
  );
}

/**
 * iptables arguments, one list per expanded filter (`[[]]` for all traffic).
 *
 * @example
 * iptablesMatches({ dstPorts: [53] }); // [['-p', 'tcp', '--dport', '53'], ['-p', 'udp', '--dport', '53']]
 */
export function iptablesMatches(m: MatchParam): string[][] {
  const list = matchesOf(m);
  if (list.length === 0) return [[]];
  return list.flatMap((x) =>
    product([
      protocolsOf(x).map((p) => (p ? ['-p', p] : [])),
      (x.sources ?? ['']).map((a) => (a ? ['-s', a] : [])),
      (x.destinations ?? ['']).map((a) => (a ? ['-d', a] : [])),
      (x.srcPorts ?? [0]).map((p) => (p ? ['--sport', String(p)] : [])),
      (x.dstPorts ?? [0]).map((p) => (p ? ['--dport', String(p)] : [])),
    ]),
  );
}
