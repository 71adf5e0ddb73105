import { describe, expect, it } from 'vitest';
import { loadExperimentObject } from './load.js';
import { validateExperiment } from './validate.js';

const withFault = (provider: Record<string, unknown>) =>
  loadExperimentObject({
    title: 't',
    description: 'd',
    method: [{ type: 'action', name: 'inject', provider: { type: 'fault', ...provider } }],
  });

async function problems(provider: Record<string, unknown>): Promise<string[]> {
  const errors = await validateExperiment(withFault(provider), { checkProviders: false });
  return errors.map((e) => `${e.message}${e.hint ? ` (${e.hint})` : ''}`).sort();
}

describe('fault specs are validated at load time, from the kind schemas', () => {
  it('accepts a correct spec, and placeholders whose values come at run time', async () => {
    expect(await problems({ kind: 'process.kill', target: { name: 'api' }, params: { signal: 'TERM' } })).toEqual([]);
    expect(
      await problems({
        kind: 'network.loss',
        target: { lab: '${lab}' },
        params: { percent: '${loss}' },
        duration: '${d}',
      }),
    ).toEqual([]);
  });

  it('names the nearest kind for a typo, and lists the kinds for an unknown one', async () => {
    expect(await problems({ kind: 'process.kil', target: { name: 'api' } })).toEqual([
      expect.stringContaining('unknown fault kind "process.kil"; did you mean "process.kill"?'),
    ]);
    expect((await problems({ kind: 'no.such', target: {} }))[0]).toMatch(/unknown fault kind "no.such"; use one of /);
  });

  it('refuses an unknown parameter or target field with the nearest valid name', async () => {
    expect(await problems({ kind: 'process.kill', target: { nmae: 'api' }, params: { sginal: 'TERM' } })).toEqual([
      expect.stringMatching(/params\.sginal: "sginal" is not a parameter of process\.kill; did you mean "signal"\?/),
      expect.stringMatching(/target\.nmae: "nmae" is not a target field of process\.kill; did you mean "name"\?/),
    ]);
  });

  it("checks every parameter's type and range, durations and selection modes", async () => {
    const found = await problems({
      kind: 'network.loss',
      target: { lab: 'x' },
      params: { percent: 130 },
      duration: '5x',
      select: 'cnt(2)',
    });
    expect(found).toEqual([
      expect.stringMatching(/duration: "5x" is not a duration/),
      expect.stringMatching(/params\.percent: must be ≤ 100/),
      expect.stringMatching(/select: selection mode "cnt\(2\)" is not valid/),
    ]);
    expect(await problems({ kind: 'process.kill', target: { name: 'x' }, params: { signal: 'SIGNOPE' } })).toEqual([
      expect.stringMatching(/"SIGNOPE" is not a signal/),
    ]);
  });

  it('refuses targets that can only be a mistake: PID 1, pid ≤ 0, turbulence itself', async () => {
    for (const pid of [1, 0, -1, process.pid, String(process.pid)]) {
      expect(await problems({ kind: 'process.stop', target: { pid } })).toEqual([
        expect.stringMatching(/target\.pid: refusing to target pid /),
      ]);
    }
  });

  it('asks for a target when the kind has no default one', async () => {
    expect(await problems({ kind: 'process.kill' })).toEqual([expect.stringMatching(/process\.kill needs a "target"/)]);
    expect(await problems({ kind: 'stress.cpu', duration: '1s' })).toEqual([]);
  });

  it('never lets zod wording reach the user', async () => {
    const all = [
      ...(await problems({ kind: 'limit.io', target: { lab: 'x' }, params: { device: 3 } })),
      ...(await problems({ kind: 'failpoint.set', target: {}, params: {} })),
      ...(await problems({ kind: 'time.skew', target: { pid: 'x' }, params: {} })),
    ];
    expect(all.length).toBeGreaterThan(2);
    for (const m of all) expect(m).not.toMatch(/nonoptional|received undefined|Invalid input|Unrecognized key/);
  });
});
