/**
 * A small DNS client: one query over UDP, over TCP, or the RFC 7766 way (UDP first, TCP again when the answer is
 * truncated). Used by the `dns` probe, the tests, the truncation example and the benchmark.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { RecordType } from 'dns-packet';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { tcpExchange } from './tcp-frame.js';
import { decodeMessage, encodeMessage, isTruncated, rcodeName, rcodeOf, type DnsMessage } from './wire.js';

/** How to send a query: `udp` only (gives up on TC), `tcp` only, or `auto` (UDP, then TCP on TC). */
export type DnsClientTransport = 'udp' | 'tcp' | 'auto';

/** Options of {@link dnsQuery}. */
export interface DnsQueryOptions {
  /** The server: `127.0.0.1:5353`. */
  server: string | HostPort;
  name: string;
  /** Record type, default `A`. */
  type?: string;
  /** Default `auto` (RFC 7766). */
  transport?: DnsClientTransport;
  /** Milliseconds per attempt, default 2000. */
  timeoutMs?: number;
  /** Advertise this EDNS(0) UDP payload size; default none (classic 512-byte limit). */
  edns?: number;
  signal?: AbortSignal;
}

/** One answer record, JSON-friendly. */
export interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  data: unknown;
}

/** The outcome of {@link dnsQuery}. */
export interface DnsQueryResult {
  server: string;
  name: string;
  type: string;
  rcode: string;
  /** True when a UDP answer came back truncated (TC bit), whether or not TCP was tried next. */
  tc: boolean;
  /** Transport of the answer returned. */
  transport: 'udp' | 'tcp';
  answers: DnsRecord[];
  /** The A/AAAA addresses among the answers. */
  addresses: string[];
  latency_ms: number;
}

/**
 * Sends one query and returns the answer. Throws `TURB_ERR_TIMEOUT` when the server does not answer in time,
 * `TURB_ERR_UNAVAILABLE` when the TCP connection fails.
 *
 * @example
 * const r = await dnsQuery({ server: '127.0.0.1:5354', name: 'svc.test', transport: 'udp' });
 * if (r.tc) console.log('truncated, and a UDP-only client gives up here');
 */
export async function dnsQuery(options: DnsQueryOptions): Promise<DnsQueryResult> {
  const server = parseHostPort(options.server, 53, 'server');
  const type = (options.type ?? 'A').toUpperCase();
  const transport = options.transport ?? 'auto';
  const timeoutMs = options.timeoutMs ?? 2000;
  const id = randomInt(65536);
  const query = encodeMessage({
    type: 'query',
    id,
    flags: 0x0100,
    questions: [{ name: options.name, type: type as RecordType, class: 'IN' }],
    additionals: options.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: options.edns } as never] : [],
  });
  const started = performance.now();
  let tc = false;
  let reply: DnsMessage;
  let used: 'udp' | 'tcp' = transport === 'tcp' ? 'tcp' : 'udp';
  if (used === 'udp') {
    reply = await udpExchange(server, query, id, timeoutMs, options.signal);
    tc = isTruncated(reply);
    if (tc && transport === 'auto') used = 'tcp';
  }
  if (used === 'tcp') {
    const bytes = await tcpExchange(server.host, server.port, query, timeoutMs, options.signal).catch((err: Error) => {
      throw failure(err, server, timeoutMs);
    });
    reply = decodeMessage(bytes);
  }
  return summarize(server, options.name, type, reply!, tc, used, performance.now() - started);
}

function summarize(
  server: HostPort,
  name: string,
  type: string,
  reply: DnsMessage,
  tc: boolean,
  transport: 'udp' | 'tcp',
  ms: number,
): DnsQueryResult {
  const answers = (reply.answers ?? []).map((a) => ({
    name: a.name,
    type: a.type,
    ttl: 'ttl' in a ? (a.ttl ?? 0) : 0,
    data: jsonData('data' in a ? a.data : undefined),
  }));
  return {
    server: formatHostPort(server),
    name,
    type,
    rcode: rcodeName(rcodeOf(reply)),
    tc,
    transport,
    answers,
    addresses: answers.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => String(a.data)),
    latency_ms: Math.round(ms * 1000) / 1000,
  };
}

function jsonData(data: unknown): unknown {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return data.map(jsonData);
  if (data && typeof data === 'object') {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, jsonData(v)]));
  }
  return data;
}

function udpExchange(
  server: HostPort,
  query: Buffer,
  id: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<DnsMessage> {
  const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
  return new Promise<DnsMessage>((resolve, reject) => {
    const done = (err: Error | undefined, msg?: DnsMessage) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.close();
      if (err) reject(err);
      else resolve(msg as DnsMessage);
    };
    const onAbort = () => done(new TurbulenceError(ErrorCodes.INTERRUPTED, 'DNS query aborted'));
    const timer = setTimeout(() => done(timeout(server, timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => done(failure(err, server, timeoutMs)));
    socket.on('message', (msg) => {
      if (msg.length < 12 || msg.readUInt16BE(0) !== id) return; // not ours: keep waiting, as resolvers do
      try {
        done(undefined, decodeMessage(msg));
      } catch (err) {
        done(failure(err as Error, server, timeoutMs));
      }
    });
    socket.send(query, server.port, server.host);
  });
}

function timeout(server: HostPort, ms: number): TurbulenceError {
  return new TurbulenceError(ErrorCodes.TIMEOUT, `no DNS answer from ${formatHostPort(server)} within ${ms} ms`);
}

function failure(err: Error, server: HostPort, ms: number): TurbulenceError {
  if (err instanceof TurbulenceError) return err;
  if (/within \d+ ms/.test(err.message)) return timeout(server, ms);
  return new TurbulenceError(ErrorCodes.UNAVAILABLE, `DNS query to ${formatHostPort(server)} failed: ${err.message}`, {
    cause: err,
  });
}
