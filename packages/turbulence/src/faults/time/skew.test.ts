import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppliedFault } from '../../core/fault.js';
import { Rng } from '../../core/rng.js';
import { skewDriver } from './skew.js';

const dir = mkdtempSync(join(tmpdir(), 'tb-skew-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = () => ({ rng: new Rng(1), signal: new AbortController().signal });
const resolve = (clockFile: string) => skewDriver.resolveTargets({ clockFile }, ctx());

describe('time.skew on a clockFile target', () => {
  it('moves the offset in an existing clock file and puts +0 back on revert', async () => {
    const file = join(dir, 'app.clock');
    writeFileSync(file, '+0\n');
    const [target] = await resolve(file);
    const params = skewDriver.params.parse({ offset: '+1h' });
    const fault: AppliedFault<typeof params> = { id: 'f', kind: 'time.skew', target: target!, params };
    fault.state = (await skewDriver.inject(target!, params, ctx())) ?? undefined;
    expect(readFileSync(file, 'utf8')).toBe('+3600\n');
    expect(await skewDriver.verify!(fault, ctx())).toBe(true);
    await skewDriver.revert(fault, ctx());
    await skewDriver.revert(fault, ctx());
    expect(readFileSync(file, 'utf8')).toBe('+0\n');
  });

  it('refuses a file that is not a clock file, and leaves it as it was', async () => {
    const file = join(dir, 'passwd');
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n');
    await expect(resolve(file)).rejects.toThrow(/is not a faketime clock file.*refusing to overwrite/);
    const target = { id: 'clock:x', type: 'clock', name: file, attributes: { clockFile: file } };
    await expect(skewDriver.inject(target, skewDriver.params.parse({ offset: 60 }), ctx())).rejects.toThrow(
      /not a faketime clock file/,
    );
    expect(readFileSync(file, 'utf8')).toBe('root:x:0:0:root:/root:/bin/bash\n');
  });

  it('refuses a path in a directory that does not exist (a typo)', async () => {
    await expect(resolve(join(dir, 'no-such-dir', 'app.clock'))).rejects.toThrow(
      /directory .*no-such-dir does not exist/,
    );
  });

  it('refuses a clock file that does not exist instead of creating one nobody reads', async () => {
    await expect(resolve(join(dir, 'app.clokc'))).rejects.toThrow(/clock file .*app\.clokc does not exist/);
  });

  it('refuses a symlink and a directory', async () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, '+0\n');
    symlinkSync(victim, join(dir, 'link.clock'));
    await expect(resolve(join(dir, 'link.clock'))).rejects.toThrow(/is a symlink/);
    await expect(resolve(dir)).rejects.toThrow(/not a regular file/);
  });
});
