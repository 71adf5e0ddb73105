/**
 * `turbulence dns serve --upstream system` forwards to this machine's resolver (the first nameserver of
 * /etc/resolv.conf), so the README's example works on a typical machine. No query leaves the machine here: the
 * test reads the upstream the server announces and stops it.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { systemNameserver } from '../../src/dns/resolver.js';

const BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/turbulence.js');

let upstream: string | undefined;
try {
  upstream = systemNameserver();
} catch {
  upstream = undefined; // no nameserver in /etc/resolv.conf: nothing to forward to
}

describe.skipIf(upstream === undefined)('dns serve --upstream system', { timeout: 60_000 }, () => {
  it('forwards to the first nameserver of /etc/resolv.conf and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'dns', 'serve', '--listen', '127.0.0.1:0', '--upstream', 'system']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    for (let i = 0; i < 300 && !out.includes('turbulence dns on'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(
      new RegExp(`turbulence dns on 127\\.0\\.0\\.1:\\d+ \\(udp\\+tcp\\) → ${upstream!.replace(/[.[\]]/g, '\\$&')} `),
    );
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
