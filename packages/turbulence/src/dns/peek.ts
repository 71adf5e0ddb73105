/**
 * The fast path for ordinary queries: reads the question (and an EDNS(0) OPT record, if that is all there is)
 * straight from the bytes, without building a full message. Queries of any other shape return undefined and go
 * through the full decoder. Names read here equal what dns-packet decodes (plain labels only).
 */

/** What the server needs of an ordinary query. */
export interface QueryPeek {
  name: string;
  type: string;
  /** The advertised EDNS(0) UDP payload size, when the query carries an OPT record. */
  edns?: number;
}

const TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  35: 'NAPTR',
  64: 'SVCB',
  65: 'HTTPS',
  255: 'ANY',
  257: 'CAA',
};

/** Reads `QDCOUNT=1, ANCOUNT=NSCOUNT=0, ARCOUNT<=1 (OPT)` queries; undefined for anything else. */
export function peekQuery(buf: Buffer): QueryPeek | undefined {
  if (buf.length < 17 || buf.readUInt16BE(4) !== 1 || buf.readUInt32BE(6) !== 0) return undefined;
  const arcount = buf.readUInt16BE(10);
  if (arcount > 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  let total = 0;
  for (;;) {
    const len = buf[at++];
    if (len === undefined || len > 63) return undefined; // compression or garbage: full decoder
    if (len === 0) break;
    total += len + 1;
    if (total > 254 || at + len > buf.length) return undefined;
    for (let i = at; i < at + len; i++) {
      const c = buf[i] as number;
      if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c) return undefined;
    }
    labels.push(buf.toString('latin1', at, at + len));
    at += len;
  }
  if (at + 4 > buf.length) return undefined;
  const type = TYPES[buf.readUInt16BE(at)];
  if (!type || buf.readUInt16BE(at + 2) !== 1) return undefined; // class IN only
  at += 4;
  const peek: QueryPeek = { name: labels.length ? labels.join('.') : '.', type };
  if (arcount === 1) {
    // OPT: root name, TYPE 41, CLASS = payload size, TTL (4), RDLEN, RDATA
    if (at + 11 > buf.length || buf[at] !== 0 || buf.readUInt16BE(at + 1) !== 41) return undefined;
    peek.edns = buf.readUInt16BE(at + 3);
    at += 11 + buf.readUInt16BE(at + 9);
  }
  return at === buf.length ? peek : undefined;
}
