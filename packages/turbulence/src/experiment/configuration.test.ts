import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import {
  convertVar,
  loadConfiguration,
  loadOverrides,
  loadSecrets,
  loadVarFiles,
  parseVarFlag,
  resolveConfiguration,
} from './configuration.js';
import type { Experiment } from './types.js';

function thrown(f: () => unknown): TurbulenceError {
  try {
    f();
  } catch (err) {
    if (err instanceof TurbulenceError) return err;
    throw err;
  }
  throw new Error('expected a TurbulenceError');
}

describe('convertVar (env_var_type)', () => {
  it('converts ints, floats, bools and json like Chaos Toolkit', () => {
    expect(convertVar(' 42 ', 'int', 'k')).toBe(42);
    expect(convertVar('1_000', 'integer', 'k')).toBe(1000);
    expect(convertVar('2.5', 'float', 'k')).toBe(2.5);
    expect(convertVar('1e3', 'number', 'k')).toBe(1000);
    expect(convertVar('-inf', 'float', 'k')).toBe(-Infinity);
    expect(convertVar('No', 'bool', 'k')).toBe(false);
    expect(convertVar('0', 'bool', 'k')).toBe(false);
    expect(convertVar('FALSE', 'bool', 'k')).toBe(false);
    expect(convertVar('yes', 'bool', 'k')).toBe(true);
    expect(convertVar('anything', 'bool', 'k')).toBe(true);
    expect(convertVar('{"a":[1]}', 'json', 'k')).toEqual({ a: [1] });
    expect(convertVar('text', 'str', 'k')).toBe('text');
    expect(convertVar('raw', 'bytes', 'k')).toBe('raw');
  });

  it('names the key when a value does not convert', () => {
    const err = thrown(() => convertVar('1.5', 'int', 'port'));
    expect(err.code).toBe(ErrorCodes.CONFIGURATION);
    expect(err.message).toBe('port: cannot convert "1.5" to int: not an integer');
    expect(thrown(() => convertVar('', 'float', 'ratio')).message).toContain('ratio: cannot convert "" to float');
    expect(thrown(() => convertVar('{', 'json', 'doc')).message).toContain('doc: cannot convert "{" to json');
    expect(thrown(() => convertVar('1', 'toString', 'k')).message).toBe('k: type "toString" is unknown');
  });
});

describe('loadConfiguration', () => {
  const config = {
    inline: { nested: [1, 2] },
    port: { type: 'env', key: 'T_PORT', env_var_type: 'int' },
    host: { type: 'env', key: 'T_HOST', default: '127.0.0.1' },
    ratio: { type: 'env', key: 'T_RATIO', default: '0.5', env_var_type: 'float' },
    dyn: { type: 'probe', provider: { type: 'process', path: 'echo', arguments: 'hi' } },
    other: { type: 'custom', x: 1 },
  };

  it('reads env-typed values with their type, defaults and inline values', () => {
    const { configuration, dynamic } = loadConfiguration(config, {}, { T_PORT: '9090' });
    expect(configuration).toEqual({
      inline: { nested: [1, 2] },
      port: 9090,
      host: '127.0.0.1',
      ratio: 0.5,
      other: { type: 'custom', x: 1 },
    });
    expect(dynamic).toEqual([{ key: 'dyn', activity: { name: 'dyn', ...config.dyn } }]);
  });

  it('fails naming every key whose environment variable is missing and has no default', () => {
    const err = thrown(() =>
      loadConfiguration({ a: { type: 'env', key: 'NOPE_A' }, b: { type: 'env', key: 'NOPE_B' } }, {}, {}),
    );
    expect(err.code).toBe(ErrorCodes.CONFIGURATION);
    expect(err.message).toBe(
      'Configuration makes reference to an environment key that does not exist: NOPE_A (for "a")',
    );
    expect(err.location?.path).toEqual(['configuration', 'a']);
    expect(err.details.map((d) => d.location?.path)).toEqual([['configuration', 'b']]);
  });

  it('lets an override replace the whole definition, env-typed ones included', () => {
    const { configuration } = loadConfiguration(config, { port: 1, extra: 'x' }, {});
    expect(configuration.port).toBe(1);
    expect(configuration.extra).toBe('x');
  });
});

describe('loadSecrets', () => {
  it('reads inline, env and nested secrets', () => {
    const secrets = loadSecrets(
      {
        k8s: { token: { type: 'env', key: 'T_TOKEN' }, inline: 'v', nested: { deep: { type: 'env', key: 'T_DEEP' } } },
      },
      {},
      { T_TOKEN: 'abc', T_DEEP: 'd' },
    );
    expect(secrets).toEqual({ k8s: { token: 'abc', inline: 'v', nested: { deep: 'd' } } });
  });

  it('has no default for env secrets and refuses vault clearly', () => {
    const err = thrown(() =>
      loadSecrets({ s: { a: { type: 'env', key: 'NOPE' }, b: { type: 'vault', path: 'secret/x' } } }, {}, {}),
    );
    expect(err.message).toContain('Secrets makes reference to an environment key that does not exist: NOPE');
    const vault = err.details[0] as TurbulenceError;
    expect(vault.code).toBe(ErrorCodes.UNAVAILABLE);
    expect(vault.message).toBe('b: HashiCorp Vault secrets are not supported by turbulence');
    expect(vault.location?.path).toEqual(['secrets', 's', 'b']);
  });

  it('applies var-file secrets key by key', () => {
    expect(loadSecrets({ s: { a: '1', b: '2' } }, { s: { b: 'B' } }, {})).toEqual({ s: { a: '1', b: 'B' } });
  });
});

describe('parseVarFlag', () => {
  it('parses key=value and key:type=value', () => {
    expect(parseVarFlag('host=a=b')).toEqual({ key: 'host', value: 'a=b' });
    expect(parseVarFlag('port:int=8080')).toEqual({ key: 'port', value: 8080 });
    expect(parseVarFlag('on:bool=no')).toEqual({ key: 'on', value: false });
    expect(parseVarFlag('empty=')).toEqual({ key: 'empty', value: '' });
  });

  it('rejects flags without a key or with a bad value as usage errors', () => {
    expect(thrown(() => parseVarFlag('novalue')).code).toBe(ErrorCodes.USAGE);
    expect(thrown(() => parseVarFlag('=x')).code).toBe(ErrorCodes.USAGE);
    expect(thrown(() => parseVarFlag('port:int=abc')).message).toContain('--var port: cannot convert "abc" to int');
  });
});

describe('var files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-vars-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('merges JSON and YAML files in order, later files winning', async () => {
    const a = file('a.json', JSON.stringify({ configuration: { x: 1, y: 1 }, secrets: { s: { p: 'a', q: 'a' } } }));
    const b = file('b.yaml', 'configuration:\n  y: 2\nsecrets:\n  s:\n    q: b\n');
    expect(await loadVarFiles([a, b], {})).toEqual({
      configuration: { x: 1, y: 2 },
      secrets: { s: { p: 'a', q: 'b' } },
    });
  });

  it('copies a .env file into the environment', async () => {
    const env: Record<string, string | undefined> = {};
    const path = file('vars.env', 'T_ONE=1\n# comment\nT_TWO="two words"\n');
    expect(await loadVarFiles([path], env)).toEqual({ configuration: {}, secrets: {} });
    expect(env).toEqual({ T_ONE: '1', T_TWO: 'two words' });
  });

  it('rejects other file types and malformed shapes', async () => {
    await expect(loadVarFiles([file('x.txt', 'a')], {})).rejects.toThrow('must be .json, .yaml, .yml or .env');
    await expect(loadVarFiles([file('bad.json', '{"configuration": 3}')], {})).rejects.toThrow(
      'must hold {configuration: {...}, secrets: {scope: {...}}}',
    );
    await expect(loadVarFiles([join(dir, 'missing.json')], {})).rejects.toThrow('cannot read var file');
  });

  it('puts --var flags above every var file, and .env values feed env-typed configuration', async () => {
    const env: Record<string, string | undefined> = {};
    const overrides = await loadOverrides({
      varFiles: [file('c.json', JSON.stringify({ configuration: { x: 'file' } })), file('d.env', 'T_FROM_ENV=7\n')],
      vars: ['x=flag'],
      env,
    });
    const experiment = {
      title: 't',
      description: 'd',
      method: [],
      configuration: { x: 'own', n: { type: 'env', key: 'T_FROM_ENV', env_var_type: 'int' } },
      secrets: { s: { k: 'v' } },
    } as Experiment;
    expect(resolveConfiguration(experiment, overrides, env)).toEqual({
      configuration: { x: 'flag', n: 7 },
      secrets: { s: { k: 'v' } },
      dynamic: [],
    });
  });
});
