/**
 * What the fault model costs per fault, each against a baseline measured in the same script:
 *
 *   1. a ledger cycle (record → update → remove: three atomic, fsynced writes) vs writing and deleting the same
 *      JSON without fsync or rename;
 *   2. FaultManager inject + revert of process.stop (resolve through /proc, select, ledger, SIGSTOP, verify state T,
 *      SIGCONT) vs sending SIGSTOP, polling /proc until state T, and sending SIGCONT by hand;
 *   3. resolving a `{ pid }` target (that process and the parent chains) and a `{ name }` target (a scan of /proc).
 * Rounds alternate A/B to spread machine noise over both.
 *
 *   npx tsx bench/faults.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../packages/turbulence/src/core/rng.js';
import { Ledger } from '../packages/turbulence/src/faults/ledger.js';
import type { LedgerEntry } from '../packages/turbulence/src/faults/ledger.js';
import { FaultManager } from '../packages/turbulence/src/faults/manager.js';
import { listProcs, readProc } from '../packages/turbulence/src/os/proc.js';
import { resolveProcesses } from '../packages/turbulence/src/targets/process.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function perOp(n: number, op: (i: number) => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  return ms(t0) / n;
}

const home = mkdtempSync(join(tmpdir(), 'turbulence-bench-'));
process.env.TURBULENCE_HOME = home;
const pid = Number(
  execFileSync('sh', ['-c', '(exec sleep 600) </dev/null >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }),
);

try {
  const ledger = new Ledger(join(home, 'ledger'));
  const entry = (id: string): LedgerEntry => ({
    id,
    kind: 'process.stop',
    target: { id: `pid:${pid}`, type: 'process', name: 'sleep', attributes: { pid, startTime: '1' } },
    params: {},
    createdAt: new Date().toISOString(),
    owner: { pid: process.pid, host: 'bench', cmd: 'bench' },
    status: 'injecting',
  });
  const plain = join(home, 'plain.json');
  const ledgerRuns: number[] = [];
  const plainRuns: number[] = [];
  for (let round = 0; round < 6; round++) {
    ledgerRuns.push(
      await perOp(20, async (i) => {
        const id = `b-${round}-${i}`;
        await ledger.record(entry(id));
        await ledger.update(id, { status: 'active' });
        await ledger.remove(id);
      }),
    );
    plainRuns.push(
      await perOp(20, async (i) => {
        const text = JSON.stringify(entry(`p-${i}`), null, 2);
        await writeFile(plain, text);
        await writeFile(plain, text);
        await unlink(plain);
      }),
    );
  }

  const manager = new FaultManager({ rng: new Rng(1), ledger });
  const stopped = async () => (await readProc(pid))?.state === 'T';
  const faultRuns: number[] = [];
  const rawRuns: number[] = [];
  for (let round = 0; round < 5; round++) {
    faultRuns.push(
      await perOp(10, async () => {
        const [f] = await manager.inject({ kind: 'process.stop', target: { pid } }, { activity: 'bench' });
        await manager.revert(f!.id);
      }),
    );
    rawRuns.push(
      await perOp(10, async () => {
        process.kill(pid, 'SIGSTOP');
        while (!(await stopped())) await new Promise((r) => setTimeout(r, 1));
        process.kill(pid, 'SIGCONT');
      }),
    );
  }
  manager.dispose();

  const procs = (await listProcs()).length;
  const byPid: number[] = [];
  const byName: number[] = [];
  for (let round = 0; round < 3; round++) {
    byPid.push(await perOp(20, async () => void (await resolveProcesses({ pid }))));
    byName.push(await perOp(20, async () => void (await resolveProcesses({ name: 'sleep' }))));
  }

  const l = median(ledgerRuns);
  const p = median(plainRuns);
  const f = median(faultRuns);
  const r = median(rawRuns);
  console.log('| measure | per fault | ratio |');
  console.log('| --- | --- | --- |');
  console.log(`| plain write+write+unlink (baseline) | ${p.toFixed(2)} ms | 1.0 |`);
  console.log(`| ledger record+update+remove (fsync) | ${l.toFixed(2)} ms | ${(l / p).toFixed(1)}× |`);
  console.log(`| SIGSTOP, wait for T, SIGCONT by hand (baseline) | ${r.toFixed(2)} ms | 1.0 |`);
  console.log(`| FaultManager inject+revert process.stop | ${f.toFixed(2)} ms | ${(f / r).toFixed(1)}× |`);
  console.log(`| resolve { pid } (reads that process and parent chains) | ${median(byPid).toFixed(2)} ms | |`);
  console.log(`| resolve { name } (scans all ${procs} processes) | ${median(byName).toFixed(2)} ms | |`);
} finally {
  try {
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
  rmSync(home, { recursive: true, force: true });
}
