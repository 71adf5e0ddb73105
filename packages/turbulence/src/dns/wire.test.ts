import { describe, expect, it } from 'vitest';
import type { Answer } from './wire.js';
import {
  decodeMessage,
  ednsOf,
  encodeForUdp,
  encodeMessage,
  isTruncated,
  rawErrorReply,
  replyTo,
  udpLimit,
} from './wire.js';

const query = (edns?: number) =>
  decodeMessage(
    encodeMessage({
      type: 'query',
      id: 4242,
      flags: 0x0100,
      questions: [{ name: 'svc.example.test', type: 'A', class: 'IN' }],
      additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: edns } as Answer] : [],
    }),
  );

const bigAnswer = (n: number) =>
  replyTo(
    query(),
    0,
    Array.from({ length: n }, (_, i) => ({ name: 'svc.example.test', type: 'A', ttl: 0, data: `127.48.0.${i + 1}` })),
  );

describe('DNS wire format', () => {
  it('compresses owner names like a real server: 48 A records take 802 bytes, as dnsmasq sends them', () => {
    const bytes = encodeMessage(bigAnswer(48));
    expect(bytes.length).toBe(12 + 22 + 48 * 16);
    const back = decodeMessage(bytes);
    expect(back.id).toBe(4242);
    expect(back.answers?.map((a) => ('data' in a ? a.data : ''))).toContain('127.48.0.48');
    expect(back.answers?.every((a) => a.name === 'svc.example.test')).toBe(true);
  });

  it('compresses shared suffixes and round-trips mixed names and types', () => {
    const msg = replyTo(query(), 0, [
      { name: 'svc.example.test', type: 'CNAME', ttl: 1, data: 'web.example.test' },
      { name: 'web.example.test', type: 'A', ttl: 1, data: '127.0.0.1' },
      { name: 'web.example.test', type: 'TXT', ttl: 1, data: ['hello'] },
    ] as Answer[]);
    const back = decodeMessage(encodeMessage(msg));
    expect(back.answers?.map((a) => a.name)).toEqual(['svc.example.test', 'web.example.test', 'web.example.test']);
    expect(back.answers?.[1]).toMatchObject({ type: 'A', data: '127.0.0.1' });
  });

  it('limits UDP answers to 512 bytes without EDNS(0) and to the advertised size (capped) with it', () => {
    expect(udpLimit(undefined, 1232)).toBe(512);
    expect(udpLimit(4096, 1232)).toBe(1232);
    expect(udpLimit(300, 1232)).toBe(512);
    expect(udpLimit(ednsOf(query(4096))?.udpPayloadSize, 1232)).toBe(1232);
    const truncated = decodeMessage(encodeForUdp(bigAnswer(48), 512));
    expect(isTruncated(truncated)).toBe(true);
    expect(truncated.answers).toEqual([]);
    expect(isTruncated(decodeMessage(encodeForUdp(bigAnswer(48), 1232)))).toBe(false);
  });

  it('builds FORMERR replies from a bare header and ignores responses and runts', () => {
    const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 9, 0, 0, 0, 0, 0, 0, 0xff]);
    const reply = rawErrorReply(header, 1) as Buffer;
    expect(reply.readUInt16BE(0)).toBe(0x1234);
    expect(reply.readUInt16BE(2) & 0x8000).toBe(0x8000);
    expect(reply.readUInt16BE(2) & 0xf).toBe(1);
    expect(reply.readUInt16BE(2) & 0x0100).toBe(0x0100);
    expect(rawErrorReply(Buffer.alloc(5), 1)).toBeUndefined();
    expect(rawErrorReply(Buffer.from([0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1)).toBeUndefined();
  });

  it('refuses to encode a label longer than 63 bytes', () => {
    expect(() =>
      encodeMessage(replyTo(query(), 0, [{ name: `${'a'.repeat(64)}.test`, type: 'A', data: '127.0.0.1' }])),
    ).toThrow(/63/);
  });
});
