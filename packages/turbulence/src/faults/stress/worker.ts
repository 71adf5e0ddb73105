/**
 * The Node engine of the stress faults, run as its own detached process so it outlives a crashed runner until
 * `recover` (the fault's revert) kills it. One mode per run; the `--tag` argument marks the process for revert.
 *
 *   node worker.js --tag T cpu --workers N --load P       busy threads, P % duty cycle each
 *   node worker.js --tag T memory --bytes B               allocate and touch B bytes, hold them
 *   node worker.js --tag T disk-fill --file F --bytes B   write B bytes to F (created exclusively), hold
 *   node worker.js --tag T io --dir D --bytes B           write+fsync+read+unlink B-byte files in D, in a loop
 *   node worker.js --tag T fds --count N                  open N descriptors, hold
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tag: { type: 'string' },
    workers: { type: 'string', default: '1' },
    load: { type: 'string', default: '100' },
    bytes: { type: 'string', default: '0' },
    file: { type: 'string' },
    dir: { type: 'string' },
    count: { type: 'string', default: '0' },
  },
});
const mode = positionals[0];
const bytes = Number(values.bytes);
const held: unknown[] = [];
const CHUNK = 1024 * 1024;

const SPIN = `
const { workerData } = require('node:worker_threads');
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  const until = Date.now() + workerData.busy;
  while (Date.now() < until);
  if (workerData.idle > 0) Atomics.wait(sleeper, 0, 0, workerData.idle);
}`;

if (mode === 'cpu') {
  const load = Math.min(100, Math.max(1, Number(values.load)));
  for (let i = 0; i < Number(values.workers); i++) {
    held.push(new Worker(SPIN, { eval: true, workerData: { busy: load, idle: 100 - load } }));
  }
} else if (mode === 'memory') {
  for (let left = bytes; left > 0; left -= CHUNK) held.push(Buffer.alloc(Math.min(CHUNK, left), 7));
} else if (mode === 'disk-fill') {
  // `wx`: O_CREAT|O_EXCL, never an existing file or a symlink (the file is in the fault's private directory).
  const fd = openSync(values.file as string, 'wx', 0o600);
  const chunk = Buffer.alloc(CHUNK, 7);
  try {
    for (let left = bytes; left > 0; left -= CHUNK) writeSync(fd, chunk, 0, Math.min(CHUNK, left));
    fsyncSync(fd);
  } catch (err) {
    // A full filesystem is what was asked for: keep what was written and hold it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  closeSync(fd);
} else if (mode === 'io') {
  const file = join(values.dir as string, 'io');
  const chunk = Buffer.alloc(Math.min(bytes || CHUNK, 16 * CHUNK), 7);
  const loop = (): void => {
    const fd = openSync(file, 'wx', 0o600); // a fresh file each round, created exclusively
    writeSync(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    readFileSync(file);
    unlinkSync(file);
    setImmediate(loop);
  };
  process.on('SIGTERM', () => {
    rmSync(file, { force: true });
    process.exit(0);
  });
  loop();
} else if (mode === 'fds') {
  for (let i = 0; i < Number(values.count); i++) held.push(openSync('/dev/null', 'r'));
}
setInterval(() => held.length, 60_000);
process.stdout.write('ready\n');
