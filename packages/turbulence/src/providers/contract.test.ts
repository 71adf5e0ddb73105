/**
 * The contract every provider in the list keeps (STYLE.md §7): a new provider gets these checks by adding an
 * example below, and fails here until it has one.
 */
import { describe, expect, it } from 'vitest';
import { isTurbulenceError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { getProvider, providerSchema, providers, providerTypes, requireProvider } from './index.js';
import type { ProviderContext } from './types.js';

/** A minimal valid provider object per type, aimed at nothing that answers (port 1 on loopback). */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  http: { type: 'http', url: 'http://127.0.0.1:1/' },
  process: { type: 'process', path: 'true' },
  python: { type: 'python', module: 'os.path', func: 'exists', arguments: { path: '/' } },
  module: { type: 'module', module: './nowhere.mjs', func: 'f' },
  tcp: { type: 'tcp', host: '127.0.0.1', port: 1 },
  fault: { type: 'fault', kind: 'process.stop' },
  dns: { type: 'dns', server: '127.0.0.1:1', name: 'example.test' },
  k8s: { type: 'k8s', probe: 'pods-ready', selector: 'app=web', kubeconfig: '/nonexistent/kubeconfig' },
  docker: { type: 'docker', name: 'no-such-container-turbulence' },
  powerfulseal: { type: 'powerfulseal', scenarios: [{ name: 'wait a bit', steps: [{ wait: { seconds: 1 } }] }] },
  'litmus-probe': {
    type: 'litmus-probe',
    probe: 'cmdProbe',
    inputs: { command: 'echo ok', comparator: { type: 'string', criteria: 'equal', value: 'ok' } },
  },
};

function abortedCtx(): ProviderContext {
  const ac = new AbortController();
  ac.abort();
  return { configuration: {}, secrets: {}, signal: ac.signal, baseDir: '.', rng: new Rng(1), strict: false };
}

describe('the provider list', () => {
  it('has one definition per type, each with an example here', () => {
    const types = providerTypes();
    expect(new Set(types).size).toBe(types.length);
    expect(types.filter((t) => !(t in EXAMPLES))).toEqual([]);
  });

  it('answers undefined for an unknown type, and requireProvider names the known ones', () => {
    expect(getProvider('htp')).toBeUndefined();
    expect(() => requireProvider('htp')).toThrow(/provider type "htp" is unknown/);
  });

  it('rejects an unknown type in the provider schema with the list of types', () => {
    const issues = providerSchema.safeParse({ type: 'grpc' }).error?.issues ?? [];
    expect(issues[0]?.message).toMatch(/provider type must be one of: http, process/);
  });
});

describe.each(providers.map((p) => [String(p.type), p] as const))('provider %s', (type, def) => {
  const example = EXAMPLES[type] ?? {};

  it('accepts its example and refuses an unknown key, naming the nearest valid one (issue 13)', () => {
    expect(def.schema.safeParse(example).success).toBe(true);
    expect(providerSchema.safeParse(example).success).toBe(true);
    const parsed = def.schema.safeParse({ ...example, 'x-note': 1 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/"x-note" is not a key of the [\w-]+ provider/);
    const key = Object.keys(example).find((k) => k.length >= 3 && k !== 'type') as string;
    const typo = def.schema.safeParse({ ...example, [`${key}x`]: example[key] });
    expect(typo.error?.issues[0]?.message).toContain(`did you mean ${JSON.stringify(key)}?`);
  });

  it('rejects another type and a missing required key', () => {
    expect(def.schema.safeParse({ ...example, type: 'other' }).success).toBe(false);
    const required = Object.keys(example).find(
      (k) => k !== 'type' && !def.schema.safeParse({ ...example, [k]: undefined }).success,
    );
    expect(required).toBeDefined();
  });

  it('substitutes only keys its schema declares', () => {
    const shape = (def.schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    expect(def.substitute.filter((key) => !(key in shape))).toEqual([]);
    expect(def.substitute).not.toContain('type');
  });

  it('describes itself in one line', () => {
    const text: unknown = def.describe?.(example) ?? type;
    expect(typeof text).toBe('string');
    expect(String(text)).not.toContain('\n');
  });

  it('fails the activity, without hanging, when the run is already aborted', async () => {
    const started = Date.now();
    const err = await def.run(example as never, abortedCtx()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTurbulenceError(err, 'TURB_ERR_ACTIVITY_FAILED')).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
