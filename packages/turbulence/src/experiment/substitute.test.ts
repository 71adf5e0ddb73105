import { describe, expect, it } from 'vitest';
import { hasPlaceholder, substitute, substituteString, type SubstitutionScope } from './substitute.js';

const scope: SubstitutionScope = {
  configuration: { host: 'example.test', port: 8080, flag: true, nothing: null, obj: { a: [1, 2] }, both: 'conf' },
  secrets: { db: { password: 's3cret', both: 'secret' }, api: { token: 'tok' } },
};

describe('substitute (Python string.Template.safe_substitute)', () => {
  it('replaces braced and bare names inside a string', () => {
    expect(substitute('http://${host}:$port/x', scope)).toBe('http://example.test:8080/x');
  });

  it('keeps the type when the whole string is exactly one braced placeholder', () => {
    expect(substitute('${port}', scope)).toBe(8080);
    expect(substitute('${flag}', scope)).toBe(true);
    expect(substitute('${obj}', scope)).toEqual({ a: [1, 2] });
    expect(substitute('${nothing}', scope)).toBeNull();
  });

  it('turns a bare $name alone into a string, like Template does', () => {
    expect(substitute('$port', scope)).toBe('8080');
  });

  it('writes booleans and null the way Python str() does inside a longer string', () => {
    expect(substitute('debug=${flag};x=${nothing}', scope)).toBe('debug=True;x=None');
  });

  it('treats $$ as a literal dollar and does not substitute after it', () => {
    expect(substitute('cost: $$5 and $${host}', scope)).toBe('cost: $5 and ${host}');
  });

  it('leaves unknown names, stray dollars and invalid names untouched', () => {
    expect(substitute('${missing} $ ${1abc} $-', scope)).toBe('${missing} $ ${1abc} $-');
    expect(substitute('${missing}', scope)).toBe('${missing}');
  });

  it('never matches names with dashes or dots', () => {
    const s: SubstitutionScope = { configuration: { 'some-service': 'x', 'a.b': 'y', some: 'S' }, secrets: {} };
    expect(substitute('${some-service} ${a.b}', s)).toBe('${some-service} ${a.b}');
    // the bare form stops at the dash, as in Python
    expect(substitute('$some-service', s)).toBe('S-service');
  });

  it('matches names case-insensitively by pattern but looks them up exactly', () => {
    const s: SubstitutionScope = { configuration: { Host: 'H' }, secrets: {} };
    expect(substitute('${Host} ${host} $HOST', s)).toBe('H ${host} $HOST');
  });

  it('looks up configuration first, then the secrets scopes in order', () => {
    expect(substitute('${both}', scope)).toBe('conf');
    expect(substitute('${password}/${token}', scope)).toBe('s3cret/tok');
  });

  it('walks lists and objects but never substitutes keys', () => {
    const out = substitute({ '${host}': ['${port}', { url: 'h=${host}' }], n: 3, b: false }, scope);
    expect(out).toEqual({ '${host}': [8080, { url: 'h=example.test' }], n: 3, b: false });
  });

  it('does not change its input', () => {
    const input = { a: '${port}' };
    substitute(input, scope);
    expect(input).toEqual({ a: '${port}' });
  });
});

describe('substitute: ${steps.<name>.output} (ours)', () => {
  const steps = new Map<string, unknown>([
    ['create user', { status: 201, body: { id: 'u-1', roles: ['admin', 'dev'] } }],
    ['count-items', 42],
  ]);
  const withSteps: SubstitutionScope = { ...scope, steps };

  it('gives the typed output when the placeholder is the whole string', () => {
    expect(substitute('${steps.count-items.output}', withSteps)).toBe(42);
    expect(substitute('${steps.create user.output.body}', withSteps)).toEqual({ id: 'u-1', roles: ['admin', 'dev'] });
  });

  it('follows .key and [index] paths', () => {
    expect(substitute('${steps.create user.output.body.roles[1]}', withSteps)).toBe('dev');
    expect(substitute('/users/${steps.create user.output.body.id}', withSteps)).toBe('/users/u-1');
  });

  it('writes objects as JSON inside a longer string', () => {
    expect(substitute('roles=${steps.create user.output.body.roles}', withSteps)).toBe('roles=["admin","dev"]');
  });

  it('leaves unknown activities and paths as they are', () => {
    expect(substitute('${steps.nope.output}', withSteps)).toBe('${steps.nope.output}');
    expect(substitute('x ${steps.create user.output.body.missing}', withSteps)).toBe(
      'x ${steps.create user.output.body.missing}',
    );
    expect(substitute('${steps.count-items.output}', scope)).toBe('${steps.count-items.output}');
  });

  it('respects the $$ escape', () => {
    expect(substitute('$${steps.count-items.output}', withSteps)).toBe('${steps.count-items.output}');
  });
});

describe('hasPlaceholder', () => {
  it('says whether a string holds something substitute may replace', () => {
    expect(hasPlaceholder('a ${b}')).toBe(true);
    expect(hasPlaceholder('$b')).toBe(true);
    expect(hasPlaceholder('$$ and ${a-b}')).toBe(false);
    expect(substituteString('plain', scope)).toBe('plain');
  });
});
