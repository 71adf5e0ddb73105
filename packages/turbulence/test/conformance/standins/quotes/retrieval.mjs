/**
 * Stand-in for chrisp777's quote retrieval service: `GET /` answers 200 with a quote read from the storage service
 * (STORAGE_URL), or a built-in fallback quote when storage does not answer (the "fall back gracefully" the
 * experiments' descriptions ask for). Environment: RETRIEVAL_PORT, STORAGE_URL (both required).
 */
import { createServer } from 'node:http';
import { announceReady, die, envPort, exitOnTerm, listenLoopback, sendJson } from '../lib/serve.mjs';

const FALLBACK = { id: 0, text: 'No quote right now, but we are still here.' };
const storageUrl = process.env.STORAGE_URL ?? die('STORAGE_URL is not set');
const port = envPort('RETRIEVAL_PORT');

async function handle(res) {
  try {
    const r = await fetch(storageUrl, { signal: AbortSignal.timeout(1000) });
    const body = await r.json();
    sendJson(res, 200, { quote: body.quotes[0], source: 'storage' });
  } catch {
    sendJson(res, 200, { quote: FALLBACK, source: 'fallback' });
  }
}

const { servers } = await listenLoopback(() => createServer((_req, res) => void handle(res)), port);
exitOnTerm(servers);
announceReady({ service: 'retrieval', port, pid: process.pid });
