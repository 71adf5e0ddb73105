import { describe, expect, it } from 'vitest';
import { publish, stamp } from '../core/events.js';
import { createLogger, logEvents } from './logger.js';

function sink(): { lines: string[]; write(s: string): void } {
  const lines: string[] = [];
  return { lines, write: (s: string) => lines.push(...s.split('\n').filter(Boolean)) };
}

describe('the command logger', () => {
  it('writes one JSON line per event with source and type in json format', () => {
    const out = sink();
    const stop = logEvents(createLogger({ logLevel: 'info', logFormat: 'json' }, out), ['proxy', 'dns']);
    try {
      publish(stamp('proxy', { type: 'proxy.reset' }));
      publish(stamp('dns', { type: 'dns.rule.removed', id: 'r1' }));
      publish(stamp('dns', { type: 'dns.query', name: 'a.test' })); // debug: below info
    } finally {
      stop();
    }
    publish(stamp('proxy', { type: 'proxy.reset' })); // after stop: not logged
    const records = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r.source, r.type])).toEqual([
      ['proxy', 'proxy.reset'],
      ['dns', 'dns.rule.removed'],
    ]);
    expect(records[1]).toMatchObject({ id: 'r1', level: 30 });
  });

  it('honours --log-level and writes compact lines in pretty format', () => {
    const out = sink();
    const stop = logEvents(createLogger({ logLevel: 'debug', logFormat: 'pretty' }, out), ['dns']);
    try {
      publish(stamp('dns', { type: 'dns.query', name: 'a.test', rcode: 'NOERROR' }));
    } finally {
      stop();
    }
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG dns\.query name=a\.test rcode=NOERROR$/);
  });

  it('logs nothing at silent', () => {
    const out = sink();
    const stop = logEvents(createLogger({ logLevel: 'silent', logFormat: 'json' }, out), ['proxy']);
    publish(stamp('proxy', { type: 'proxy.reset' }));
    stop();
    expect(out.lines).toEqual([]);
  });
});
