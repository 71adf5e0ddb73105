/**
 * `turbulence lab up|down|status|exec LABFILE`: namespace hosts on a private bridge with real services.
 *
 * `up` starts a detached supervisor (`lab up --foreground` in the background), waits until the lab is ready and
 * returns; `down` works from the state file, also after a crash.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { labDown, labExecArgv, labStatus, labUp } from '../../lab/lab.js';
import { loadLabFile } from '../../lab/spec.js';
import { listLabs, readLabState, type LabDnsState } from '../../lab/state.js';
import { labsDir } from '../../os/home.js';
import { alive, sleep } from '../../os/signals.js';
import { serveUntilInterrupted } from '../signals.js';
import { addLogOptions, announce, createLogger, logEvents, type LogFlags } from '../logger.js';
import { parseNumber } from '../parse.js';

/** A lab file path, or the name of a lab that is up. */
function labName(fileOrName: string): string {
  return existsSync(fileOrName) ? loadLabFile(fileOrName).name : fileOrName;
}

async function upForeground(file: string, flags: LogFlags): Promise<void> {
  const spec = loadLabFile(file);
  const logger = createLogger(flags);
  const stopLogging = logEvents(logger, ['supervisor']);
  const ctrl = new AbortController();
  const lab = await labUp(spec, { file, signal: ctrl.signal });
  const hosts = lab.state.hosts.map((h) => `${h.name}=${h.address}`).join(', ');
  announce(logger, flags, `lab ${spec.name} is ready (${hosts})`, { lab: spec.name });
  if (lab.state.dns) announce(logger, flags, dnsLine(lab.state.dns));
  // The lab lives until it is taken down, even when every service has exited for good.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await serveUntilInterrupted(async () => {
    ctrl.abort();
    await lab.down().catch(() => undefined);
  });
  clearInterval(keepAlive);
  announce(logger, flags, `lab ${spec.name} is down`, { lab: spec.name });
  stopLogging();
}

async function upDetached(file: string, timeoutMs: number, flags: LogFlags): Promise<void> {
  const spec = loadLabFile(file);
  if (readLabState(spec.name)) {
    throw new TurbulenceError(ErrorCodes.CONFIGURATION, `lab "${spec.name}" is already up`, {
      hint: `run \`turbulence lab down ${file}\` first`,
    });
  }
  const dir = join(labsDir(), spec.name);
  mkdirSync(dir, { recursive: true });
  const out = openSync(join(dir, 'supervisor.log'), 'a');
  const script = process.argv[1] as string;
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      script,
      'lab',
      'up',
      '--foreground',
      '--log-level',
      flags.logLevel,
      '--log-format',
      flags.logFormat,
      file,
    ],
    {
      detached: true,
      stdio: ['ignore', out, out],
    },
  );
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = readLabState(spec.name);
    if (state?.status === 'ready') {
      console.log(`lab ${spec.name} is up (supervisor pid ${child.pid}); hosts:`);
      for (const h of state.hosts) console.log(`  ${h.name}\t${h.address}\tnetns ${h.netns}`);
      if (state.dns) console.log(dnsLine(state.dns));
      return;
    }
    if (child.pid === undefined || !alive(child.pid)) {
      throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `lab "${spec.name}" did not come up`, {
        hint: `see ${join(dir, 'supervisor.log')} and the service logs in ${dir}/logs`,
      });
    }
    await sleep(100);
  }
  throw new TurbulenceError(ErrorCodes.TIMEOUT, `lab "${spec.name}" was not ready within ${timeoutMs} ms`, {
    hint: `it keeps starting in the background; \`turbulence lab status ${file}\` shows it, \`lab down\` removes it`,
  });
}

/** `  dns: chaos server 10.77.0.1:53 → 10.77.0.11:53, control API http://127.0.0.1:41234 (hosts n1, n2)`. */
function dnsLine(dns: LabDnsState): string {
  const api = dns.api ? `, control API ${dns.api}` : '';
  return `  dns: chaos server ${dns.nameserver}:53 → ${dns.upstream}${api} (hosts ${dns.hosts.join(', ') || 'none'})`;
}

/** `lab status` without a lab: one line per lab with a state file. */
async function listLabsCommand(json: boolean): Promise<void> {
  const labs = [];
  for (const name of listLabs()) {
    const s = await labStatus(name).catch(() => undefined); // an unreadable state file: skip it here
    if (s) labs.push(s);
  }
  if (json) return void console.log(JSON.stringify(labs, null, 2));
  if (labs.length === 0) return void console.log(`no labs are up (${labsDir()})`);
  for (const s of labs) {
    const hosts = s.hosts.map((h) => `${h.name}=${h.address}`).join(', ');
    console.log(`${s.name}: ${s.status} (supervisor ${s.supervisor.alive ? 'alive' : 'gone'}) ${hosts}`);
  }
}

export function register(program: Command): void {
  const lab = program
    .command('lab')
    .description('a lab of network-namespace hosts on a private bridge, running real services (needs root)');
  const up = lab
    .command('up')
    .argument('<labfile>', 'lab YAML file')
    .option('--foreground', 'supervise the services in this process until Ctrl-C, then take the lab down')
    .option('--timeout <seconds>', 'how long to wait for readiness', '120')
    .description('build the namespaces, bridge and links, start the services and wait until they are ready');
  addLogOptions(up).action(async (file: string, opts: LogFlags & { foreground?: boolean; timeout: string }) => {
    if (opts.foreground) await upForeground(file, opts);
    else await upDetached(file, parseNumber('--timeout', opts.timeout, { above: 0 }) * 1000, opts);
  });
  lab
    .command('down')
    .argument('<labfile-or-name>', 'lab YAML file or lab name')
    .description('stop the services and remove everything the lab created (works after a crash)')
    .action(async (target: string) => {
      const result = await labDown(labName(target));
      console.log(result.found ? `removed ${result.namespaces.join(', ')}` : 'lab is not up; nothing to remove');
    });
  lab
    .command('status')
    .argument('[labfile-or-name]', 'lab YAML file or lab name (without it: list the labs)')
    .option('--json', 'print JSON')
    .description('show hosts, addresses and services of a lab, or list the labs that are up')
    .action(async (target: string | undefined, opts: { json?: boolean }) => {
      if (target === undefined) return listLabsCommand(opts.json === true);
      const s = await labStatus(labName(target));
      if (opts.json) return void console.log(JSON.stringify(s ?? null, null, 2));
      if (!s) return void console.log('lab is not up');
      console.log(`lab ${s.name}: ${s.status} (supervisor ${s.supervisor.alive ? 'alive' : 'gone'})`);
      if (s.dns) console.log(`${dnsLine(s.dns)}${s.dns.serving ? '' : ' NOT SERVING (supervisor gone)'}`);
      for (const h of s.hosts) {
        console.log(`  ${h.name}\t${h.address}\t${h.present ? h.netns : `${h.netns} MISSING`}`);
        for (const svc of h.services) {
          const live = svc.alive ? `pid ${svc.pid}` : 'not running';
          console.log(`    ${svc.name}: ${svc.status}, ${live}, restarts ${svc.restarts}, log ${svc.log}`);
        }
      }
    });
  lab
    .command('exec')
    .argument('<labfile-or-name>', 'lab YAML file or lab name')
    .argument('<host>', 'host name in the lab')
    .argument('<command...>', 'command and arguments (put -- before options of the command)')
    .description('run a command inside a lab host (host names of the lab resolve there)')
    .action(async (target: string, host: string, command: string[]) => {
      const [cmd, ...args] = labExecArgv(labName(target), host, command) as [string, ...string[]];
      const code = await new Promise<number>((resolve) => {
        const child = spawn(cmd, args, { stdio: 'inherit' });
        child.on('error', () => resolve(127));
        child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
      });
      process.exitCode = code;
    });
}
