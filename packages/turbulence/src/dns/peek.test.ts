import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peekQuery } from './peek.js';
import { decodeMessage, ednsOf, encodeMessage, type Answer } from './wire.js';

const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
const query = fc.record({
  labels: fc.array(label, { minLength: 1, maxLength: 5 }),
  type: fc.constantFrom('A', 'AAAA', 'MX', 'TXT', 'SRV', 'CNAME', 'PTR'),
  edns: fc.option(fc.integer({ min: 512, max: 4096 }), { nil: undefined }),
  id: fc.integer({ min: 0, max: 0xffff }),
});

describe('query peek (fast path)', () => {
  it('reads what the full decoder reads, for ordinary queries with and without EDNS(0)', () => {
    fc.assert(
      fc.property(query, ({ labels, type, edns, id }) => {
        const bytes = encodeMessage({
          type: 'query',
          id,
          flags: 0x0100,
          questions: [{ name: labels.join('.'), type: type, class: 'IN' }],
          additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: edns } as Answer] : [],
        });
        const full = decodeMessage(bytes);
        expect(peekQuery(bytes)).toEqual({
          name: full.questions?.[0]?.name,
          type: full.questions?.[0]?.type,
          edns: ednsOf(full)?.udpPayloadSize,
        });
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('leaves unusual queries to the full decoder', () => {
    const ok = encodeMessage({ type: 'query', id: 1, questions: [{ name: 'a.test', type: 'A' }] });
    expect(peekQuery(ok)).toMatchObject({ name: 'a.test', type: 'A' });
    expect(peekQuery(Buffer.concat([ok, Buffer.from([0])]))).toBeUndefined(); // trailing bytes
    expect(peekQuery(ok.subarray(0, ok.length - 1))).toBeUndefined(); // cut short
    const two = Buffer.from(ok);
    two.writeUInt16BE(2, 4);
    expect(peekQuery(two)).toBeUndefined(); // two questions
    const chaos = Buffer.from(ok);
    chaos.writeUInt16BE(3, ok.length - 2);
    expect(peekQuery(chaos)).toBeUndefined(); // class CH
  });
});
