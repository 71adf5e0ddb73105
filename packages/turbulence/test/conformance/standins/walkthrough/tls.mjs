/**
 * TLS plumbing shared by the astre and sunset stand-ins: both serve `cert.pem`/`key.pem` from their cwd, write
 * their pid file, and reload the certificate on SIGHUP (what the tutorial's `pkill -HUP -F astre.pid` asks for).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { announceReady, exitOnTerm, keepPidFile, listenLoopback } from '../lib/serve.mjs';

const tlsFiles = () => ({ cert: readFileSync('cert.pem'), key: readFileSync('key.pem') });

/** Starts an HTTPS service on loopback that reloads its certificate on SIGHUP. */
export async function serveTls(name, port, handler) {
  const { servers, port: actual } = await listenLoopback(() => createServer(tlsFiles(), handler), port);
  keepPidFile(`${name}.pid`);
  process.on('SIGHUP', () => {
    const files = tlsFiles();
    for (const s of servers) s.setSecureContext(files);
    process.stderr.write(`${name}: certificate reloaded\n`);
  });
  exitOnTerm(servers);
  announceReady({ service: name, port: actual, pid: process.pid });
}
