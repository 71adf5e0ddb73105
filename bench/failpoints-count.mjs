/**
 * Child of `bench/failpoints.ts --only=count`, run under valgrind (callgrind) with `--dump-before=getpriority`: plain
 * JavaScript on the built package (`npm run build`), so no TypeScript loader runs in the measured process.
 *
 * It sets a rule on the target that does not match, warms up both sides, then runs blocks of calls in the order
 * A B B A A B B A ... (A: the original function, kept aside before the rule was set; B: through the patched module
 * property). `os.getPriority()` (the only getpriority(2) call after start-up) marks each block boundary, so every
 * callgrind dump holds the instructions of one block.
 *
 *   node bench/failpoints-count.mjs readFile|http.get WARM BLOCKS CALLS [HOST:PORT]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { rulesEngine } from '../packages/failpoints/dist/rules/engine.js';

const [name, warm, blocks, calls, address = ''] = process.argv.slice(2);
const engine = rulesEngine();
let original;
let patched;
let close;
if (name === 'readFile') {
  const dir = mkdtempSync(join(tmpdir(), 'fp-count-'));
  const file = join(dir, 'small.txt');
  writeFileSync(file, 'x'.repeat(1024));
  const plain = { readFile: fsp.readFile };
  engine.set('r', { target: 'fs.promises.readFile', when: { path: '/elsewhere/**' }, action: 'error(EIO)' });
  original = () => plain.readFile(file);
  patched = () => fsp.readFile(file);
  close = () => rmSync(dir, { recursive: true, force: true });
} else if (name === 'http.get') {
  const [host, port] = address.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const opts = { host, port: Number(port), path: '/', agent };
  const plain = { get: http.get };
  engine.set('h', { target: 'http.get', when: { host: 'elsewhere.example' }, action: 'error(ECONNREFUSED)' });
  const viaGet = (get) => () =>
    new Promise((resolve, reject) => {
      get(opts, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
  original = viaGet((o, cb) => plain.get(o, cb));
  patched = viaGet((o, cb) => http.get(o, cb));
  close = () => agent.destroy();
} else {
  throw new Error(`unknown workload ${name}`);
}
for (let i = 0; i < Number(warm); i++) {
  await original();
  await patched();
}
for (let b = 0; b < Number(blocks); b++) {
  const op = (b & 1) === ((b >> 1) & 1) ? original : patched;
  getPriority();
  for (let i = 0; i < Number(calls); i++) await op();
}
getPriority();
close();
