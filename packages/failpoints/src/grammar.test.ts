import { describe, expect, it } from 'vitest';
import { formatActions, parseActions, parseFailpointList, parseTerm } from './grammar.js';

describe('the failpoint grammar', () => {
  it('parses a bare task', () => {
    expect(parseTerm('panic')).toMatchObject({ probability: 1, count: undefined, task: 'panic', args: [] });
  });

  it('parses probability, count and argument together', () => {
    expect(parseTerm('25%3*return(x)')).toMatchObject({ probability: 0.25, count: 3, task: 'return', args: ['x'] });
  });

  it('accepts fractional percentages', () => {
    expect(parseTerm('0.5%panic').probability).toBeCloseTo(0.005);
  });

  it('splits error arguments into a code and a message that may hold commas', () => {
    expect(parseTerm('error(EIO, disk gone, sorry)').args).toEqual(['EIO', 'disk gone, sorry']);
  });

  it('keeps arrows and semicolons inside parentheses as part of the argument', () => {
    const actions = parseActions('10%return(a->b;c)->sleep(100)');
    expect(actions.map((a) => a.task)).toEqual(['return', 'sleep']);
    expect(actions[0]?.args).toEqual(['a->b;c']);
  });

  it('round-trips a chain through formatActions', () => {
    expect(formatActions(parseActions(' 10%return(x) -> 2*delay(5) '))).toBe('10%return(x)->2*delay(5)');
  });

  it.each([
    ['', /empty/],
    ['explode', /unknown task "explode"/],
    ['sleep', /needs milliseconds/],
    ['sleep(abc)', /whole milliseconds/],
    ['error', /needs a code/],
    ['pause(1)', /takes no argument/],
    ['150%panic', /above 100%/],
    ['%panic', /expected/],
  ])('rejects %j with a message that says why', (spec, message) => {
    expect(() => parseActions(spec)).toThrow(message);
  });

  it('parses the TURBULENCE_FAILPOINTS list format', () => {
    expect(parseFailpointList('a=10%return(x);b=1*panic; ;c=print(x=y)')).toEqual([
      ['a', '10%return(x)'],
      ['b', '1*panic'],
      ['c', 'print(x=y)'],
    ]);
  });

  it('names the failpoint whose spec is wrong in a list', () => {
    expect(() => parseFailpointList('a=panic;b=bogus')).toThrow(/TURBULENCE_FAILPOINTS: failpoint "b": .*unknown task/);
    expect(() => parseFailpointList('novalue')).toThrow(/expected name=actions/);
  });
});
