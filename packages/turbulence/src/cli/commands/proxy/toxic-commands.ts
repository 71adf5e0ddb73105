/** `turbulence proxy toxic add|update|remove`: toxiproxy-cli's toxic commands. */
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import { call, clientFor, collect, parseAttributes, parseToxicity, withServer } from './shared.js';

interface ToxicFlags {
  url: string;
  token?: string;
  toxicName?: string;
  toxicity?: string;
  attribute: string[];
}

/** Registers `proxy toxic add`, `update` and `remove`. */
export function registerToxicCommands(proxy: Command): void {
  const toxic = proxy.command('toxic').description('add, update or remove toxics on a proxy');

  withServer(toxic.command('add').description('add a toxic to a proxy').argument('<proxy>', 'proxy name'))
    .requiredOption(
      '-t, --type <type>',
      'tcp proxies: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, ...; ' +
        'http proxies (HTTP/1.1 and HTTP/2): http_status, http_abort, http_delay, http_header, http_body; ' +
        'gRPC on http proxies: grpc_status, grpc_delay; ' +
        'TLS-terminating proxies: tls_expired, tls_wrong_host, tls_untrusted, tls_handshake_timeout, tls_reset_handshake, tls_version; ' +
        'udp proxies: udp_drop, udp_delay, udp_duplicate, udp_reorder, udp_corrupt, udp_truncate (docs/proxy.md)',
    )
    .option('-n, --toxicName <name>', 'toxic name (default <type>_<stream>)')
    .option('--toxicity <p>', 'share of connections affected, 0..1', '1')
    .option(
      '-a, --attribute <key=value>',
      'toxic attribute (repeatable), e.g. -a status=503 -a path=/api/* -a "header=X-Tenant: blue", ' +
        'or for gRPC -a code=UNAVAILABLE -a service=helloworld.Greeter -a method=SayHello',
      collect,
      [],
    )
    .option('-u, --upstream', 'apply client → server (http toxics: the request side)')
    .option('-d, --downstream', 'apply server → client (default)')
    .action(async (name: string, flags: ToxicFlags & { type: string; upstream?: boolean; downstream?: boolean }) => {
      if (flags.upstream && flags.downstream) {
        throw new TurbulenceError(ErrorCodes.USAGE, 'pass only one of --upstream and --downstream');
      }
      const stream = flags.upstream ? 'upstream' : 'downstream';
      const added = await call(flags.url, () =>
        clientFor(flags).addToxic(name, {
          type: flags.type,
          stream,
          ...(flags.toxicName ? { name: flags.toxicName } : {}),
          toxicity: parseToxicity(flags.toxicity) ?? 1,
          attributes: parseAttributes(flags.attribute),
        }),
      );
      console.log(`Added ${added.stream} ${added.type} toxic '${added.name}' on proxy '${name}'`);
    });

  withServer(toxic.command('update').description('update a toxic (omitted values are kept)').argument('<proxy>'))
    .requiredOption('-n, --toxicName <name>', 'toxic name')
    .option('--toxicity <p>', 'share of connections affected, 0..1 (kept when omitted)')
    .option('-a, --attribute <key=value>', 'toxic attribute (repeatable)', collect, [])
    .action(async (name: string, flags: ToxicFlags & { toxicName: string }) => {
      const toxicity = parseToxicity(flags.toxicity);
      const updated = await call(flags.url, () =>
        clientFor(flags).updateToxic(name, flags.toxicName, {
          attributes: parseAttributes(flags.attribute),
          ...(toxicity === undefined ? {} : { toxicity }),
        }),
      );
      console.log(`Updated toxic '${updated.name}' on proxy '${name}'`);
    });

  withServer(toxic.command('remove').alias('delete').description('remove a toxic').argument('<proxy>'))
    .requiredOption('-n, --toxicName <name>', 'toxic name')
    .action(async (name: string, flags: ToxicFlags & { toxicName: string }) => {
      await call(flags.url, () => clientFor(flags).removeToxic(name, flags.toxicName));
      console.log(`Removed toxic '${flags.toxicName}' on proxy '${name}'`);
    });
}
