/**
 * One replica of the demo service: a tiny HTTP server on 127.0.0.1. Started by `turbulence demo` under the
 * supervisor: `node replica.js <name> <port>`.
 */
import { createServer } from 'node:http';

const [name = 'replica', portText = '0'] = process.argv.slice(2);
let served = 0;

const server = createServer((req, res) => {
  served++;
  const body = JSON.stringify({ replica: name, ok: true, served, path: req.url });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});

server.keepAliveTimeout = 1000;
server.listen(Number(portText), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
