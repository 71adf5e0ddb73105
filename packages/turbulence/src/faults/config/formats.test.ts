import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { isTurbulenceError } from '../../core/errors.js';
import { corruptEdit, deleteEdit, setEdit, wrongType } from './edits.js';
import { formatOf } from './formats/index.js';
import { parseKeyPath } from './key-path.js';

const ctx = { rng: new Rng(3), signal: new AbortController().signal };
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (isTurbulenceError(err)) return err;
    throw err;
  }
  throw new Error('did not throw');
};

function edit(file: string, text: string, kind: 'set' | 'delete', params: Record<string, unknown>): string {
  const format = formatOf(file);
  const input = { file, bytes: Buffer.from(text), text, format, ctx };
  const p = { force: false, create: false, ...params } as never;
  const out = kind === 'set' ? setEdit({ ...input, params: p }) : deleteEdit({ ...input, params: p });
  return Buffer.from(out.bytes).toString('utf8');
}

describe('key paths', () => {
  it('splits dots, indexes and quoted keys', () => {
    expect(parseKeyPath('server.port')).toEqual(['server', 'port']);
    expect(parseKeyPath('a.b[2].c')).toEqual(['a', 'b', 2, 'c']);
    expect(parseKeyPath('hosts["eu.west"].ip')).toEqual(['hosts', 'eu.west', 'ip']);
  });

  it('refuses paths that are not paths, saying where', () => {
    expect(errorOf(() => parseKeyPath('a..b')).message).toMatch(/empty key at 3/);
    expect(errorOf(() => parseKeyPath('a[x]')).message).toMatch(/neither an index nor a quoted key/);
    expect(errorOf(() => parseKeyPath('a.')).message).toMatch(/ends with a dot/);
  });
});

describe('config formats', () => {
  const yaml = '# top\nserver:\n  port: 8080 # the port\n  hosts: [a, b]\nlist:\n  - {c: 1}\n';

  it('YAML: sets a value and keeps every comment and the flow style', () => {
    expect(edit('x.yaml', yaml, 'set', { key: 'server.port', value: 9999 })).toBe(yaml.replace('8080', '9999'));
    expect(edit('x.yml', yaml, 'set', { key: 'list[0].c', value: 'two' })).toBe(yaml.replace('c: 1', 'c: two'));
    expect(edit('x.yaml', yaml, 'delete', { key: 'server.hosts' })).toBe(yaml.replace('  hosts: [a, b]\n', ''));
  });

  it('names the missing part of a key path and what is there instead', () => {
    const e = errorOf(() => edit('x.yaml', yaml, 'set', { key: 'server.prot', value: 1 }));
    expect(e.message).toMatch(/key server\.prot not found: server has no key "prot"/);
    expect(e.hint).toMatch(/did you mean "port"/);
    expect(errorOf(() => edit('x.yaml', yaml, 'set', { key: 'list[3].c', value: 1 })).message).toMatch(
      /list has 1 item\(s\), so there is no \[3\]/,
    );
    expect(errorOf(() => edit('x.yaml', yaml, 'set', { key: 'server.port.x', value: 1 })).message).toMatch(
      /server\.port is a plain value/,
    );
  });

  it('adds a missing last key only with create', () => {
    expect(edit('x.yaml', yaml, 'set', { key: 'server.tls', value: true, create: true })).toMatch(/tls: true/);
  });

  it('JSON: keeps indentation, key order and the trailing newline', () => {
    const json = '{\n    "b": 1,\n    "a": {"x": [1, 2]}\n}\n';
    expect(edit('c.json', json, 'set', { key: 'a.x[1]', value: 5 })).toBe(
      '{\n    "b": 1,\n    "a": {\n        "x": [\n            1,\n            5\n        ]\n    }\n}\n',
    );
    expect(edit('c.json', '{"a":1,"b":2}', 'delete', { key: 'a' })).toBe('{"b":2}');
  });

  it('TOML, INI and .env by key path', () => {
    expect(edit('c.toml', '[server]\nport = 80\n', 'set', { key: 'server.port', value: 81 })).toMatch(/port = 81/);
    expect(edit('c.ini', 'debug = false\n[server]\nport = 80\n', 'set', { key: 'server.port', value: 81 })).toBe(
      'debug = false\n[server]\nport = 81\n',
    );
    const env = '# db\nexport DB_URL="postgres://x"\nPORT=80\n\n# end\n';
    expect(edit('.env', env, 'set', { key: 'PORT', value: 'not a port' })).toBe(
      env.replace('PORT=80', 'PORT="not a port"'),
    );
    expect(edit('prod.env', env, 'delete', { key: 'DB_URL' })).toBe(env.replace('export DB_URL="postgres://x"\n', ''));
  });

  it('TOML and INI: an edit of a one-line key keeps every comment and the layout', () => {
    const toml =
      '# service\n[server]  # the listener\nport   = 8080 # public\nname = "a#b" # quoted hash\n\n[db]\nurl = "x"\n';
    expect(edit('c.toml', toml, 'set', { key: 'server.port', value: 9999 })).toBe(toml.replace('8080', '9999'));
    expect(edit('c.toml', toml, 'set', { key: 'server.name', value: 'z' })).toBe(toml.replace('"a#b"', '"z"'));
    expect(edit('c.toml', toml, 'delete', { key: 'db.url' })).toBe(toml.replace('url = "x"\n', ''));
    expect(edit('c.toml', 'a.b = 1 # dotted\n', 'set', { key: 'a.b', value: 2 })).toBe('a.b = 2 # dotted\n');
    const ini = '; app\n[server]\nport    = 8080 ; public\nhost    = 0.0.0.0\n';
    expect(edit('c.ini', ini, 'set', { key: 'server.port', value: 1 })).toBe(ini.replace('8080', '1'));
    expect(edit('c.ini', ini, 'delete', { key: 'server.host' })).toBe(ini.replace('host    = 0.0.0.0\n', ''));
  });

  it('TOML: a value the line edit cannot place is written by the library (comments lost, values right)', () => {
    const multi = '# c\n[server]\nports = [\n  80,\n  81,\n]\n';
    const out = edit('c.toml', multi, 'set', { key: 'server.ports', value: [1] });
    expect(out).not.toContain('# c');
    expect(formatOf('c.toml').get('c.toml', out, ['server', 'ports'])).toEqual([1]);
  });

  it('refuses a file that does not parse, with line and column', () => {
    for (const [file, text, line] of [
      ['a.yaml', 'a: [1,\n', 2],
      ['a.json', '{\n "a": ,}', 2],
      ['a.toml', 'a = 1\nb = [', 2],
      ['a.ini', 'a=1\n[broken\n', 2],
      ['.env', 'A=1\nnot an assignment\n', 2],
    ] as const) {
      const e = errorOf(() => formatOf(file).check(file, text));
      expect(e.code).toBe('TURB_ERR_TARGET_REFUSED');
      expect(e.location?.line).toBe(line);
    }
  });

  it('guesses the format from the name, and says how to give it otherwise', () => {
    expect(formatOf('/etc/app/.env.local').name).toBe('env');
    expect(errorOf(() => formatOf('/etc/app/config')).hint).toMatch(/--param format=yaml\|json\|toml\|ini\|env/);
  });
});

describe('config.corrupt', () => {
  const corrupt = (file: string, text: string, params: Record<string, unknown>) =>
    corruptEdit({
      file,
      bytes: Buffer.from(text),
      text,
      format: formatOf(file),
      ctx: { rng: new Rng(9), signal: ctx.signal },
      params: { keep: 0.5, count: 4, force: false, ...params } as never,
    });

  it('syntax mode makes every format fail its own check', () => {
    for (const [file, text] of [
      ['a.yaml', 'a: 1\n'],
      ['a.json', '{"a":1}\n'],
      ['a.toml', 'a = 1\n'],
      ['a.ini', 'a = 1\n'],
      ['.env', 'A=1\n'],
    ] as const) {
      const out = Buffer.from(corrupt(file, text, { mode: 'syntax' }).bytes).toString();
      expect(() => formatOf(file).check(file, out)).toThrow(/is not valid/);
    }
  });

  it('type mode gives a key a value of another type', () => {
    expect(wrongType(8080).value).toBe('not-a-number');
    expect(wrongType('yes').value).toBe('not-a-boolean');
    expect(wrongType('db').value).toBe(12345);
    const out = corrupt('a.yaml', 'port: 8080 # p\n', { mode: 'type', key: 'port' });
    expect(Buffer.from(out.bytes).toString()).toBe('port: not-a-number # p\n');
  });

  it('truncate keeps the given fraction; bytes changes exactly the seeded bytes', () => {
    expect(corrupt('a.yaml', 'abcdefgh', { mode: 'truncate' }).bytes.length).toBe(4);
    const a = corrupt('a.yaml', 'a: 1\nb: 2\n', { mode: 'bytes' });
    const b = corrupt('a.yaml', 'a: 1\nb: 2\n', { mode: 'bytes' });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(Buffer.from(a.bytes).equals(Buffer.from('a: 1\nb: 2\n'))).toBe(false);
  });
});
