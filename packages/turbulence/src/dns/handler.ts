/**
 * What happens to one query, from raw bytes in to raw bytes (or silence, or a reset) out. Transport-free, so the
 * UDP and TCP listeners share it and tests can call it directly.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../core/errors.js';
import type { DnsExchange, DnsTransport } from './action.js';
import { cacheKey, type DnsCache } from './cache.js';
import { HELD_QUERY_OVERHEAD, type DelayGate } from './delay-gate.js';
import type { RuleEngine, FiredRule } from './engine.js';
import { peekQuery } from './peek.js';
import {
  Rcode,
  decodeMessage,
  ednsOf,
  encodeForUdp,
  encodeMessage,
  rawErrorReply,
  rcodeName,
  replyTo,
  truncateMessage,
  udpLimit,
  type DnsMessage,
} from './wire.js';

/** What the handler needs around it. */
export interface HandlerDeps {
  engine: RuleEngine;
  upstream: { query(query: Buffer, overTcp: boolean): Promise<Buffer> };
  /** Our EDNS(0) UDP payload ceiling (RFC 6891); clients advertising more get this much. */
  maxUdpPayload: number;
  /** The answer cache, when enabled: asked after the rules, filled with the upstream's answers. */
  cache?: DnsCache | undefined;
  /** Bound on the queries `delay` rules hold at once; past it a delayed query is dropped. */
  delays?: DelayGate | undefined;
}

/** The fate of one query. */
export type QueryOutcome = { kind: 'reply'; bytes: Buffer } | { kind: 'drop' } | { kind: 'reset' };

/** One query, as the server reports it (event `query`). */
export interface DnsQueryEvent {
  client: { address: string; port: number };
  transport: DnsTransport;
  name?: string;
  type?: string;
  /** Ids of the rules that fired. */
  rules: string[];
  outcome: 'answered' | 'dropped' | 'reset';
  rcode?: string;
  /** The TC bit of the answer. */
  tc?: boolean;
  /** Answer size in bytes. */
  size?: number;
  /** True when the upstream's answer came from the cache (rules still applied to it). */
  cached?: boolean;
  latencyMs: number;
  /** Why a query was refused, dropped or failed (malformed input, upstream timeout). */
  error?: string;
}

const TCP_MAX = 65535;

/**
 * Handles one raw query. Never throws: malformed input is answered FORMERR or dropped. `fired`: the rules the
 * caller already fired for this query (their coin flips and counts are spent), instead of firing them here.
 */
export async function handleQuery(
  buf: Buffer,
  transport: DnsTransport,
  client: { address: string; port: number },
  deps: HandlerDeps,
  fired?: FiredRule[],
): Promise<{ outcome: QueryOutcome; event: DnsQueryEvent }> {
  const started = performance.now();
  const event: DnsQueryEvent = { client, transport, rules: [], outcome: 'dropped', latencyMs: 0 };
  const outcome = await decide(buf, transport, client, deps, event, fired).catch((err: unknown): QueryOutcome => {
    event.error = `internal: ${errorMessage(err)}`;
    const bytes = rawErrorReply(buf, Rcode.SERVFAIL);
    return bytes ? { kind: 'reply', bytes } : { kind: 'drop' };
  });
  event.latencyMs = performance.now() - started;
  if (outcome.kind === 'reply') {
    const flags = outcome.bytes.readUInt16BE(2);
    Object.assign(event, {
      outcome: 'answered',
      rcode: rcodeName(flags & 0xf),
      tc: (flags & 0x200) !== 0,
      size: outcome.bytes.length,
    });
  } else event.outcome = outcome.kind === 'reset' ? 'reset' : 'dropped';
  return { outcome, event };
}

async function decide(
  buf: Buffer,
  transport: DnsTransport,
  client: { address: string; port: number },
  deps: HandlerDeps,
  event: DnsQueryEvent,
  preFired: FiredRule[] | undefined,
): Promise<QueryOutcome> {
  const parsed = parse(buf, event);
  if ('kind' in parsed) return parsed;
  const { name, type, query } = parsed;
  Object.assign(event, { name, type });
  const fired =
    preFired ?? (deps.engine.empty ? [] : deps.engine.fire({ name, type, client: client.address, transport }));
  event.rules = fired.map((f) => f.rule.id);
  const ex: DnsExchange = {
    get query() {
      return query();
    },
    name,
    type,
    transport,
    client,
    response: undefined,
    delayMs: 0,
    drop: false,
    resetTcp: false,
  };
  for (const f of fired) f.action.before?.(ex, f.params, f.rng);
  if (ex.drop) return { kind: 'drop' };
  if (ex.resetTcp) return { kind: 'reset' };
  const limit = transport === 'udp' ? udpLimit(parsed.edns, deps.maxUdpPayload) : TCP_MAX;
  const bytes = await answer(buf, ex, limit, fired, deps, event);
  if (ex.delayMs > 0) {
    const cost = bytes.length + buf.length + HELD_QUERY_OVERHEAD;
    if (deps.delays && !deps.delays.tryHold(cost)) {
      event.error = `delay queue full (${deps.delays.maxQueries} queries / ${deps.delays.maxBytes} bytes): dropped`;
      return { kind: 'drop' };
    }
    try {
      await sleep(ex.delayMs);
    } finally {
      deps.delays?.release(cost);
    }
  }
  return { kind: 'reply', bytes };
}

/** A query we can serve: name and type, its EDNS(0) size, and the full message (decoded on first use). */
interface Parsed {
  name: string;
  type: string;
  edns: number | undefined;
  query: () => DnsMessage;
}

function parse(buf: Buffer, event: DnsQueryEvent): Parsed | QueryOutcome {
  const formerr = (why: string): QueryOutcome => {
    event.error = why;
    const bytes = rawErrorReply(buf, Rcode.FORMERR);
    return bytes ? { kind: 'reply', bytes } : { kind: 'drop' };
  };
  if (buf.length < 12) return formerr('shorter than a DNS header');
  if (buf.readUInt16BE(2) & 0x8000) return formerr('not a query (QR bit set)');
  const opcode = (buf.readUInt16BE(2) >> 11) & 0xf;
  if (opcode !== 0) {
    event.error = `opcode ${opcode} not implemented`;
    return { kind: 'reply', bytes: rawErrorReply(buf, Rcode.NOTIMP) as Buffer };
  }
  const peek = peekQuery(buf);
  if (peek) {
    let decoded: DnsMessage | undefined;
    return { ...peek, edns: peek.edns, query: () => (decoded ??= decodeMessage(buf)) };
  }
  let query: DnsMessage;
  try {
    query = decodeMessage(buf);
  } catch (err) {
    return formerr(`malformed: ${errorMessage(err)}`);
  }
  const q = query.questions ?? [];
  if (q.length !== 1 || !q[0]) return formerr(`${q.length} questions (exactly 1 supported)`);
  const opt = ednsOf(query);
  return { name: q[0].name, type: String(q[0].type).toUpperCase(), edns: opt?.udpPayloadSize, query: () => query };
}

async function answer(
  buf: Buffer,
  ex: DnsExchange,
  limit: number,
  fired: FiredRule[],
  deps: HandlerDeps,
  event: DnsQueryEvent,
): Promise<Buffer> {
  let msg = ex.response;
  let raw: Buffer | undefined;
  if (!msg) {
    const q = deps.cache ? cacheKey(buf) : undefined;
    if (q) raw = deps.cache?.get(q, buf, limit);
    else deps.cache?.bypass();
    if (raw) event.cached = true;
    else {
      try {
        raw = await deps.upstream.query(buf, ex.transport === 'tcp');
        if (q) deps.cache?.put(q, raw);
      } catch (err) {
        event.error = errorMessage(err);
        msg = replyTo(ex.query, Rcode.SERVFAIL);
      }
    }
  }
  const rewrites = fired.filter((f) => f.action.after !== undefined);
  if (raw && rewrites.length === 0 && raw.length <= limit) return raw;
  if (!msg) msg = decodeMessage(raw as Buffer);
  for (const f of rewrites) f.action.after?.(ex, msg, f.params, f.rng);
  msg.type = 'response';
  msg.id = buf.readUInt16BE(0);
  if (ex.transport === 'udp') return encodeForUdp(msg, limit);
  const full = encodeMessage(msg);
  if (full.length <= TCP_MAX) return full;
  truncateMessage(msg);
  return encodeMessage(msg);
}

/** An upstream answer made to fit a UDP client's limit: as is when it fits, else truncated (TC, records stripped). */
export function fitUdp(answer: Buffer, limit: number): Buffer {
  if (answer.length <= limit) return answer;
  const msg = decodeMessage(answer);
  return encodeForUdp(msg, limit);
}

/** SERVFAIL for a query the upstream did not answer (question and OPT echoed); undefined when undecodable. */
export function servfailReply(query: Buffer): Buffer | undefined {
  try {
    return encodeMessage(replyTo(decodeMessage(query), Rcode.SERVFAIL));
  } catch {
    return rawErrorReply(query, Rcode.SERVFAIL);
  }
}
