/**
 * The answer cache of the chaos DNS server, as in every real forwarder (dnsmasq, CoreDNS `cache`,
 * systemd-resolved): the upstream's raw answers, kept for their smallest TTL and served from their bytes.
 *
 * - Key: the question name lower-cased (ASCII only, RFC 4343), type, class, and the query bits that change the
 *   answer: RD, AD, CD, whether the query carries EDNS(0), and its DO bit. Queries of any other shape (several
 *   questions, EDNS options such as cookies or client subnet, EDNS version ≠ 0, opcodes other than QUERY, zone
 *   transfers) bypass the cache.
 * - Stored: NOERROR and NXDOMAIN answers without TC, for the smallest TTL of their records, capped by `maxTtl`.
 *   Negative answers (NXDOMAIN, NODATA) only with a SOA in the authority section, for min(SOA TTL, SOA MINIMUM)
 *   (RFC 2308 §5); without one they are not cached. Never SERVFAIL, REFUSED, truncated answers or TTL 0.
 * - Served: the stored bytes with the client's id and its question bytes (so its case and DNS 0x20 come back as
 *   sent), the AA bit cleared, and every TTL patched in place at its recorded offset, decremented by the seconds
 *   since it was stored. Nothing is re-encoded.
 * - Bounded: at most `maxEntries` answers, least recently used first out.
 */

/** Options of {@link DnsCache}. */
export interface DnsCacheOptions {
  /** Most answers kept (least recently used are evicted). */
  maxEntries: number;
  /** Longest time, in seconds, an answer is kept whatever its TTL says. */
  maxTtl: number;
  /** Milliseconds of a monotonic clock (default `performance.now`); tests replace it. */
  now?: () => number;
}

/** Cache counters, as `stats().cache` reports them. */
export interface DnsCacheStats {
  /** Answers served from the cache. */
  hits: number;
  /** Cacheable queries that were not in the cache (absent, expired, or too large for the client's UDP limit). */
  misses: number;
  /** Queries whose shape the cache does not handle (EDNS options, several questions, ...), always forwarded. */
  bypassed: number;
  /** Upstream answers stored. */
  stored: number;
  /** Answers dropped to make room. */
  evicted: number;
  /** Answers held now. */
  entries: number;
  maxEntries: number;
}

/** What the cache needs of a query, read from its bytes by {@link cacheKey}. */
export interface CacheQuery {
  key: string;
  /** The advertised EDNS(0) UDP payload size, when the query carries an OPT record. */
  edns: number | undefined;
  /** Offset just past the question section (same in the query and in its answer). */
  qend: number;
}

interface Entry {
  bytes: Buffer;
  storedAt: number;
  /** Milliseconds the answer may be served. */
  lifeMs: number;
  offsets: number[];
  /** TTL at storing time (capped), per offset. */
  ttls: number[];
}

const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const KEY_FLAGS = 0x0100 | 0x0020 | 0x0010; // RD, AD, CD
const OPT = 41;
const SOA = 6;
const scratch = Buffer.allocUnsafe(260);

/**
 * The cache key of a query, or undefined when the query is not of a shape the cache handles: one question,
 * no answer or authority records, at most one additional record which is an OPT of EDNS version 0 without options.
 */
export function cacheKey(buf: Buffer): CacheQuery | undefined {
  const len = buf.length;
  if (len < 17) return undefined;
  const flags = buf.readUInt16BE(2);
  if ((flags & 0xf800) !== 0 || buf.readUInt16BE(4) !== 1 || buf.readUInt32BE(6) !== 0) return undefined; // QR, opcode
  const arcount = buf.readUInt16BE(10);
  if (arcount > 1) return undefined;
  let at = 12;
  let n = 0;
  for (;;) {
    const l = buf[at++] as number;
    if (l === undefined || l > 63) return undefined; // compression in a question, or garbage
    scratch[n++] = l;
    if (l === 0) break;
    if (at + l > len || n + l > 255) return undefined;
    for (let i = 0; i < l; i++) {
      const c = buf[at + i] as number;
      scratch[n++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    at += l;
  }
  if (at + 4 > len) return undefined;
  const qtype = buf.readUInt16BE(at);
  if (qtype >= 249 && qtype <= 252) return undefined; // TKEY, TSIG, IXFR, AXFR: transfers and keys are not cached
  buf.copy(scratch, n, at, at + 4); // type, class
  n += 4;
  at += 4;
  const qend = at;
  let bits = flags & KEY_FLAGS;
  let edns: number | undefined;
  if (arcount === 1) {
    // OPT: root name, TYPE 41, CLASS = payload size, extended rcode, version, flags (DO), RDLEN = 0
    if (at + 11 !== len || buf[at] !== 0 || buf.readUInt16BE(at + 1) !== OPT) return undefined;
    if (buf[at + 6] !== 0 || buf.readUInt16BE(at + 9) !== 0) return undefined; // EDNS version, options
    bits |= 0x1 | (buf[at + 7]! & 0x80 ? 0x2 : 0);
    edns = buf.readUInt16BE(at + 3);
  } else if (at !== len) return undefined;
  return { key: scratch.toString('latin1', 0, n) + String.fromCharCode(bits), edns, qend };
}

/**
 * A size-bounded, TTL-honouring cache of raw DNS answers.
 *
 * @example
 * const cache = new DnsCache({ maxEntries: 10_000, maxTtl: 3600 });
 * const q = cacheKey(query);
 * const hit = q && cache.get(q, query, 1232); // the answer bytes for this query, or undefined
 * if (q && !hit) cache.put(q, upstreamAnswer);
 */
export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly counters = { hits: 0, misses: 0, bypassed: 0, stored: 0, evicted: 0 };

  constructor(private readonly options: DnsCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * The cached answer to `query` (whose key is `q`) as bytes to send, or undefined (a miss) when there is none,
   * it expired, or it is longer than `limit` bytes.
   */
  get(q: CacheQuery, query: Buffer, limit: number): Buffer | undefined {
    const e = this.entries.get(q.key);
    if (e === undefined) return void this.counters.misses++;
    const age = this.now() - e.storedAt;
    if (age >= e.lifeMs) {
      this.entries.delete(q.key);
      return void this.counters.misses++;
    }
    if (e.bytes.length > limit) return void this.counters.misses++;
    this.counters.hits++;
    this.entries.delete(q.key); // most recently used last
    this.entries.set(q.key, e);
    const out = Buffer.allocUnsafe(e.bytes.length);
    e.bytes.copy(out);
    query.copy(out, 0, 0, 2); // id
    query.copy(out, 12, 12, q.qend); // the question as the client wrote it
    const elapsed = Math.floor(age / 1000);
    for (let i = 0; i < e.offsets.length; i++) out.writeUInt32BE((e.ttls[i] as number) - elapsed, e.offsets[i]);
    return out;
  }

  /** Stores an upstream answer to the query keyed `q` when it is cacheable; true when stored. */
  put(q: CacheQuery, answer: Buffer): boolean {
    const e = entryOf(q, answer, this.options.maxTtl);
    if (!e) return false;
    e.storedAt = this.now();
    this.entries.delete(q.key);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
        this.counters.evicted++;
      }
    }
    this.entries.set(q.key, e);
    this.counters.stored++;
    return true;
  }

  /** Counts a query that bypassed the cache (see {@link DnsCacheStats.bypassed}). */
  bypass(): void {
    this.counters.bypassed++;
  }

  /** Drops every answer. */
  clear(): void {
    this.entries.clear();
  }

  /** Counters since start. */
  stats(): DnsCacheStats {
    return { ...this.counters, entries: this.entries.size, maxEntries: this.options.maxEntries };
  }
}

/** Reads an answer's records; an entry to store, or undefined when the answer must not be cached. */
function entryOf(q: CacheQuery, answer: Buffer, maxTtl: number): Entry | undefined {
  const len = answer.length;
  if (len < q.qend) return undefined;
  const flags = answer.readUInt16BE(2);
  const rcode = flags & 0xf;
  if ((flags & QR) === 0 || flags & TC || (rcode !== 0 && rcode !== 3)) return undefined;
  if (answer.readUInt16BE(4) !== 1 || sameQuestion(answer, q) !== true) return undefined;
  const an = answer.readUInt16BE(6);
  const ns = answer.readUInt16BE(8);
  const total = an + ns + answer.readUInt16BE(10);
  const offsets: number[] = [];
  const ttls: number[] = [];
  let min = Infinity;
  let soaMin: number | undefined;
  let cut = len; // where the stored bytes end (OPT options stripped)
  let at = q.qend;
  for (let i = 0; i < total; i++) {
    at = skipName(answer, at);
    if (at < 0 || at + 10 > len) return undefined;
    const type = answer.readUInt16BE(at);
    const rdlen = answer.readUInt16BE(at + 8);
    const end = at + 10 + rdlen;
    if (end > len) return undefined;
    if (type === OPT) {
      if (rdlen > 0) {
        if (i !== total - 1) return undefined; // options (cookies, ...) are per client: only strippable when last
        cut = at + 10;
      }
    } else {
      const raw = answer.readUInt32BE(at + 4);
      const ttl = raw > 0x7fffffff ? 0 : raw; // RFC 2181 §8
      min = Math.min(min, ttl);
      offsets.push(at + 4);
      ttls.push(ttl);
      if (type === SOA && i >= an && i < an + ns && rdlen >= 22) soaMin = answer.readUInt32BE(end - 4);
    }
    at = end;
  }
  if (at !== len) return undefined;
  const negative = rcode === 3 || an === 0;
  if (negative) {
    if (soaMin === undefined) return undefined; // RFC 2308 §5: no SOA, no negative caching
    min = Math.min(min, soaMin);
  }
  const life = Math.min(min, maxTtl);
  if (!(life >= 1)) return undefined;
  const bytes = Buffer.allocUnsafeSlow(cut); // not a slice of the shared pool: it lives long
  answer.copy(bytes, 0, 0, cut);
  bytes.writeUInt16BE(flags & ~AA, 2);
  if (cut < len) bytes.writeUInt16BE(0, cut - 2); // OPT RDLEN
  const cap = negative ? life : maxTtl;
  for (let i = 0; i < ttls.length; i++) {
    ttls[i] = Math.min(ttls[i] as number, cap);
    bytes.writeUInt32BE(ttls[i] as number, offsets[i]);
  }
  return { bytes, storedAt: 0, lifeMs: life * 1000, offsets, ttls };
}

/** True when the answer's question is the query's (same name ignoring ASCII case, type and class). */
function sameQuestion(answer: Buffer, q: CacheQuery): boolean {
  // The key starts with the lower-cased wire name, then type and class: compare byte by byte.
  const n = q.qend - 12;
  if (answer.length < q.qend) return false;
  for (let i = 0; i < n; i++) {
    const c = answer[12 + i] as number;
    const lower = i < n - 4 && c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (lower !== q.key.charCodeAt(i)) return false;
  }
  return true;
}

/** Offset past a (possibly compressed) name at `at`, or -1 when it runs off the message. */
function skipName(buf: Buffer, at: number): number {
  for (;;) {
    const l = buf[at];
    if (l === undefined) return -1;
    if (l === 0) return at + 1;
    if ((l & 0xc0) === 0xc0) return at + 2 <= buf.length ? at + 2 : -1;
    if (l > 63) return -1;
    at += l + 1;
  }
}
