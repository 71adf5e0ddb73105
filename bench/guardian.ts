/**
 * What the guardian costs while it waits, and how soon it reverts a fault whose owner is gone, against baselines
 * measured in the same script:
 *
 *   1. RSS of the idle guardian (compiled `dist/`, a fault an hour from expiry in its ledger) vs a bare
 *      `node -e 'setInterval(() => {}, 1e9)'`;
 *   2. wake-ups per minute while idle: its own counters (timer firings, ledger-watch wake-ups; enabled by
 *      TURBULENCE_GUARDIAN_STATS) and, when strace is there, the event-loop syscalls (epoll_wait) of both processes
 *      over the same window;
 *   3. time from a fault's expiry to its revert: a `process.stop` ledger entry whose owner is dead, expiring 2 s
 *      after it is written; the victim's state is polled every 2 ms until it is no longer `T` (goal < 1 s).
 *
 *   npm run build && npx tsx bench/guardian.ts [--quick]    (root not needed; strace needs ptrace rights)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../packages/turbulence/src/faults/ledger.js';
import type { LedgerEntry } from '../packages/turbulence/src/faults/ledger.js';
import { readProc } from '../packages/turbulence/src/os/proc.js';
import { deadPid, processStopEntry } from '../packages/turbulence/test/support/ledger-entries.js';

const quick = process.argv.includes('--quick');
const WINDOW_MS = quick ? 20_000 : 60_000;
const ENTRY = join(import.meta.dirname, '../packages/turbulence/dist/faults/guardian/main.js');
if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssKiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** Counts a process's syscalls for `ms` with `strace -c -f`; returns calls of epoll_wait (event-loop wake-ups). */
async function epollWaits(pid: number, ms: number): Promise<number | undefined> {
  if (!hasStrace) return undefined;
  const tracer = spawn('strace', ['-c', '-f', '-e', 'trace=epoll_wait,epoll_pwait', '-p', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let out = '';
  tracer.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await sleep(ms);
  tracer.kill('SIGINT');
  await new Promise((r) => tracer.on('exit', r));
  const m = /\s(\d+)\s+(?:\d+\s+)?epoll_p?wait/.exec(out);
  return m ? Number(m[1]) : 0;
}

const home = mkdtempSync(join(tmpdir(), 'turbulence-bench-guardian-'));
const ledger = new Ledger(join(home, 'ledger'));
const stats = join(home, 'stats.json');
const children: ChildProcess[] = [];
const victims: number[] = [];

const deadOwner = (): LedgerEntry['owner'] => ({
  pid: deadPid(),
  startTime: '1',
  host: hostname(),
  cmd: 'bench (dead)',
});
const victim = (): number => {
  const pid = Number(
    execFileSync('sh', ['-c', '(exec sleep 600) </dev/null >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }),
  );
  victims.push(pid);
  return pid;
};
const stopEntry = (id: string, pid: number, expiresInMs: number): Promise<LedgerEntry> =>
  processStopEntry(id, pid, deadOwner(), expiresInMs);

try {
  // Baseline: a bare Node process with one far timer.
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
  children.push(bare);

  // The guardian, waiting for a fault an hour away (its owner is dead, so it is the guardian's to revert).
  const far = victim();
  process.kill(far, 'SIGSTOP');
  await ledger.record(await stopEntry('bench-far', far, 3_600_000));
  const guardian = spawn(process.execPath, [ENTRY, '--ledger', ledger.dir], {
    stdio: 'ignore',
    env: { ...process.env, TURBULENCE_GUARDIAN_STATS: stats },
  });
  children.push(guardian);
  await sleep(2000); // both settled
  const readStats = () =>
    JSON.parse(readFileSync(stats, 'utf8')) as { timerWakeups: number; watchWakeups: number; passes: number };
  const before = readStats();
  const [bareWaits, guardianWaits] = await Promise.all([
    epollWaits(bare.pid!, WINDOW_MS),
    epollWaits(guardian.pid!, WINDOW_MS),
  ]);
  if (!hasStrace) await sleep(WINDOW_MS);
  const after = readStats();
  const perMin = (n: number) => (n * 60_000) / WINDOW_MS;
  const rss = { bare: rssKiB(bare.pid!), guardian: rssKiB(guardian.pid!) };

  // Expiry → revert, with the guardian already running (it learns of each new entry through its ledger watch).
  const latencies: number[] = [];
  for (let i = 0; i < (quick ? 3 : 6); i++) {
    const pid = victim();
    process.kill(pid, 'SIGSTOP');
    const entry = await stopEntry(`bench-expire-${i}`, pid, 2000);
    await ledger.record(entry);
    const expiresAt = Date.parse(entry.expiresAt!);
    const deadline = expiresAt + 10_000;
    while (Date.now() < deadline && (await readProc(pid))?.state === 'T') await sleep(2);
    latencies.push(Date.now() - expiresAt);
  }

  const kib = (n: number) => `${(n / 1024).toFixed(1)} MiB`;
  console.log(
    `guardian bench (${WINDOW_MS / 1000} s idle window, strace ${hasStrace ? 'yes' : 'no'}, load ${readFileSync(
      '/proc/loadavg',
      'utf8',
    )
      .split(' ')
      .slice(0, 3)
      .join(' ')})`,
  );
  console.log(
    `  RSS: bare node ${kib(rss.bare)}, guardian ${kib(rss.guardian)} (${(rss.guardian / rss.bare).toFixed(2)}×)`,
  );
  console.log(
    `  idle wake-ups/min (own counters): timer ${perMin(after.timerWakeups - before.timerWakeups).toFixed(1)}, ` +
      `ledger watch ${perMin(after.watchWakeups - before.watchWakeups).toFixed(1)}, passes ${perMin(after.passes - before.passes).toFixed(1)}`,
  );
  if (bareWaits !== undefined && guardianWaits !== undefined) {
    console.log(
      `  epoll_wait calls/min: bare node ${perMin(bareWaits).toFixed(1)}, guardian ${perMin(guardianWaits).toFixed(1)}`,
    );
  }
  console.log(
    `  expiry → revert: median ${median(latencies)} ms, max ${Math.max(...latencies)} ms over ${latencies.length} (goal < 1000 ms): ${latencies.join(', ')}`,
  );
} finally {
  for (const c of children) c.kill('SIGKILL');
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(home, { recursive: true, force: true });
}
