/**
 * Plumbing shared by the stand-in services of the conformance suite: listen on loopback only, announce readiness,
 * keep a pid file, exit cleanly on SIGTERM/SIGINT.
 *
 * Readiness protocol: a stand-in prints one line `READY {json}` on stdout once it accepts connections (and sends
 * `{ ready: true, ... }` over IPC when it was forked, which is how the pm2 stand-in waits for its apps).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Listens with one server per loopback address: 127.0.0.1 always, ::1 when the machine has it.
 * `makeServer` is called once per address. Resolves with the servers and the port (the first one's, for port 0).
 * A busy port rejects with the `EADDRINUSE` error.
 */
export async function listenLoopback(makeServer, port) {
  const first = makeServer();
  await listenOn(first, port, '127.0.0.1');
  const actual = first.address().port;
  const servers = [first];
  const second = makeServer();
  try {
    await listenOn(second, actual, '::1');
    servers.push(second);
  } catch (err) {
    if (err.code === 'EADDRINUSE') {
      first.close();
      throw err;
    }
    // No IPv6 loopback here: 127.0.0.1 is enough.
  }
  return { servers, port: actual };
}

function listenOn(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Announces readiness on stdout (and over IPC when forked). */
export function announceReady(info) {
  process.stdout.write(`READY ${JSON.stringify(info)}\n`);
  process.send?.({ ready: true, ...info });
}

/** Writes this process's pid to `path` and removes the file on exit (only if it still names this process). */
export function keepPidFile(path) {
  writeFileSync(path, `${process.pid}\n`);
  process.on('exit', () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
    } catch {
      // already gone
    }
  });
}

/** Closes the servers and exits 0 on SIGTERM or SIGINT. */
export function exitOnTerm(servers) {
  const stop = () => {
    for (const s of servers) s.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Sends a JSON response. */
export function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Fails the stand-in with a message on stderr (exit 1), e.g. a missing environment variable. */
export function die(message) {
  process.stderr.write(`stand-in: ${message}\n`);
  process.exit(1);
}

/** An integer port from an environment variable (0 when absent and `fallback` is 0). */
export function envPort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined) {
    if (fallback === undefined) die(`${name} is not set`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) die(`${name} must be a port number, got ${JSON.stringify(raw)}`);
  return n;
}
