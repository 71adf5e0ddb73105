import { describe, expect, it } from 'vitest';
import { activityFailed } from '../providers/types.js';
import { checkTolerance, describeTolerance, toleranceSchema, type ToleranceContext } from './tolerance.js';
import { translateJsonPath } from './tolerance/jsonpath.js';
import { parseDecimal } from './tolerance/range.js';
import { pythonRegex } from './tolerance/regex.js';
import type { ProbeTolerance, Tolerance } from './types.js';

/** Substitution as the runner does it, over a tiny scope: a lone `${name}` keeps its type. */
const scope: Record<string, unknown> = { port: 8080, word: 'ready', code: '"ok"' };
const substitute = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  const lone = /^\$\{(\w+)\}$/.exec(v);
  if (lone && lone[1]! in scope) return scope[lone[1]!];
  return v.replace(/\$\{(\w+)\}/g, (m, k: string) => (k in scope ? String(scope[k]) : m));
};
const ctx: ToleranceContext = { substitute };
const check = (t: Tolerance, output: unknown, c: ToleranceContext = ctx) => checkTolerance(t, output, c);
const http = (status: number, body: unknown = '') => ({ status, headers: {}, body });

describe('boolean tolerances', () => {
  it('compares the output with Python ==, so true equals 1', async () => {
    expect((await check(true, true)).met).toBe(true);
    expect((await check(true, 1)).met).toBe(true);
    expect(await check(false, true)).toEqual({ met: false, reason: 'output true is not false' });
  });

  it('are checked before integers: true against an http output is not met', async () => {
    expect((await check(true, http(200))).met).toBe(false);
  });
});

describe('integer tolerances', () => {
  it('compare with the status of an http or process output', async () => {
    expect(await check(200, http(200))).toEqual({ met: true, reason: 'status 200 is 200' });
    expect(await check(0, { status: 1, stdout: '', stderr: '' })).toEqual({ met: false, reason: 'status 1 is not 0' });
  });

  it('compare with the output itself otherwise', async () => {
    expect((await check(3, 3)).met).toBe(true);
    expect((await check(3, '3')).met).toBe(false);
  });

  it('refuse a float', async () => {
    await expect(check(1.5, 1.5)).rejects.toThrow(/unsupported/);
  });
});

describe('string tolerances', () => {
  it('compare after substitution', async () => {
    expect((await check('${word}', 'ready')).met).toBe(true);
    expect((await check('is ${word}', 'is ready')).met).toBe(true);
    expect(await check('done', 'ready')).toEqual({ met: false, reason: 'output "ready" is not "done"' });
  });

  it('keep the type of a lone ${name}', async () => {
    expect((await check('${port}', 8080)).met).toBe(true);
    expect((await check('${port}', '8080')).met).toBe(false);
  });
});

describe('list tolerances', () => {
  it('test membership of the status when the output has one', async () => {
    expect(await check([200, 201], http(503))).toEqual({ met: false, reason: 'status 503 not in [200,201]' });
    expect((await check([200, 201], http(201))).met).toBe(true);
  });

  it('read exactly two items as an inclusive range for a plain output (the quirk)', async () => {
    expect(await check([200, 201], 200.5)).toEqual({ met: true, reason: '200.5 in range [200,201]' });
    expect((await check([1, 3], 3)).met).toBe(true);
    expect((await check([1, 3], 4)).met).toBe(false);
    expect((await check(['a', 'c'], 'b')).met).toBe(true);
  });

  // chaoslib/hypothesis.py: `tolerance[0] <= value <= tolerance[1]` raises TypeError across types: aborted.
  it('raise (the run aborts) when the two-item range cannot compare the types', async () => {
    await expect(check([1, 3], 'x')).rejects.toThrow(/"x" cannot be compared with range \[1,3\].*TypeError/);
    await expect(check([1, 3], null)).rejects.toThrow(/TypeError/);
    expect((await check([0, 1], true)).met).toBe(true); // bool is an int
  });

  it('test membership for other lengths', async () => {
    expect((await check([1, 2, 3], 2)).met).toBe(true);
    expect((await check(['ok'], 'ok')).met).toBe(true);
    expect(await check([1, 5, 9], 2)).toEqual({ met: false, reason: '2 not in [1,5,9]' });
  });
});

describe('range tolerances', () => {
  it('include both bounds and read the target', async () => {
    const t: Tolerance = { type: 'range', range: [0, 10], target: 'body' };
    expect(await check(t, http(200, '10'))).toEqual({ met: true, reason: 'body 10 in range [0, 10]' });
    expect(await check(t, http(200, ' 10.5 '))).toEqual({ met: false, reason: 'body 10.5 not in range [0, 10]' });
  });

  it('fall back to the whole output when the target key is missing (value.get(target, value))', async () => {
    await expect(check({ type: 'range', range: [1, 2], target: 'nope' }, { other: 1 })).rejects.toThrow(
      /TypeError: conversion from dict to Decimal/,
    );
    expect((await check({ type: 'range', range: [1, 2], target: 'nope' }, { nope: 1.5 })).met).toBe(true);
  });

  // chaoslib/hypothesis.py: `value.get(target, value)` on a non-dict is AttributeError; Decimal(None) is TypeError.
  it('raise (the run aborts) on a target of a non-object and on null, as Python does', async () => {
    await expect(check({ type: 'range', range: [1, 2], target: 'body' }, 1.5)).rejects.toThrow(/AttributeError/);
    await expect(check({ type: 'range', range: [1, 2] }, null)).rejects.toThrow(/conversion from NoneType/);
  });

  it('are not met for values that are not decimals', async () => {
    expect(await check({ type: 'range', range: [0, 10], target: 'stdout' }, { stdout: '5ms' })).toEqual({
      met: false,
      reason: 'stdout "5ms" is not a number',
    });
  });

  it('parse decimals like Python Decimal', () => {
    expect(parseDecimal('1_000')).toBe(1000);
    expect(parseDecimal('1e3')).toBe(1000);
    expect(parseDecimal('.5')).toBe(0.5);
    expect(parseDecimal(true)).toBe(1);
    expect(parseDecimal('1__0')).toBeUndefined();
    expect(parseDecimal(null)).toBeUndefined();
    expect(parseDecimal('')).toBeUndefined();
  });
});

describe('regex tolerances', () => {
  it('search (not full-match) the target after substituting the pattern', async () => {
    const t: Tolerance = { type: 'regex', pattern: 'is ${word}', target: 'stdout' };
    expect(await check(t, { status: 0, stdout: 'service is ready\n' })).toEqual({
      met: true,
      reason: 'stdout matches /is ready/',
    });
    expect((await check(t, { status: 0, stdout: 'service is down' })).met).toBe(false);
  });

  // chaoslib/hypothesis.py: `rx.search(value)` on a dict or an int raises TypeError: the run aborts.
  it('raise (the run aborts) when the value is not text', async () => {
    await expect(check({ type: 'regex', pattern: '1' }, 1)).rejects.toThrow(/TypeError: expected string/);
    await expect(check({ type: 'regex', pattern: 'ok' }, http(200, { a: 1 }))).rejects.toThrow(/TypeError/);
    expect((await check({ type: 'regex', pattern: 'ok', target: 'body' }, http(200, 'ok'))).met).toBe(true);
  });

  it('accept Python syntax', () => {
    expect(pythonRegex('(?P<n>\\d+)-(?P=n)').test('12-12')).toBe(true);
    expect(pythonRegex('\\Aok\\Z').test('ok')).toBe(true);
    expect(pythonRegex('\\Aok\\Z').test('ok\n')).toBe(false);
    expect(pythonRegex('(?i)READY').test('ready')).toBe(true);
  });
});

describe('jsonpath tolerances', () => {
  const body = {
    items: [
      { a: 'x', n: 1 },
      { a: 'y', n: 2 },
    ],
    error: null,
  };

  it('pass when anything matches, with neither expect nor count', async () => {
    expect((await check({ type: 'jsonpath', path: '$.items[0].a' }, body)).met).toBe(true);
    expect(await check({ type: 'jsonpath', path: '$.missing' }, body)).toEqual({
      met: false,
      reason: '$.missing matched nothing',
    });
  });

  it('count matches, as the walkthrough labs do on a text body that holds JSON', async () => {
    const t: Tolerance = { type: 'jsonpath', target: 'body', path: '$.error', count: 0 };
    expect(await check(t, http(200, '{"ok":true}'))).toEqual({
      met: true,
      reason: '$.error in body matched 0 value(s)',
    });
    expect((await check(t, http(500, '{"error":"boom"}'))).met).toBe(false);
  });

  it('compare the matched values with expect, a scalar being wrapped in a list, expect winning over count', async () => {
    expect((await check({ type: 'jsonpath', path: '$.items[*].n', expect: [1, 2], count: 5 }, body)).met).toBe(true);
    expect((await check({ type: 'jsonpath', path: '$.items[1].a', expect: 'y' }, body)).met).toBe(true);
    expect(await check({ type: 'jsonpath', path: '$.items[1].a', expect: 'x' }, body)).toEqual({
      met: false,
      reason: '$.items[1].a matched ["y"], expected ["x"]',
    });
  });

  it('substitute path and expect', async () => {
    expect(
      (await check({ type: 'jsonpath', path: '$.items[0].a', expect: '${word}' }, { items: [{ a: 'ready' }] })).met,
    ).toBe(true);
  });

  it('accept the jsonpath2 filter dialect with a single =, and, or, not', async () => {
    const one = (path: string) => check({ type: 'jsonpath', path, count: 1 }, body);
    expect((await one('$.items[*][?(@.a = "x")]')).met).toBe(true);
    expect((await one('$.items.*[?(@.n > 1 and not @.a = "x")]')).met).toBe(true);
    expect((await one('$.items[?(@.a="y" or @.n=5)]')).met).toBe(true);
    expect((await one('$.items[?(@.n = "1")]')).met).toBe(false);
  });

  it('run the rollout sample filter from the playground', async () => {
    const prom = { data: { result: [{ value: [1, '0'] }, { value: [2, '0'] }] } };
    const t: Tolerance = { type: 'jsonpath', path: '$.data.result.*[?(@.value[1]!="0")]', count: 0 };
    expect((await check(t, prom)).met).toBe(true);
    expect((await check(t, { data: { result: [{ value: [1, '3'] }] } })).met).toBe(false);
  });

  /*
   * The jsonpath2 dialect, one row per rule of jsonpath2/expressions/operator.py (BinaryOperatorExpression.evaluate:
   * `any(callback(l, r) for l in left for r in right)`; LessThan.. and GreaterThan..: `isinstance(x, (float, int))`
   * on both sides, else False; NotUnaryOperatorExpression: `not x`), as chaoslib/hypothesis.py runs it through
   * `JSONPath.parse_str(path).match(value)`.
   */
  const doc = {
    items: [
      { name: 'a', n: 1, v: '0.7', ok: true, tags: ['x', 'y'] },
      { name: 'b', n: 2.0, v: 0.7, ok: false, zero: 0 },
      { name: 'c', n: '3' },
    ],
  };
  const dialect: [string, string[]][] = [
    ['$.items[*][?(@.name = "a")]', ['a']],
    ['$.items[?(@.name == "a")]', ['a']], // == accepted as =
    ['$.items[?(@.n = 2)]', ['b']], // Python ==: 2.0 == 2
    ['$.items[?(@.n = "3")]', ['c']], // "3" is not 3
    ['$.items[?(@.ok = 1)]', ['a']], // True == 1
    ['$.items[?(@.ok != true)]', ['b']], // c has no "ok": != on a missing field does not match
    ['$.items[?(@.zero != 1)]', ['b']],
    ['$.items[?(@.v > 0.5)]', ['b']], // "0.7" > 0.5 is False: ordering compares numbers only
    ['$.items[?(@.n >= 2)]', ['b']], // "3" is a string
    ['$.items[?(@.n < 2)]', ['a']],
    ['$.items[?(@.n <= 1)]', ['a']],
    ['$.items[?(@.ok > 0)]', ['a']], // bool is an int in Python
    ['$.items[?(@.zero)]', ['b']], // existence, even for 0
    ['$.items[?(not @.zero)]', ['a', 'c']],
    ['$.items[?(not @.name = "a")]', ['b', 'c']], // not binds looser than =
    ['$.items[?(@.n > 1 and not @.name = "c")]', ['b']],
    ['$.items[?(@.name = "a" or @.n = "3")]', ['a', 'c']],
    ['$.items[?(not (@.ok or @.zero))]', ['c']],
    ['$.items[?(@.tags[*] = "y")]', ['a']], // any match of the left side
    ['$.items[?(@.tags[1] = "y")]', ['a']],
    ['$.items.*[?(@.name = "x = y and z")]', []], // operators inside strings are text
    ['$.items[?(@["name"] = \'b\')]', ['b']],
    ['$.items[?(@.n = $.items[0].n)]', ['a']], // $ is the document root
  ];
  it.each(dialect)('follow jsonpath2: %s', async (path, names) => {
    const t: Tolerance = { type: 'jsonpath', path: `${path}.name`, expect: names };
    const r = await check(t, doc);
    expect(r.reason).toContain(`matched ${JSON.stringify(names)}`);
    expect(r.met).toBe(true);
  });

  it('turn every filter into a call the interpreter answers', () => {
    expect(translateJsonPath('$.a[*][?(@.b = 1)].c[?(@.d)]').path).toBe('$.a[?(__f0(@))].c[?(__f1(@))]');
    expect(translateJsonPath('$.plain.path[0]')).toEqual({ path: '$.plain.path[0]', filters: [] });
  });

  it('never match a Prometheus string value with >, as chaos run does (issue 15 item 3)', async () => {
    const prom = { data: { result: [{ value: [1700000000, '0.9'] }] } };
    const t: Tolerance = { type: 'jsonpath', path: '$.data.result[?(@.value[1] > 0.5)]', count: 1 };
    expect((await check(t, prom)).met).toBe(false);
  });
});

describe('probe tolerances', () => {
  const tol: ProbeTolerance = {
    type: 'probe',
    name: 'error-count',
    provider: { type: 'module', module: './t.js', func: 'ok', arguments: { limit: 3 } },
  };

  it('pass the value as the argument "value" and use Python truthiness of the result', async () => {
    const seen: unknown[] = [];
    const runProbe = (p: ProbeTolerance) => {
      seen.push((p.provider as { arguments: unknown }).arguments);
      return Promise.resolve(
        ((p.provider as unknown as { arguments: { value: number } }).arguments.value < 3 ? 1 : []) as unknown,
      );
    };
    expect(await check(tol, 2, { substitute, runProbe })).toEqual({
      met: true,
      reason: "probe 'error-count' returned 1",
    });
    expect((await check(tol, 5, { substitute, runProbe })).met).toBe(false);
    expect(seen).toEqual([
      { limit: 3, value: 2 },
      { limit: 3, value: 5 },
    ]);
    expect(tol.provider).toEqual({ type: 'module', module: './t.js', func: 'ok', arguments: { limit: 3 } });
  });

  it('are not met when the probe fails', async () => {
    const runProbe = () => Promise.reject(activityFailed('ZeroDivisionError: division by zero'));
    expect(await check(tol, 1, { substitute, runProbe })).toEqual({
      met: false,
      reason: "probe 'error-count' failed: ZeroDivisionError: division by zero",
    });
  });

  // chaoslib/hypothesis.py: `tolerance["provider"]["arguments"]["value"] = value` is a KeyError without arguments.
  it('raise (the run aborts) when the provider has no arguments', async () => {
    const bare = { ...tol, provider: { type: 'module', module: './t.js', func: 'ok' } } as ProbeTolerance;
    await expect(check(bare, 1, { substitute, runProbe: () => Promise.resolve(true) })).rejects.toThrow(
      /KeyError: 'arguments'/,
    );
  });

  it('let other errors through', async () => {
    const runProbe = () => Promise.reject(new Error('bug'));
    await expect(check(tol, 1, { substitute, runProbe })).rejects.toThrow('bug');
  });
});

describe('unsupported tolerances', () => {
  it('are refused with Chaos Toolkit message', async () => {
    await expect(check({ type: 'nope' } as unknown as Tolerance, 1)).rejects.toThrow(
      'hypothesis probe tolerance type "nope" is unsupported',
    );
    await expect(check(null as unknown as Tolerance, null)).rejects.toThrow(/unsupported/);
  });

  it('are rejected by the schema, which accepts every valid form', () => {
    for (const ok of [true, 200, 'x', [1, 2], { type: 'range', range: [0, 1] }, { type: 'regex', pattern: 'a' }]) {
      expect(toleranceSchema.safeParse(ok).success).toBe(true);
    }
    const bad = (v: unknown) => toleranceSchema.safeParse(v).error?.issues.map((i) => i.message);
    expect(bad(1.5)).toEqual(['a float tolerance (1.5) is not supported; use an integer, a list or {type: "range"}']);
    expect(bad(null)).toEqual(['hypothesis probe tolerance null is unsupported']);
    expect(bad({ type: 'xpath' })).toEqual(['hypothesis probe tolerance type "xpath" is unsupported']);
    expect(bad({ type: 'range', range: [0] })).toEqual(['range must be a list of two numbers [low, high]']);
  });
});

describe('describeTolerance', () => {
  it('renders every form briefly', () => {
    expect(describeTolerance(true)).toBe('== true');
    expect(describeTolerance([200, 201])).toBe('in [200,201]');
    expect(describeTolerance({ type: 'range', range: [0, 5], target: 'body' })).toBe('range [0, 5] of body');
    expect(describeTolerance({ type: 'regex', pattern: '^ok', target: 'stdout' })).toBe('regex /^ok/ on stdout');
    expect(describeTolerance({ type: 'jsonpath', path: '$.error', count: 0 })).toBe('jsonpath $.error count 0');
    expect(describeTolerance({ type: 'probe', name: 'p', provider: { type: 'tcp', host: 'h', port: 1 } })).toBe(
      'probe p',
    );
  });
});
