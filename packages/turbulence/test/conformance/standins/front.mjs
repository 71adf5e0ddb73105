/**
 * Stand-in for an application's front door (the walkthrough's `front_url`, the k8s packs' entry point URL):
 * HTTP on FRONT_PORT (default: any free port, printed in the READY line), answers 200 to every request and
 * counts them (`GET /__count` returns the count, so a test can tell whether anything was called).
 */
import { createServer } from 'node:http';
import { announceReady, envPort, exitOnTerm, listenLoopback, sendJson } from './lib/serve.mjs';

let count = 0;
const { servers, port } = await listenLoopback(
  () =>
    createServer((req, res) => {
      if (req.url === '/__count') return sendJson(res, 200, { count });
      count += 1;
      sendJson(res, 200, { front: 'ok' });
    }),
  envPort('FRONT_PORT', 0),
);
exitOnTerm(servers);
announceReady({ service: 'front', port, pid: process.pid });
