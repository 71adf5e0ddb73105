/**
 * Stand-in for chrisp777's quote storage service: `GET /` answers 200 with the stored quotes.
 * Environment: STORAGE_PORT (required, so a respawned process comes back on the same URL).
 * Killed by SIGHUP (Node's default), which is what the experiment's `pkill -HUP -F STORAGE.pid` relies on.
 */
import { createServer } from 'node:http';
import { announceReady, envPort, exitOnTerm, listenLoopback, sendJson } from '../lib/serve.mjs';

const QUOTES = [
  { id: 1, text: 'Everything fails, all the time.' },
  { id: 2, text: 'Hope is not a strategy.' },
];

const port = envPort('STORAGE_PORT');
const { servers } = await listenLoopback(
  () => createServer((_req, res) => sendJson(res, 200, { quotes: QUOTES, pid: process.pid })),
  port,
);
exitOnTerm(servers);
announceReady({ service: 'storage', port, pid: process.pid });
