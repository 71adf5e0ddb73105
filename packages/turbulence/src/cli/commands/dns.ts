/**
 * `turbulence dns serve`: the chaos DNS server (UDP and TCP, forwarding to a real resolver, rules, control API).
 * `turbulence dns run|exec`: run an unmodified program that resolves through a chaos server (see dns/run.ts).
 * `turbulence dns query`: ask a server one question and print what came back (rcode, TC bit, answers).
 */
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { formatHostPort } from '../../dns/address.js';
import { dnsQuery, type DnsClientTransport } from '../../dns/client.js';
import { loadRulesFile } from '../../dns/rules-file.js';
import { systemNameserver } from '../../dns/resolver.js';
import { createDnsServer } from '../../dns/server.js';
import { registerCacheCommands } from './dns/cache.js';
import { registerRuleCommands } from './dns/rules.js';
import { formatEvent, registerRunCommands } from './dns/run.js';
import { dnsActions } from '../../dns/actions/index.js';
import { serveUntilInterrupted } from '../signals.js';
import { addLogOptions, announce, createLogger, logEvents, type LogFlags } from '../logger.js';
import { parseInteger } from '../parse.js';

interface ServeFlags extends LogFlags {
  listen: string;
  upstream: string;
  rules?: string;
  api?: string;
  apiToken?: string;
  seed?: string;
  log?: boolean;
  cache: boolean;
  cacheSize?: string;
  cacheMaxTtl?: string;
}

export function register(program: Command): void {
  const dns = program
    .command('dns')
    .description('DNS chaos: a fault-injecting DNS server in front of a real resolver, and a query tool');
  const serveCommand = dns
    .command('serve')
    .description('serve DNS on UDP and TCP, forward to --upstream, and apply fault rules to matching queries')
    .requiredOption('--listen <host:port>', 'where to serve DNS, UDP and TCP (e.g. 127.0.0.1:5354)')
    .requiredOption(
      '--upstream <host:port|system>',
      'the real resolver to forward to (e.g. 127.0.0.1:53), or `system`: the first nameserver of /etc/resolv.conf',
    )
    .option('--rules <file>', 'YAML/JSON list of rules (or { rules: [...] }) to start with')
    .option('--api <host:port>', 'serve the HTTP control API (add/list/remove rules, hit counts) here')
    .option(
      '--api-token <token>',
      'bearer token the API requires; needed unless --api is 127.x.x.x, ::1 or localhost (env TURBULENCE_DNS_API_TOKEN)',
    )
    .option('--seed <n>', 'seed of the rules\u2019 coin flips and jitter; printed when omitted')
    .option('--log', 'print one line per query (client, name, type, rules fired, outcome, rcode, TC)')
    .option('--no-cache', 'forward every query not answered by a rule (default: cache answers for their TTL)')
    .option('--cache-size <n>', 'most answers cached, least recently used evicted first', '10000')
    .option('--cache-max-ttl <s>', 'longest time an answer is cached, whatever its TTL', '3600')
    .addHelpText(
      'after',
      `\nActions: ${dnsActions.map((a) => a.type).join(', ')}\n` +
        '\nExample:\n  turbulence dns serve --listen 127.0.0.1:5354 --upstream system --api 127.0.0.1:5380 --seed 42\n' +
        '  curl -X POST 127.0.0.1:5380/rules -H \'content-type: application/json\' -d \'{"name":"svc.example.test","action":"truncate"}\'\n' +
        '  dig @127.0.0.1 -p 5354 svc.example.test\n' +
        '  turbulence dns serve ... --log-format json --log-level debug   # JSON lines: queries, rule changes\n',
    );
  addLogOptions(serveCommand).action(serve);
  registerRuleCommands(dns);
  registerCacheCommands(dns);
  registerRunCommands(dns);
  dns
    .command('query <name>')
    .description('resolve a name through a server and print the rcode, TC bit and answers as JSON')
    .requiredOption('--server <host:port>', 'the DNS server to ask')
    .option('--type <type>', 'record type', 'A')
    .option('--transport <t>', 'udp (gives up on TC), tcp, or auto (UDP then TCP on TC, RFC 7766)', 'auto')
    .option('--timeout <ms>', 'milliseconds per attempt', '2000')
    .action(async (name: string, f: { server: string; type: string; transport: string; timeout: string }) => {
      if (!['udp', 'tcp', 'auto'].includes(f.transport)) {
        throw new TurbulenceError(ErrorCodes.USAGE, `--transport must be udp, tcp or auto, got ${f.transport}`);
      }
      const result = await dnsQuery({
        server: f.server,
        name,
        type: f.type,
        transport: f.transport as DnsClientTransport,
        timeoutMs: integer('--timeout', f.timeout),
      });
      console.log(JSON.stringify(result, null, 2));
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  const rules = flags.rules === undefined ? [] : await loadRulesFile(flags.rules);
  const token = flags.apiToken ?? process.env.TURBULENCE_DNS_API_TOKEN;
  const logger = createLogger(flags);
  const stopLogging = logEvents(logger, ['dns']);
  const server = createDnsServer({
    listen: flags.listen,
    upstream: flags.upstream === 'system' ? systemNameserver() : flags.upstream,
    rules,
    ...(flags.seed !== undefined ? { seed: integer('--seed', flags.seed) } : {}),
    ...(flags.api !== undefined ? { api: flags.api } : {}),
    ...(token ? { apiToken: token } : {}),
    cache: flags.cache,
    ...(flags.cacheSize !== undefined ? { cacheSize: positiveInteger('--cache-size', flags.cacheSize) } : {}),
    ...(flags.cacheMaxTtl !== undefined ? { cacheMaxTtl: positiveInteger('--cache-max-ttl', flags.cacheMaxTtl) } : {}),
  });
  const addr = await server.start();
  // Under --log-format json every line is a record: queries come as dns.query at --log-level debug instead.
  if (flags.log && flags.logFormat !== 'json') server.on('query', (e) => console.log(formatEvent(e)));
  const api = addr.api ? `, control API ${addr.api}` : '';
  const cache = server.cache ? `cache ${server.cache.stats().maxEntries} answers` : 'no cache';
  announce(
    logger,
    flags,
    `turbulence dns on ${formatHostPort(addr.dns)} (udp+tcp) → ${server.upstreamAddress}` +
      ` (seed ${server.seed}, ${rules.length} rules, ${cache}${api})`,
    { dns: formatHostPort(addr.dns), upstream: server.upstreamAddress, seed: server.seed, api: addr.api ?? null },
  );
  await serveUntilInterrupted(() => server.close());
  stopLogging();
}

const positiveInteger = (flag: string, text: string): number => parseInteger(flag, text, { min: 1 });
const integer = (flag: string, text: string): number => parseInteger(flag, text);
