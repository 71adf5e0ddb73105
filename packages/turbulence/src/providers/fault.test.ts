import { describe, expect, it } from 'vitest';
import type { FaultSpec } from '../core/fault.js';
import { Rng } from '../core/rng.js';
import { isTurbulenceError, ErrorCodes, TurbulenceError } from '../core/errors.js';
import { faultProvider, toFaultSpec } from './fault.js';
import type { FaultInjector, ProviderContext } from './types.js';

/** A tiny FAKE FaultInjector: records what it was asked and answers like the real one would. */
class FakeFaultInjector implements FaultInjector {
  calls: { spec: FaultSpec; owner: { activity: string } }[] = [];
  constructor(private readonly refuse?: string) {}
  inject(spec: FaultSpec, owner: { activity: string }) {
    this.calls.push({ spec, owner });
    if (this.refuse) return Promise.reject(new TurbulenceError(ErrorCodes.BLAST_RADIUS, this.refuse));
    return Promise.resolve([
      {
        id: 'f-1',
        kind: spec.kind,
        target: { id: 'pid:42', type: 'process', name: 'api (pid 42)', attributes: { pid: 42 } },
      },
    ]);
  }
}

const ctx = (faults?: FaultInjector, activity?: string): ProviderContext & { activity?: string } => ({
  configuration: {},
  secrets: {},
  signal: new AbortController().signal,
  baseDir: '.',
  rng: new Rng(1),
  strict: false,
  ...(faults ? { faults } : {}),
  ...(activity ? { activity } : {}),
});

describe('fault provider', () => {
  it('parses select and duration and hands the spec to the run with the activity as owner', async () => {
    const fake = new FakeFaultInjector();
    const out = await faultProvider.run(
      {
        type: 'fault',
        kind: 'process.kill',
        target: { name: 'api' },
        select: 'count(2)',
        params: { signal: 'SIGKILL' },
        duration: '30s',
      },
      ctx(fake, 'kill-api'),
    );
    expect(fake.calls).toEqual([
      {
        spec: {
          kind: 'process.kill',
          target: { name: 'api' },
          select: { mode: 'count', value: 2 },
          params: { signal: 'SIGKILL' },
          durationMs: 30_000,
        },
        owner: { activity: 'kill-api' },
      },
    ]);
    expect(out).toEqual({
      faults: [{ id: 'f-1', kind: 'process.kill', target: { id: 'pid:42', name: 'api (pid 42)' } }],
    });
  });

  it("leaves the owner's activity empty for the run's injector to fill in when the context does not name it", async () => {
    const fake = new FakeFaultInjector();
    await faultProvider.run({ type: 'fault', kind: 'process.stop' }, ctx(fake));
    expect(fake.calls[0]?.owner).toEqual({ activity: '' });
  });

  it('reads a numeric duration as seconds', () => {
    expect(toFaultSpec({ type: 'fault', kind: 'x.y', duration: 2.5 }).durationMs).toBe(2500);
  });

  it('fails without a run to own the fault', async () => {
    const err = await faultProvider.run({ type: 'fault', kind: 'process.kill' }, ctx()).catch((e: unknown) => e);
    expect(isTurbulenceError(err, 'TURB_ERR_ACTIVITY_FAILED')).toBe(true);
    expect((err as Error).message).toBe('fault provider needs a run');
  });

  it('fails the activity on a bad selection mode, before injecting anything', async () => {
    const fake = new FakeFaultInjector();
    const err = await faultProvider
      .run({ type: 'fault', kind: 'process.kill', select: 'some' }, ctx(fake))
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/selection mode "some" is not valid/);
    expect(fake.calls).toHaveLength(0);
  });

  it('turns a refusal of the run into a failed activity that names the kind', async () => {
    const err = await faultProvider
      .run({ type: 'fault', kind: 'process.kill' }, ctx(new FakeFaultInjector('max-targets 1 exceeded')))
      .catch((e: unknown) => e);
    expect(isTurbulenceError(err, 'TURB_ERR_ACTIVITY_FAILED')).toBe(true);
    expect((err as Error).message).toBe('fault process.kill: max-targets 1 exceeded');
  });
});
