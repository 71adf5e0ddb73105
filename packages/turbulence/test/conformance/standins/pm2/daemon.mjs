/**
 * Stand-in for the pm2 daemon: supervises named apps the way pm2 does for chrisp777's experiments.
 *
 *   node daemon.mjs STORAGE=quotes/storage.mjs RETRIEVAL=quotes/retrieval.mjs
 *
 * - Each app is forked (scripts relative to the stand-ins folder) with the daemon's environment and cwd, and
 *   counts as online once it sends `{ ready: true }` over IPC.
 * - `NAME.pid` in the cwd always holds the app's current pid (the experiments `pkill -F STORAGE.pid`).
 * - An app that exits while it should be running (killed by a signal, crashed) is respawned at once, like pm2's
 *   autorestart; `stop` keeps it down and removes its pid file; `restart` stops and starts it.
 * - Commands arrive from the `pm2` stand-in CLI over HTTP on the unix socket `$PM2_HOME/rpc.sock`.
 * - SIGTERM/SIGINT stop every app, then the daemon. Prints `READY {...}` once every app is online.
 */
import { fork } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { announceReady, die, sendJson } from '../lib/serve.mjs';

const STANDINS = join(dirname(fileURLToPath(import.meta.url)), '..');
const KILL_TIMEOUT_MS = 1600; // pm2's default kill_timeout
const READY_TIMEOUT_MS = 10_000;
const home = process.env.PM2_HOME ?? die('PM2_HOME is not set');

/** @type {Map<string, {name: string, script: string, child?: import('node:child_process').ChildProcess, wanted: boolean, restarts: number}>} */
const apps = new Map();
for (const arg of process.argv.slice(2)) {
  const [name, script] = arg.split('=');
  if (!name || !script) die(`expected NAME=script, got ${JSON.stringify(arg)}`);
  apps.set(name, { name, script: join(STANDINS, script), wanted: false, restarts: 0 });
}
let shuttingDown = false;

const pidPath = (app) => join(process.cwd(), `${app.name}.pid`);

function spawnApp(app) {
  return new Promise((resolve, reject) => {
    const child = fork(app.script, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    app.child = child;
    writeFileSync(pidPath(app), `${child.pid}\n`);
    const timer = setTimeout(() => reject(new Error(`${app.name} did not become ready`)), READY_TIMEOUT_MS);
    child.on('message', (m) => {
      if (m && m.ready) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${app.name} exited before it was ready (${signal ?? code})`));
      if (app.child !== child) return;
      app.child = undefined;
      if (app.wanted && !shuttingDown) {
        app.restarts += 1;
        spawnApp(app).catch((err) => process.stderr.write(`pm2 stand-in: ${err.message}\n`));
      } else {
        rmSync(pidPath(app), { force: true });
      }
    });
  });
}

async function startApp(app) {
  if (app.child) return;
  app.wanted = true;
  await spawnApp(app);
}

async function stopApp(app) {
  app.wanted = false;
  const child = app.child;
  if (!child) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function findApp(target) {
  if (apps.has(target)) return apps.get(target);
  const base = parse(target).name.toLowerCase();
  return [...apps.values()].find((a) => a.name.toLowerCase() === base || parse(a.script).name === base);
}

const COMMANDS = {
  start: startApp,
  stop: stopApp,
  restart: async (app) => {
    await stopApp(app);
    await startApp(app);
  },
};

function describe(app) {
  return {
    name: app.name,
    pid: app.child?.pid ?? null,
    status: app.child ? 'online' : 'stopped',
    restarts: app.restarts,
  };
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://pm2');
  const cmd = url.pathname.slice(1);
  if (cmd === 'list') return sendJson(res, 200, [...apps.values()].map(describe));
  const run = COMMANDS[cmd];
  if (!run) return sendJson(res, 400, { error: `unknown command ${JSON.stringify(cmd)}` });
  const target = url.searchParams.get('name') ?? '';
  const app = findApp(target);
  if (!app) return sendJson(res, 404, { error: `Process or Namespace ${target} not found` });
  try {
    await run(app);
    sendJson(res, 200, describe(app));
  } catch (err) {
    sendJson(res, 500, { error: err.message });
  }
}

async function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  await Promise.all([...apps.values()].map(stopApp));
  rmSync(join(home, 'rpc.sock'), { force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

const sock = join(home, 'rpc.sock');
rmSync(sock, { force: true });
const rpc = createServer((req, res) => void handle(req, res));
await new Promise((resolve) => rpc.listen(sock, resolve));
await Promise.all([...apps.values()].map(startApp));
announceReady({ service: 'pm2', socket: sock, apps: [...apps.values()].map(describe) });
