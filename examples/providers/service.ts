/**
 * A tiny service for the providers example: `GET /health` answers `{"status": "ok", "errors": 0}` until
 * `POST /break` makes it answer 503 with `{"status": "degraded", "errors": 7}`; `POST /repair` puts it back.
 *
 *   npx tsx examples/providers/service.ts 8080
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts the service on 127.0.0.1 (port 0: any free port); resolves with its URL and a stop function. */
export async function startService(port = 0): Promise<{ url: string; server: Server; stop: () => Promise<void> }> {
  let broken = false;
  const server = createServer((req, res) => {
    if (req.method === 'POST' && (req.url === '/break' || req.url === '/repair')) {
      broken = req.url === '/break';
      res.writeHead(204).end();
      return;
    }
    const body = broken ? { status: 'degraded', errors: 7 } : { status: 'ok', errors: 0 };
    res.writeHead(broken ? 503 : 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { url, server, stop };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startService(Number(process.argv[2] ?? 8080));
  console.log(`service on ${url} (POST /break, POST /repair)`);
}
