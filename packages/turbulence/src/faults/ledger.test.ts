import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../core/errors.js';
import { Ledger } from './ledger.js';
import type { LedgerEntry } from './ledger.js';

const entry = (id: string, createdAt = '2026-11-25T15:00:00.000Z'): LedgerEntry => ({
  id,
  kind: 'process.stop',
  target: { id: 'pid:42', type: 'process', name: 'sleep (pid 42)', attributes: { pid: 42, startTime: '99' } },
  params: {},
  createdAt,
  owner: { pid: 1234, host: 'h', cmd: 'turbulence run x.yaml' },
  status: 'injecting',
});

describe('Ledger', () => {
  let dir: string;
  let ledger: Ledger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-test-'));
    ledger = new Ledger(join(dir, 'ledger'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records, updates, reads back and removes an entry, leaving no temporary files', async () => {
    await ledger.record(entry('f-1'));
    expect(await ledger.get('f-1')).toMatchObject({ id: 'f-1', status: 'injecting' });
    await ledger.update('f-1', { status: 'active', state: { paused: true } });
    expect(await ledger.get('f-1')).toMatchObject({ status: 'active', state: { paused: true } });
    expect(readdirSync(ledger.dir)).toEqual(['f-1.json']);
    await ledger.remove('f-1');
    await ledger.remove('f-1');
    expect(await ledger.get('f-1')).toBeUndefined();
    expect(readdirSync(ledger.dir)).toEqual([]);
  });

  it('lists entries oldest first and reports a corrupt file without hiding the others', async () => {
    await ledger.record(entry('b', '2026-11-25T15:00:02.000Z'));
    await ledger.record(entry('a', '2026-11-25T15:00:03.000Z'));
    await ledger.record(entry('c', '2026-11-25T15:00:01.000Z'));
    writeFileSync(join(ledger.dir, 'broken.json'), '{"id": "broken", ');
    writeFileSync(join(ledger.dir, 'wrong.json'), JSON.stringify({ id: 'wrong', kind: 'x' }));
    const { entries, corrupt } = await ledger.list();
    expect(entries.map((e) => e.id)).toEqual(['c', 'b', 'a']);
    expect(corrupt.map((c) => c.file.split('/').pop()).sort()).toEqual(['broken.json', 'wrong.json']);
    expect(corrupt.find((c) => c.file.endsWith('wrong.json'))?.error).toMatch(/not valid at target/);
  });

  it('lists nothing when the directory does not exist yet', async () => {
    expect(await new Ledger(join(dir, 'nope')).list()).toEqual({ entries: [], corrupt: [] });
  });

  it('refuses ids that could escape the directory and updates of missing entries', async () => {
    await expect(ledger.get('../etc/passwd')).rejects.toMatchObject({ code: ErrorCodes.USAGE });
    await expect(ledger.update('missing', { status: 'active' })).rejects.toMatchObject({ code: ErrorCodes.LEDGER });
  });
});
