/**
 * `turbulence dns run -- COMMAND`: start a chaos DNS server on port 53 of a fresh loopback address and run an
 * unmodified program whose /etc/resolv.conf points at it; `turbulence dns exec --nameserver IP -- COMMAND`: the
 * same against a server that already runs. Both need root, propagate the program's exit code (128+n when a
 * signal n ended it) and forward the signals turbulence receives to it.
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { isatty } from 'node:tty';
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import { formatHostPort } from '../../../dns/address.js';
import type { DnsQueryEvent } from '../../../dns/handler.js';
import { startChaosResolver } from '../../../dns/redirect.js';
import { spawnWithResolver } from '../../../dns/resolver.js';
import { loadRulesFile } from '../../../dns/rules-file.js';
import { parseInteger } from '../../parse.js';

interface RunFlags {
  listen?: string;
  upstream?: string;
  rules?: string;
  api?: string;
  apiToken?: string;
  seed?: string;
  log?: boolean;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Waits for a child to exit while forwarding this process's signals to it; resolves to its exit code (128+n after
 * signal n). From a terminal, Ctrl-C and Ctrl-\ already reach the child (same process group): those are not sent
 * twice.
 */
export function waitForwardingSignals(child: ChildProcess): Promise<number> {
  const fromTerminal = isatty(0);
  const handlers = FORWARDED.map((sig) => {
    const handler = (): void => {
      if (fromTerminal && (sig === 'SIGINT' || sig === 'SIGQUIT')) return;
      child.kill(sig);
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return new Promise<number>((resolve) => {
    const done = (code: number): void => {
      for (const [sig, handler] of handlers) process.off(sig, handler);
      resolve(code);
    };
    child.once('error', (err) => {
      process.stderr.write(`turbulence: cannot start the command: ${err.message}\n`);
      done(127);
    });
    child.once('exit', (code, sig) => done(code ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 1)));
  });
}

function commandOf(command: string[]): [string, string[]] {
  const [cmd, ...args] = command;
  if (!cmd) throw new TurbulenceError(ErrorCodes.USAGE, 'no command given', { hint: 'put the command after --' });
  return [cmd, args];
}

export function registerRunCommands(dns: Command): void {
  dns
    .command('run')
    .description(
      'run a command whose /etc/resolv.conf points at a chaos DNS server started for it (root; private mount namespace)',
    )
    .option('--listen <ip>', 'address the server takes port 53 of (default: a free 127.53.x.y)')
    .option(
      '--upstream <host:port>',
      'the real resolver to forward to (default: the first nameserver of /etc/resolv.conf)',
    )
    .option('--rules <file>', 'YAML/JSON list of rules (or { rules: [...] }) to start with')
    .option('--api <host:port>', 'serve the HTTP control API here, to change rules while the command runs')
    .option('--api-token <token>', 'bearer token the API requires (env TURBULENCE_DNS_API_TOKEN)')
    .option('--seed <n>', 'seed of the rules\u2019 coin flips and jitter; printed when omitted')
    .option('--log', 'print one line per query to stderr')
    .argument('<command...>', 'the command and its arguments (after --)')
    .addHelpText(
      'after',
      '\nThe command runs unmodified: getaddrinfo (curl, getent, Node, Python...) and dig read the generated\n' +
        'resolv.conf. The machine\u2019s /etc/resolv.conf is not touched. Exit code: the command\u2019s.\n' +
        '\nExample:\n' +
        "  echo '- { name: db.example.test, action: nxdomain }' > rules.yaml\n" +
        '  sudo turbulence dns run --upstream 127.0.0.1:5353 --rules rules.yaml -- getent hosts db.example.test\n',
    )
    .action(run);
  dns
    .command('exec')
    .description('run a command whose /etc/resolv.conf points at a running chaos DNS server (root; port 53)')
    .requiredOption('--nameserver <ip>', 'address of the chaos DNS server, listening on port 53')
    .argument('<command...>', 'the command and its arguments (after --)')
    .addHelpText(
      'after',
      '\nExample:\n  turbulence dns serve --listen 127.0.0.153:53 --upstream 127.0.0.1:5353 &\n' +
        '  turbulence dns exec --nameserver 127.0.0.153 -- curl -s http://svc.example.test/\n',
    )
    .action(async (command: string[], f: { nameserver: string }) => {
      const [cmd, args] = commandOf(command);
      const child = spawnWithResolver(cmd, args, { nameserver: f.nameserver }, { stdio: 'inherit' });
      process.exitCode = await waitForwardingSignals(child);
    });
}

async function run(command: string[], flags: RunFlags): Promise<void> {
  const [cmd, args] = commandOf(command);
  const rules = flags.rules === undefined ? [] : await loadRulesFile(flags.rules);
  const token = flags.apiToken ?? process.env.TURBULENCE_DNS_API_TOKEN;
  const chaos = await startChaosResolver({
    rules,
    ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
    ...(flags.upstream !== undefined ? { upstream: flags.upstream } : {}),
    ...(flags.seed !== undefined ? { seed: seedOf(flags.seed) } : {}),
    ...(flags.api !== undefined ? { api: flags.api } : {}),
    ...(token ? { apiToken: token } : {}),
  });
  try {
    if (flags.log) chaos.server.on('query', (e) => process.stderr.write(`${formatEvent(e)}\n`));
    const api = chaos.api ? `, control API ${chaos.api}` : '';
    process.stderr.write(
      `turbulence dns on ${formatHostPort({ host: chaos.nameserver, port: 53 })} → ${chaos.server.upstreamAddress}` +
        ` (seed ${chaos.server.seed}, ${rules.length} rules${api}); running ${cmd}\n`,
    );
    const child = chaos.spawn(cmd, args, { stdio: 'inherit', dieWithParent: true });
    process.exitCode = await waitForwardingSignals(child);
  } finally {
    await chaos.close();
  }
}

const seedOf = (text: string): number => parseInteger('--seed', text);

/** One query as a log line. */
export function formatEvent(e: DnsQueryEvent): string {
  const rules = e.rules.length ? ` rules=${e.rules.join(',')}` : '';
  const answer =
    e.outcome === 'answered' ? ` ${e.rcode}${e.tc ? ' TC' : ''} ${e.size}B${e.cached ? ' (cached)' : ''}` : '';
  const err = e.error ? ` (${e.error})` : '';
  return (
    `${e.client.address}:${e.client.port} ${e.transport} ${e.type ?? '?'} ${e.name ?? '?'}${rules} → ` +
    `${e.outcome}${answer} ${e.latencyMs.toFixed(1)}ms${err}`
  );
}
