/**
 * A tiny HTTP service for the `config.env` / `config.arg` tests: it listens on 127.0.0.1, port 0, writes the
 * port to `<dir>/port` once it listens (removing it on SIGTERM), and answers every request with the value of
 * `TB_MODE` and its arguments, so a test sees from outside what the restarted process really got.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SERVICE = `
const http = require('node:http');
const fs = require('node:fs');
const server = http.createServer((req, res) =>
  res.end(JSON.stringify({ env: process.env.TB_MODE ?? null, argv: process.argv.slice(2) })));
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync('port.tmp', String(server.address().port));
  fs.renameSync('port.tmp', 'port');
});
process.on('SIGTERM', () => {
  try { fs.unlinkSync('port'); } catch {}
  process.exit(143);
});
`;

/** Writes the service's script into `dir` (its working directory); returns the script's path. */
export function writeEchoService(dir: string): string {
  const path = join(dir, 'echo-service.cjs');
  writeFileSync(path, SERVICE);
  return path;
}

/** What the service in `dir` answers (polling up to 5 s while it restarts); throws when it never answers. */
export async function serviceAnswer(dir: string): Promise<{ env: string | null; argv: string[] }> {
  const deadline = Date.now() + 5000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const port = readFileSync(join(dir, 'port'), 'utf8');
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      return (await res.json()) as { env: string | null; argv: string[] };
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`the echo service in ${dir} does not answer: ${String(last)}`);
}
