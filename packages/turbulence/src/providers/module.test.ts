import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { moduleProvider, runModule } from './module.js';
import type { ProviderContext } from './types.js';
import { activityFailure } from '../../test/support/activity-failed.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'turb-module-'));
  await writeFile(
    join(dir, 'checks.mjs'),
    `export function add(args, ctx) { return { sum: args.a + args.b, url: ctx.configuration.url, token: ctx.secrets.token }; }
export async function slow(_args, { signal }) { await new Promise((r) => setTimeout(r, 5000)); return signal.aborted; }
export function hang() { return new Promise(() => {}); }
export function fail() { throw new Error('replica 2 is down'); }`,
  );
  await writeFile(
    join(dir, 'typed.ts'),
    `interface Args { n: number }
export const double = (args: Args): number => args.n * 2;`,
  );
  await writeFile(join(dir, 'legacy.cjs'), `module.exports = { ping: () => 'pong' };`);
  await mkdir(join(dir, 'node_modules', 'turb-fake-pkg'), { recursive: true });
  await writeFile(
    join(dir, 'node_modules', 'turb-fake-pkg', 'package.json'),
    '{"name":"turb-fake-pkg","main":"index.js"}',
  );
  await writeFile(join(dir, 'node_modules', 'turb-fake-pkg', 'index.js'), `exports.version = () => '1.2.3';`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ctx(extra: Partial<ProviderContext> = {}): ProviderContext {
  return {
    configuration: { url: 'http://127.0.0.1:9' },
    secrets: { app: { token: 's3cret' }, db: { token: 'other' } },
    signal: new AbortController().signal,
    baseDir: dir,
    rng: new Rng(1),
    strict: false,
    ...extra,
  };
}

const failure = activityFailure;

describe('module provider', () => {
  it('calls a named export with arguments, configuration and the listed secrets', async () => {
    const out = await runModule(
      { type: 'module', module: './checks.mjs', func: 'add', arguments: { a: 2, b: 3 }, secrets: ['app'] },
      ctx(),
    );
    expect(out).toEqual({ sum: 5, url: 'http://127.0.0.1:9', token: 's3cret' });
  });

  it('loads TypeScript modules through tsx', async () => {
    expect(await runModule({ type: 'module', module: './typed.ts', func: 'double', arguments: { n: 21 } }, ctx())).toBe(
      42,
    );
  });

  it('finds exports of CommonJS modules and of packages next to the experiment', async () => {
    expect(await runModule({ type: 'module', module: './legacy.cjs', func: 'ping' }, ctx())).toBe('pong');
    expect(await runModule({ type: 'module', module: 'turb-fake-pkg', func: 'version' }, ctx())).toBe('1.2.3');
  });

  it('fails the activity with the error the function throws', async () => {
    expect(await failure(runModule({ type: 'module', module: './checks.mjs', func: 'fail' }, ctx()))).toBe(
      'replica 2 is down',
    );
  });

  it('names what is missing: the module, or the function and what the module exports', async () => {
    expect(await failure(runModule({ type: 'module', module: './nope.mjs', func: 'x' }, ctx()))).toMatch(
      /^module '.\/nope.mjs' cannot be loaded: /,
    );
    expect(await failure(runModule({ type: 'module', module: './checks.mjs', func: 'nope' }, ctx()))).toBe(
      "module './checks.mjs' has no function 'nope' (it exports: add, fail, hang, slow)",
    );
  });

  it('stops waiting when the run aborts, even for a function that ignores its signal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const msg = await failure(
      runModule({ type: 'module', module: './checks.mjs', func: 'hang' }, ctx({ signal: ac.signal })),
    );
    expect(msg).toMatch(/aborted/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('validates that the module and the function exist', async () => {
    const v = (module: string, func: string) =>
      moduleProvider.validate!({ type: 'module', module, func }, { baseDir: dir });
    expect(await v('./checks.mjs', 'add')).toEqual([]);
    expect((await v('./checks.mjs', 'nope'))[0]?.path).toEqual(['func']);
    expect((await v('./missing.mjs', 'x'))[0]?.path).toEqual(['module']);
  });
});
