/**
 * Stand-in for the `pm2` command line (run through `standins/bin/pm2`): sends one command to the stand-in daemon
 * (`daemon.mjs`) over `$PM2_HOME/rpc.sock` and prints a pm2-like line.
 *
 *   pm2 start|stop|restart <name|script> [--name NAME]     pm2 list
 *
 * `--name` wins over the positional target (the experiments call `pm2 restart storage.js --name STORAGE`).
 * Exit code 0 on success, 1 on an error (unknown app, no daemon), as pm2 does.
 */
import { request } from 'node:http';
import { join } from 'node:path';

const [cmd, ...rest] = process.argv.slice(2);
const nameAt = rest.indexOf('--name');
const target = nameAt >= 0 ? rest[nameAt + 1] : rest.find((a) => !a.startsWith('-'));
const home = process.env.PM2_HOME;

function fail(message) {
  process.stderr.write(`[PM2][ERROR] ${message}\n`);
  process.exit(1);
}

if (!home) fail('PM2_HOME is not set (the pm2 stand-in needs its daemon)');
if (!cmd) fail('usage: pm2 start|stop|restart <name> [--name NAME] | pm2 list');
if (cmd !== 'list' && !target) fail(`pm2 ${cmd} needs an app name`);

const path = cmd === 'list' ? '/list' : `/${cmd}?name=${encodeURIComponent(target)}`;
const req = request({ socketPath: join(home, 'rpc.sock'), path, method: 'POST' }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c) => (body += c));
  res.on('end', () => {
    const data = JSON.parse(body);
    if (res.statusCode !== 200) fail(data.error);
    if (cmd === 'list') process.stdout.write(`${JSON.stringify(data)}\n`);
    else process.stdout.write(`[PM2] ${cmd} ${data.name}: ${data.status} (pid ${data.pid ?? '-'})\n`);
  });
});
req.on('error', (err) => fail(`cannot reach the pm2 daemon: ${err.message}`));
req.end();
