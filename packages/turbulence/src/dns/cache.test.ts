import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsCache, cacheKey, type CacheQuery } from './cache.js';
import { decodeMessage, encodeMessage, type Answer } from './wire.js';

interface QueryShape {
  name?: string;
  type?: string;
  id?: number;
  flags?: number;
  edns?: { size?: number; do?: boolean; options?: { code: number; data: Buffer }[] };
}

const query = (q: QueryShape = {}): Buffer =>
  encodeMessage({
    type: 'query',
    id: q.id ?? 1,
    flags: q.flags ?? 0x0100,
    questions: [{ name: q.name ?? 'svc.example.test', type: (q.type ?? 'A') as 'A', class: 'IN' }],
    additionals: q.edns
      ? [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: q.edns.size ?? 1232,
            flags: q.edns.do ? 0x8000 : 0,
            options: q.edns.options ?? [],
          } as Answer,
        ]
      : [],
  });

const soa = (ttl: number, minimum: number): Answer => ({
  name: 'example.test',
  type: 'SOA',
  ttl,
  data: {
    mname: 'ns.example.test',
    rname: 'hostmaster.example.test',
    serial: 1,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum,
  },
});

/** An answer to `q` as an upstream sends it (the question echoed as asked). */
interface AnswerShape {
  rcode?: number;
  flags?: number;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

const ttlOf = (r: Answer | undefined): number | undefined => (r as { ttl?: number } | undefined)?.ttl;

const answer = (q: Buffer, fields: AnswerShape = {}): Buffer => {
  const asked = decodeMessage(q);
  return encodeMessage({
    type: 'response',
    id: asked.id ?? 0,
    flags: 0x0100 | 0x0080 | 0x0400 | (fields.rcode ?? 0) | (fields.flags ?? 0),
    questions: asked.questions ?? [],
    answers: fields.answers ?? [],
    authorities: fields.authorities ?? [],
    additionals: fields.additionals ?? [],
  });
};

const a = (ttl: number, data = '127.0.0.9', name = 'svc.example.test'): Answer => ({ name, type: 'A', ttl, data });

function setup(maxEntries = 100, maxTtl = 3600) {
  let now = 0;
  const cache = new DnsCache({ maxEntries, maxTtl, now: () => now });
  return { cache, advance: (ms: number) => (now += ms) };
}

const keyOf = (q: Buffer): CacheQuery => {
  const k = cacheKey(q);
  if (!k) throw new Error('query not cacheable');
  return k;
};

describe('DNS answer cache', () => {
  it('keys on the lower-cased name, type, class and the RD/AD/CD/EDNS/DO bits', () => {
    const k = (q: QueryShape) => cacheKey(query(q))?.key;
    expect(k({ name: 'SVC.Example.TEST' })).toBe(k({ name: 'svc.example.test' }));
    expect(k({ type: 'AAAA' })).not.toBe(k({}));
    expect(k({ flags: 0 })).not.toBe(k({})); // RD
    expect(k({ flags: 0x0110 })).not.toBe(k({})); // CD
    expect(k({ flags: 0x0120 })).not.toBe(k({})); // AD
    expect(k({ edns: {} })).not.toBe(k({}));
    expect(k({ edns: { do: true } })).not.toBe(k({ edns: {} }));
    expect(k({ edns: { size: 4096 } })).toBe(k({ edns: { size: 1232 } }));
    expect(k({ id: 9 })).toBe(k({ id: 10 }));
  });

  it('bypasses queries with EDNS options (cookies, client subnet), other opcodes and responses', () => {
    expect(cacheKey(query({ edns: { options: [{ code: 10, data: Buffer.alloc(8, 1) }] } }))).toBeUndefined();
    const notify = query();
    notify.writeUInt16BE(0x2000, 2); // opcode NOTIFY
    expect(cacheKey(notify)).toBeUndefined();
    expect(cacheKey(answer(query()))).toBeUndefined();
    expect(cacheKey(query({ type: 'AXFR' }))).toBeUndefined();
    expect(cacheKey(query({ type: 'ANY' }))).toBeDefined();
    expect(cacheKey(Buffer.alloc(11))).toBeUndefined();
    expect(cacheKey(query().subarray(0, 20))).toBeUndefined();
  });

  it('serves a hit with the client id and question case, AA cleared, TTLs decremented by whole seconds', () => {
    const { cache, advance } = setup();
    const first = query({ name: 'svc.example.test', id: 100 });
    expect(cache.get(keyOf(first), first, 512)).toBeUndefined();
    expect(cache.put(keyOf(first), answer(first, { answers: [a(300), a(60, '127.0.0.10')] }))).toBe(true);
    advance(2500);
    const again = query({ name: 'SvC.ExAmPlE.tEsT', id: 200 });
    const hit = cache.get(keyOf(again), again, 512);
    expect(hit).toBeDefined();
    const msg = decodeMessage(hit!);
    expect(msg.id).toBe(200);
    expect(msg.questions?.[0]?.name).toBe('SvC.ExAmPlE.tEsT');
    expect(hit!.readUInt16BE(2) & 0x0400).toBe(0); // AA
    expect(msg.answers?.map(ttlOf)).toEqual([298, 58]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, stored: 1, entries: 1 });
  });

  it('expires an answer after its smallest TTL', () => {
    const { cache, advance } = setup();
    const q = query();
    cache.put(keyOf(q), answer(q, { answers: [a(300), a(2, '127.0.0.10')] }));
    advance(1999);
    expect(decodeMessage(cache.get(keyOf(q), q, 512)!).answers?.map(ttlOf)).toEqual([299, 1]);
    advance(1);
    expect(cache.get(keyOf(q), q, 512)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 0 });
  });

  it('caps the lifetime at maxTtl', () => {
    const { cache, advance } = setup(100, 10);
    const q = query();
    cache.put(keyOf(q), answer(q, { answers: [a(86400)] }));
    expect(ttlOf(decodeMessage(cache.get(keyOf(q), q, 512)!).answers?.[0])).toBe(10);
    advance(10_000);
    expect(cache.get(keyOf(q), q, 512)).toBeUndefined();
  });

  it('never stores TTL 0, SERVFAIL, REFUSED, truncated answers or negative answers without a SOA', () => {
    const { cache } = setup();
    const q = query();
    const k = keyOf(q);
    expect(cache.put(k, answer(q, { answers: [a(0)] }))).toBe(false);
    expect(cache.put(k, answer(q, { rcode: 2 }))).toBe(false);
    expect(cache.put(k, answer(q, { rcode: 5 }))).toBe(false);
    expect(cache.put(k, answer(q, { answers: [a(300)], flags: 0x0200 }))).toBe(false);
    expect(cache.put(k, answer(q, { rcode: 3 }))).toBe(false);
    expect(cache.put(k, answer(q))).toBe(false); // NODATA without SOA
    expect(cache.stats().entries).toBe(0);
  });

  it('caches NXDOMAIN and NODATA for min(SOA TTL, SOA MINIMUM) (RFC 2308)', () => {
    const { cache, advance } = setup();
    const nx = query({ name: 'missing.example.test' });
    expect(cache.put(keyOf(nx), answer(nx, { rcode: 3, authorities: [soa(3600, 5)] }))).toBe(true);
    const nodata = query({ type: 'AAAA' });
    expect(cache.put(keyOf(nodata), answer(nodata, { authorities: [soa(4, 900)] }))).toBe(true);
    advance(1000);
    const hit = decodeMessage(cache.get(keyOf(nx), nx, 512)!);
    expect(hit.rcode).toBe('NXDOMAIN');
    expect(ttlOf(hit.authorities?.[0])).toBe(4); // the SOA's TTL shown is the negative TTL, decremented
    expect(ttlOf(decodeMessage(cache.get(keyOf(nodata), nodata, 512)!).authorities?.[0])).toBe(3);
    advance(3000);
    expect(cache.get(keyOf(nodata), nodata, 512)).toBeUndefined();
    expect(cache.get(keyOf(nx), nx, 512)).toBeDefined();
    advance(1000);
    expect(cache.get(keyOf(nx), nx, 512)).toBeUndefined();
  });

  it('does not mix answers with and without the DO bit', () => {
    const { cache } = setup();
    const plain = query({ edns: {} });
    const dnssec = query({ edns: { do: true } });
    cache.put(keyOf(plain), answer(plain, { answers: [a(300)] }));
    expect(cache.get(keyOf(dnssec), dnssec, 1232)).toBeUndefined();
    expect(cache.get(keyOf(plain), plain, 1232)).toBeDefined();
  });

  it('strips the upstream OPT options (cookies are per client) and keeps the OPT record', () => {
    const { cache } = setup();
    const q = query({ edns: {} });
    const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 10, data: Buffer.alloc(16, 7) }] };
    cache.put(keyOf(q), answer(q, { answers: [a(300)], additionals: [opt as Answer] }));
    const hit = decodeMessage(cache.get(keyOf(q), q, 1232)!);
    expect(hit.additionals).toMatchObject([{ type: 'OPT', options: [] }]);
    expect(hit.answers?.[0]).toMatchObject({ type: 'A', data: '127.0.0.9' });
  });

  it('misses when the cached answer is larger than the client accepts over UDP', () => {
    const { cache } = setup();
    const q = query({ edns: { size: 4096 } });
    const many = Array.from({ length: 48 }, (_, i) => a(300, `127.48.0.${i + 1}`));
    cache.put(keyOf(q), answer(q, { answers: many }));
    expect(cache.get(keyOf(q), q, 512)).toBeUndefined();
    expect(decodeMessage(cache.get(keyOf(q), q, 65535)!).answers).toHaveLength(48);
  });

  it('refuses an answer whose question is not the query’s', () => {
    const { cache } = setup();
    const q = query({ name: 'one.example.test' });
    expect(cache.put(keyOf(q), answer(query({ name: 'two.example.test' }), { answers: [a(300)] }))).toBe(false);
    expect(cache.put(keyOf(q), answer(query({ name: 'one.example.test', type: 'AAAA' })))).toBe(false);
  });

  it('evicts the least recently used answer when full', () => {
    const { cache } = setup(2);
    const qs = ['a.test', 'b.test', 'c.test'].map((name) => query({ name }));
    const put = (q: Buffer) => cache.put(keyOf(q), answer(q, { answers: [a(300, '127.0.0.9', 'x.test')] }));
    put(qs[0]!);
    put(qs[1]!);
    expect(cache.get(keyOf(qs[0]!), qs[0]!, 512)).toBeDefined(); // a.test is now the most recent
    put(qs[2]!);
    expect(cache.get(keyOf(qs[1]!), qs[1]!, 512)).toBeUndefined();
    expect(cache.get(keyOf(qs[0]!), qs[0]!, 512)).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 2, evicted: 1 });
  });

  it('stores nothing from malformed answers', () => {
    const { cache } = setup();
    const q = query();
    const good = answer(q, { answers: [a(300)] });
    for (let cut = q.length; cut < good.length; cut++) expect(cache.put(keyOf(q), good.subarray(0, cut))).toBe(false);
    expect(cache.put(keyOf(q), Buffer.concat([good, Buffer.from([0])]))).toBe(false);
  });

  it('never throws on mutated answers and queries, and serves what it stored byte for byte apart from id and TTLs', () => {
    const q = query({ edns: {} });
    const good = answer(q, {
      answers: [a(300), a(200, '127.0.0.10')],
      authorities: [soa(600, 60)],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as Answer],
    });
    const mutation = fc.array(fc.record({ at: fc.nat(good.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(mutation, fc.boolean(), (changes, mutateQuery) => {
        const { cache } = setup();
        const bytes = Buffer.from(mutateQuery ? q : good);
        for (const c of changes) if (c.at < bytes.length) bytes[c.at] = c.value;
        const k = cacheKey(mutateQuery ? bytes : q);
        if (!k) return true;
        if (cache.put(k, mutateQuery ? good : bytes)) {
          const hit = cache.get(k, mutateQuery ? bytes : q, 65535);
          expect(hit?.length).toBeLessThanOrEqual(good.length);
        }
        return true;
      }),
      { numRuns: 2000, seed: 6 },
    );
  });
});
