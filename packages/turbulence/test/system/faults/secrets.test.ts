/**
 * Secrets stay out of what turbulence leaves on disk (issue 14): the ledger records the command line without
 * `--var` values, the home and ledger directories are private, and the journal of a run that used secrets is 0600.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { Ledger } from '../../../src/faults/ledger.js';
import { FaultManager } from '../../../src/faults/manager.js';
import { runCli as run } from '../../support/cli.js';
import { hasProc, killOrphans, spawnOrphan, tempHome } from './helpers.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe.skipIf(!hasProc)('secrets on disk', { timeout: 90_000 }, () => {
  let env: ReturnType<typeof tempHome>;
  const argv = process.argv;
  beforeEach(() => {
    env = tempHome();
  });
  afterEach(async () => {
    process.argv = argv;
    await killOrphans();
    env.restore();
  });

  it('records the owner command without --var values, in a 0700 home and ledger', async () => {
    const home = join(env.home, 'fresh-home');
    const ledger = new Ledger(join(home, 'ledger'));
    const m = new FaultManager({ rng: new Rng(1), ledger });
    const p = await spawnOrphan();
    process.argv = [...argv.slice(0, 2), 'run', 'x.yaml', '--var', 'db_password=hunter2', '--var-file', 'prod.env'];
    try {
      const [fault] = await m.inject({ kind: 'process.stop', target: { pid: p.pid } }, { activity: 'a' });
      const text = readFileSync(ledger.fileOf(fault!.id), 'utf8');
      expect(text).not.toMatch(/hunter2|prod\.env/);
      expect(JSON.parse(text).owner.cmd).toMatch(/run x\.yaml --var db_password=\*\*\* --var-file \*\*\*$/);
      expect(mode(home)).toBe(0o700);
      expect(mode(ledger.dir)).toBe(0o700);
      expect(mode(ledger.fileOf(fault!.id))).toBe(0o600);
    } finally {
      await m.revertAll();
      m.dispose();
    }
  });

  it('tightens an existing ledger directory to 0700', async () => {
    const dir = join(env.home, 'ledger');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const ledger = new Ledger(dir);
    await ledger.record({
      id: 'process-stop-a-1',
      kind: 'process.stop',
      target: { id: 'pid:1', type: 'process', name: 'x', attributes: {} },
      params: {},
      createdAt: new Date().toISOString(),
      owner: { pid: 1, host: 'h', cmd: 'x' },
      status: 'injecting',
    });
    expect(mode(dir)).toBe(0o700);
  });

  it('writes the journal 0600 when the run used --var or an experiment secrets block, and not otherwise', async () => {
    const experiment = (extra: object) => ({
      title: 't',
      description: 'd',
      method: [{ type: 'probe', name: 'true', provider: { type: 'process', path: 'true' } }],
      ...extra,
    });
    const plain = join(env.home, 'plain.json');
    const withSecrets = join(env.home, 'secrets.json');
    writeFileSync(plain, JSON.stringify(experiment({})));
    writeFileSync(withSecrets, JSON.stringify(experiment({ secrets: { db: { password: 'hunter2' } } })));
    const journal = (name: string) => join(env.home, name);

    // An existing journal with a wide mode is narrowed too.
    writeFileSync(journal('var.json'), '{}');
    chmodSync(journal('var.json'), 0o644);
    const a = await run(['run', plain, '--journal-path', journal('var.json'), '--var', 'db_password=hunter2', '-q']);
    expect(a.code).toBe(0);
    expect(mode(journal('var.json'))).toBe(0o600);

    const b = await run(['run', withSecrets, '--journal-path', journal('block.json'), '-q']);
    expect(b.code).toBe(0);
    expect(mode(journal('block.json'))).toBe(0o600);

    const c = await run(['run', plain, '--journal-path', journal('plain-journal.json'), '-q']);
    expect(c.code).toBe(0);
    expect(mode(journal('plain-journal.json')) & 0o044).not.toBe(0); // the umask's usual 0644
    expect(readdirSync(env.home)).toContain('plain-journal.json');
  });
});
