import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editArgs, effectiveSpec, removeOverride, writeOverride } from './overrides.js';
import { managedSpecSchema } from './record.js';

describe('editing a flag in an argument list', () => {
  it('changes a value written as --flag value or --flag=value, and keeps everything else', () => {
    expect(editArgs(['--port', '8080', '-v'], { flag: '--port', value: '9999' })).toEqual(['--port', '9999', '-v']);
    expect(editArgs(['-v', '--port=8080'], { flag: '--port', value: '9999' })).toEqual(['-v', '--port=9999']);
  });

  it('removes a flag with its value, and adds a missing one before "--" only with create', () => {
    expect(editArgs(['--port', '8080', '-v'], { flag: '--port', remove: true })).toEqual(['-v']);
    expect(editArgs(['-v', '--debug'], { flag: '--debug', remove: true })).toEqual(['-v']);
    expect(editArgs(['-v', '--', 'file'], { flag: '--port', value: '1', create: true })).toEqual([
      '-v',
      '--port',
      '1',
      '--',
      'file',
    ]);
    expect(() => editArgs(['--port', '1', '--', '--mode'], { flag: '--mode', value: 'x' })).toThrow(/no flag --mode/);
  });

  it('names the flags there when one is missing', () => {
    expect(() => editArgs(['--mode', 'calm'], { flag: '--mdoe', value: 'x' })).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/did you mean "--mode"/) as unknown }),
    );
  });
});

describe('the spec a process starts with', () => {
  it('applies its overrides oldest first and only its own; removing them gives the spec back', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tb-overrides-'));
    try {
      const spec = managedSpecSchema.parse({ name: 'web', command: 'web', args: ['--port', '1'], env: { A: 'a' } });
      await writeOverride(
        { id: 'f1', managed: 'web', at: '2026-01-01T00:00:01Z', env: { name: 'A', value: 'x' } },
        home,
      );
      await writeOverride(
        { id: 'f2', managed: 'web', at: '2026-01-01T00:00:02Z', env: { name: 'B', value: null } },
        home,
      );
      await writeOverride(
        { id: 'f3', managed: 'web', at: '2026-01-01T00:00:03Z', arg: { flag: '--port', value: '2' } },
        home,
      );
      await writeOverride(
        { id: 'g', managed: 'db', at: '2026-01-01T00:00:00Z', env: { name: 'A', value: 'db' } },
        home,
      );
      const eff = effectiveSpec(spec, home);
      expect(eff.spec.env).toEqual({ A: 'x' });
      expect(eff.spec.args).toEqual(['--port', '2']);
      expect(eff.unset).toEqual(['B']);
      expect(eff.applied).toEqual(['f1', 'f2', 'f3']);
      for (const id of ['f1', 'f2', 'f3']) await removeOverride(id, home);
      expect(effectiveSpec(spec, home)).toEqual({ spec, unset: [], applied: [] });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
