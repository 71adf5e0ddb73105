import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../core/errors.js';
import { compileMatcher, parseAction, parseRule, type DnsQueryFacts } from './rule.js';

const q = (over: Partial<DnsQueryFacts> = {}): DnsQueryFacts => ({
  name: 'api.svc.test',
  type: 'A',
  client: '127.0.0.1',
  transport: 'udp',
  ...over,
});

describe('DNS rules', () => {
  it('reads the shorthand and the object form of actions, with defaults', () => {
    expect(parseAction('nxdomain')).toEqual({ type: 'nxdomain' });
    expect(parseAction('delay(200, 50)')).toEqual({ type: 'delay', ms: 200, jitter: 50 });
    expect(parseAction('delay(200)')).toEqual({ type: 'delay', ms: 200, jitter: 0 });
    expect(parseAction({ type: 'inflate', count: 60 })).toEqual({ type: 'inflate', count: 60 });
    expect(parseRule({ name: 'a.test', action: 'ttl(0)' })).toEqual({
      id: '',
      name: 'a.test',
      action: { type: 'ttl', ttl: 0 },
      probability: 1,
    });
  });

  it('rejects unknown actions, wrong arguments and bad fields, naming the key', () => {
    const fails = (input: unknown, pattern: RegExp) => {
      try {
        parseRule(input, { file: 'rules.yaml', path: ['rules', 0] });
      } catch (err) {
        expect(isTurbulenceError(err, 'TURB_ERR_FAULT_INVALID_PARAMS')).toBe(true);
        const text = [
          (err as Error).message,
          ...(err as { details: { format(): string }[] }).details.map((d) => d.format()),
        ];
        expect(text.join('\n')).toMatch(pattern);
        return;
      }
      throw new Error(`accepted ${JSON.stringify(input)}`);
    };
    fails({ action: 'explode' }, /not valid/);
    fails({ action: 'delay(1, 2, 3)' }, /takes 2 arguments/);
    fails({ action: { type: 'delay' } }, /rules\[0\]\.action\.ms/);
    fails({ action: 'nxdomain', probability: 2 }, /probability/);
    fails({ action: 'nxdomain', client: 'nobody' }, /not an IP address/);
    fails({ action: 'nxdomain', name: '/[/' }, /regular expression/);
    fails({ action: { type: 'answer', records: [{ type: 'A', data: '::1' }] } }, /IPv4/);
    fails({ action: 'nxdomain', colour: 'red' }, /colour|unrecognized/i);
  });

  it('matches names exactly (case-insensitive), by wildcard and by regex', () => {
    const m = (name: string) => compileMatcher(parseRule({ name, action: 'drop' }));
    expect(m('API.svc.test.')(q())).toBe(true);
    expect(m('svc.test')(q())).toBe(false);
    expect(m('*.svc.test')(q())).toBe(true);
    expect(m('*.svc.test')(q({ name: 'svc.test' }))).toBe(false);
    expect(m('/^api\\./')(q())).toBe(true);
    expect(m('/^web\\./')(q())).toBe(false);
    expect(m('*')(q({ name: 'anything.example' }))).toBe(true);
  });

  it('matches record types, client addresses and CIDRs, and transports', () => {
    const m = (extra: object) => compileMatcher(parseRule({ ...extra, action: 'drop' }));
    expect(m({ type: ['a', 'AAAA'] })(q())).toBe(true);
    expect(m({ type: 'MX' })(q())).toBe(false);
    expect(m({ client: '127.0.0.0/8' })(q({ client: '::ffff:127.0.0.5' }))).toBe(true);
    expect(m({ client: ['10.0.0.1', '::1'] })(q({ client: '::1' }))).toBe(true);
    expect(m({ client: '10.0.0.0/8' })(q())).toBe(false);
    expect(m({ transport: 'tcp' })(q())).toBe(false);
    expect(m({})(q())).toBe(true);
  });
});
