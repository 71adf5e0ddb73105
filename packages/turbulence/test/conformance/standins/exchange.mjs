/**
 * Stand-in for the service of "Learning Chaos Engineering" chapter 5: HTTP on EXCHANGE_PORT (default 8080),
 * answers 200 while `exchange.dat` exists in its cwd and 503 once it is gone.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { announceReady, envPort, exitOnTerm, listenLoopback, sendJson } from './lib/serve.mjs';

const { servers, port } = await listenLoopback(
  () =>
    createServer((_req, res) =>
      existsSync('exchange.dat')
        ? sendJson(res, 200, { exchange: 'ok' })
        : sendJson(res, 503, { error: 'exchange.dat is missing' }),
    ),
  envPort('EXCHANGE_PORT', 8080),
);
exitOnTerm(servers);
announceReady({ service: 'exchange', port, pid: process.pid });
