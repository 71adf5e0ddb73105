// A small HTTP service configured the usual two ways: the environment (MAX_BODY_BYTES) and a flag (--mode).
// It listens on 127.0.0.1, port 0, and writes the port to ./port once it listens (removing it on SIGTERM).
const http = require('node:http');
const fs = require('node:fs');

const limit = Number(process.env.MAX_BODY_BYTES);
const at = process.argv.indexOf('--mode');
const mode = at > 0 ? process.argv[at + 1] : 'serve';
if (!Number.isInteger(limit) || limit < 0) {
  console.error(`MAX_BODY_BYTES=${JSON.stringify(process.env.MAX_BODY_BYTES)} is not a byte count`);
  process.exit(78); // EX_CONFIG
}
const server = http.createServer((req, res) => {
  if (mode === 'maintenance') return res.writeHead(503).end('down for maintenance\n');
  let size = 0;
  req.on('data', (c) => (size += c.length));
  req.on('end', () => res.writeHead(size > limit ? 413 : 200).end(size > limit ? 'too large\n' : 'ok\n'));
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync('port.tmp', String(server.address().port));
  fs.renameSync('port.tmp', 'port');
});
process.on('SIGTERM', () => {
  fs.rmSync('port', { force: true });
  process.exit(0);
});
