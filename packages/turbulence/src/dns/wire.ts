/**
 * DNS wire format: decoding and encoding through `dns-packet`, plus what a forwarding server needs on top of it:
 * name compression on encode (dns-packet writes every name in full, which would make our answers larger than the
 * upstream's and truncate them where a real server would not), error replies built from raw bytes, and the
 * RFC 1035 / RFC 6891 UDP size limit with truncation.
 */
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';

/** A decoded DNS message (query or response). `flags` holds opcode, AA..CD and rcode bits, not QR. */
export type DnsMessage = Packet & Partial<Pick<DecodedPacket, 'flag_tc' | 'flag_rd'>> & { rcode?: string };
export type { Answer, Question };

interface Encoder<T> {
  encode: ((value: T, buf: Buffer, offset: number) => unknown) & { bytes: number };
  encodingLength(value: T): number;
}
const raw = dnsPacket as unknown as {
  question: Encoder<Question>;
  answer: Encoder<Answer>;
  name: { encodingLength(name: string): number };
};

/** The rcodes turbulence sets, by name. */
export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof Rcode;

const QR = 0x8000;
/** The TC (truncated) header flag. */
export const TC = dnsPacket.TRUNCATED_RESPONSE;
const HEADER = 12;
/** RFC 1035 §4.2.1: UDP messages without EDNS(0) are at most 512 bytes. */
export const CLASSIC_UDP_LIMIT = 512;

/** Decodes a message; throws on malformed input. */
export function decodeMessage(buf: Buffer): DnsMessage {
  return dnsPacket.decode(buf);
}

/** The numeric rcode of a decoded message. */
export function rcodeOf(msg: DnsMessage): number {
  return (msg.flags ?? 0) & 0xf;
}

const RCODE_NAMES = Object.keys(Rcode);

/** The rcode's name (`NXDOMAIN`), or `RCODE_n` for the ones we do not name. */
export function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE_${code}`;
}

/** True when the TC (truncated) bit is set. */
export function isTruncated(msg: DnsMessage): boolean {
  return ((msg.flags ?? 0) & TC) !== 0;
}

/**
 * A response to `query` with the given rcode and (by default) no records; the question, RD bit, opcode and OPT
 * record are echoed, so EDNS-aware clients accept it.
 */
export function replyTo(query: DnsMessage, rcode: number, answers: Answer[] = []): DnsMessage {
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const opcode = (query.flags ?? 0) & 0x7800;
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: opcode | rd | dnsPacket.RECURSION_AVAILABLE | (rcode & 0xf),
    questions: query.questions ?? [],
    answers,
    authorities: [],
    additionals: ednsOf(query) ? [responseOpt()] : [],
  };
}

/** Sets the rcode bits of `msg` in place. */
export function setRcode(msg: DnsMessage, rcode: number): void {
  msg.flags = ((msg.flags ?? 0) & ~0xf) | (rcode & 0xf);
}

/**
 * An error reply built from the first 12 bytes of an undecodable message (FORMERR for garbage), or undefined
 * when even the header is missing or the bytes are a response (answering those would let us be used for loops).
 */
export function rawErrorReply(buf: Buffer, rcode: number): Buffer | undefined {
  if (buf.length < HEADER) return undefined;
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return undefined;
  const out = Buffer.alloc(HEADER);
  out.writeUInt16BE(buf.readUInt16BE(0), 0);
  out.writeUInt16BE(QR | (flags & 0x7900) | (rcode & 0xf), 2);
  return out;
}

/** The OPT pseudo-record of a message, if it carries EDNS(0). */
export function ednsOf(msg: DnsMessage): Extract<Answer, { type: 'OPT' }> | undefined {
  return msg.additionals?.find((a): a is Extract<Answer, { type: 'OPT' }> => a.type === 'OPT');
}

function responseOpt(): Answer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
}

/**
 * The largest UDP response a client accepts (RFC 6891 §6.2.5): 512 without EDNS(0), else its advertised payload
 * size capped by ours, never below 512.
 */
export function udpLimit(edns: number | undefined, serverMax: number): number {
  return edns === undefined ? CLASSIC_UDP_LIMIT : Math.max(CLASSIC_UDP_LIMIT, Math.min(edns, serverMax));
}

/** Sets TC and strips answer and authority records (keeping OPT), as a server does when a UDP answer does not fit. */
export function truncateMessage(msg: DnsMessage): void {
  msg.flags = (msg.flags ?? 0) | TC;
  msg.answers = [];
  msg.authorities = [];
  msg.additionals = (msg.additionals ?? []).filter((a) => a.type === 'OPT');
}

/** Encodes for UDP: truncated (TC, records stripped) when the full message is larger than `limit`. */
export function encodeForUdp(msg: DnsMessage, limit: number): Buffer {
  const full = encodeMessage(msg);
  if (full.length <= limit) return full;
  truncateMessage(msg);
  return encodeMessage(msg);
}

/** Encodes a message with name compression (RFC 1035 §4.1.4) for the owner names of questions and records. */
export function encodeMessage(msg: DnsMessage): Buffer {
  const questions = msg.questions ?? [];
  const sections = [msg.answers ?? [], msg.authorities ?? [], msg.additionals ?? []];
  // dns-packet's uncompressed length is an upper bound: compression only shrinks.
  const out = Buffer.allocUnsafe(
    dnsPacket.encodingLength({
      ...msg,
      questions,
      answers: sections[0],
      authorities: sections[1],
      additionals: sections[2],
    }),
  );
  out.writeUInt16BE(msg.id ?? 0, 0);
  out.writeUInt16BE(((msg.flags ?? 0) & 0x7fff) | (msg.type === 'response' ? QR : 0), 2);
  out.writeUInt16BE(questions.length, 4);
  sections.forEach((section, i) => out.writeUInt16BE(section.length, 6 + i * 2));
  const names = new Map<string, number>();
  let at = HEADER;
  for (const q of questions) at = put(out, at, q.name, names, () => raw.question.encode(q, out, at), raw.question);
  for (const section of sections) {
    for (const rr of section) at = put(out, at, rr.name, names, () => raw.answer.encode(rr, out, at), raw.answer);
  }
  return out.subarray(0, at);
}

/**
 * Encodes one question or record at `at` with dns-packet (full owner name), then rewrites the owner name in place
 * with a compression pointer where a suffix was written before, and moves the rest of the record up.
 */
function put(
  out: Buffer,
  at: number,
  name: string,
  names: Map<string, number>,
  encode: () => unknown,
  enc: { encode: { bytes: number } },
): number {
  encode();
  const total = enc.encode.bytes;
  const full = raw.name.encodingLength(name);
  const short = compressName(name, out, at, names);
  if (short < full) out.copyWithin(at + short, at + full, at + total);
  return at + total - (full - short);
}

/** Writes `name` at `at` with a pointer to the longest suffix already in `names`; returns the bytes written. */
function compressName(name: string, out: Buffer, at: number, names: Map<string, number>): number {
  const labels = name
    .replace(/^\.|\.$/g, '')
    .split('.')
    .filter((l) => l.length > 0);
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    const suffix = i === 0 ? labels.join('.') : labels.slice(i).join('.');
    const ptr = names.get(suffix);
    if (ptr !== undefined) {
      out.writeUInt16BE(0xc000 | ptr, at + n);
      return n + 2;
    }
    if (at + n < 0x3fff) names.set(suffix, at + n);
    const len = Buffer.byteLength(labels[i] as string);
    if (len > 63) throw new RangeError(`DNS label longer than 63 bytes in ${JSON.stringify(name)}`);
    n += len + 1; // dns-packet already wrote this label here
  }
  return n + 1;
}
