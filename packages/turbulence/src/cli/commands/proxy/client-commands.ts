/** `turbulence proxy list|create|delete|toggle|inspect`: toxiproxy-cli's proxy commands. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../../core/errors.js';
import type { ToxicJson } from '../../../proxy/toxic-record.js';
import { PROTOCOLS } from '../../../proxy/protocol.js';
import { parseChoice } from '../../parse.js';
import { call, clientFor, withServer } from './shared.js';

interface ServerFlags {
  url: string;
  token?: string;
}

interface CreateFlags extends ServerFlags {
  listen: string;
  upstream: string;
  protocol?: string;
  tlsTerminate?: boolean;
  tlsUpstream?: boolean;
  verifyUpstream: boolean;
  tlsClientAuth?: string;
  tlsClientCa?: string;
  tlsUpstreamCert?: string;
  tlsUpstreamKey?: string;
}

/** Reads a PEM file a flag names; a missing or unreadable file is a usage error (exit 2) naming the flag. */
function pemFile(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TurbulenceError(
      ErrorCodes.USAGE,
      `${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { hint: 'pass the path of a PEM file' },
    );
  }
}

/** Registers `proxy list`, `create`, `delete`, `toggle` and `inspect`. */
export function registerClientCommands(proxy: Command): void {
  withServer(proxy.command('list').alias('ls').description('list proxies: name, listen, upstream, enabled, toxics'))
    .option('--json', 'print the API answer as JSON')
    .action(async (flags: ServerFlags & { json?: boolean }) => {
      const proxies = await call(flags.url, () => clientFor(flags).list());
      if (flags.json) return console.log(JSON.stringify(proxies, null, 2));
      console.log(['Name', 'Listen', 'Upstream', 'Enabled', 'Toxics'].join('\t'));
      for (const p of Object.values(proxies).sort((a, b) => a.name.localeCompare(b.name))) {
        console.log([p.name, p.listen, p.upstream, String(p.enabled), String(p.toxics.length)].join('\t'));
      }
    });

  withServer(proxy.command('create').description('create a proxy').argument('<name>', 'proxy name'))
    .requiredOption('-l, --listen <addr>', 'address to listen on, e.g. 127.0.0.1:26379 (port 0 = any)')
    .requiredOption('-u, --upstream <addr>', 'upstream host:port')
    .option(
      '--protocol <protocol>',
      'what the proxy understands: tcp (bytes, the default), http (HTTP/1.1 and HTTP/2 requests, gRPC: http_* and grpc_* toxics), udp (datagrams: udp_* toxics)',
    )
    .option('--tls-terminate', 'accept TLS from clients (a certificate from the test CA: `turbulence proxy ca`)')
    .option('--tls-upstream', 'speak TLS to the upstream')
    .option('--no-verify-upstream', 'with --tls-upstream: accept any upstream certificate')
    .option(
      '--tls-client-auth <mode>',
      'with --tls-terminate, mTLS: none (default), request or require a client certificate',
    )
    .option('--tls-client-ca <file>', 'PEM file of the CAs client certificates must chain to (default: the test CA)')
    .option('--tls-upstream-cert <file>', 'with --tls-upstream: PEM client certificate to present to the upstream')
    .option('--tls-upstream-key <file>', 'with --tls-upstream-cert: its PEM private key')
    .action(async (name: string, flags: CreateFlags) => {
      const clientAuth =
        flags.tlsClientAuth === undefined
          ? undefined
          : parseChoice('--tls-client-auth', flags.tlsClientAuth, ['none', 'request', 'require'] as const);
      const clientCa = pemFile('--tls-client-ca', flags.tlsClientCa);
      const upstreamCert = pemFile('--tls-upstream-cert', flags.tlsUpstreamCert);
      const upstreamKey = pemFile('--tls-upstream-key', flags.tlsUpstreamKey);
      const anyTls = [flags.tlsTerminate, flags.tlsUpstream, clientAuth, clientCa, upstreamCert, upstreamKey];
      const tls = anyTls.some((v) => v !== undefined && v !== false)
        ? {
            terminate: Boolean(flags.tlsTerminate),
            upstream: Boolean(flags.tlsUpstream),
            verifyUpstream: flags.verifyUpstream,
            ...(clientAuth ? { clientAuth } : {}),
            ...(clientCa ? { clientCa } : {}),
            ...(upstreamCert ? { upstreamCert } : {}),
            ...(upstreamKey ? { upstreamKey } : {}),
          }
        : undefined;
      const protocol = flags.protocol === undefined ? undefined : parseChoice('--protocol', flags.protocol, PROTOCOLS);
      const created = await call(flags.url, () =>
        clientFor(flags).createProxy({
          name,
          listen: flags.listen,
          upstream: flags.upstream,
          enabled: true,
          ...(protocol && protocol !== 'tcp' ? { protocol } : {}),
          ...(tls ? { tls } : {}),
        }),
      );
      console.log(`Created new proxy ${created.name} listening on ${created.listen}`);
    });

  withServer(proxy.command('delete').description('delete a proxy').argument('<name>', 'proxy name')).action(
    async (name: string, flags: ServerFlags) => {
      await call(flags.url, () => clientFor(flags).deleteProxy(name));
      console.log(`Deleted proxy ${name}`);
    },
  );

  withServer(proxy.command('toggle').description('enable a disabled proxy, disable an enabled one'))
    .argument('<name>', 'proxy name')
    .action(async (name: string, flags: ServerFlags) => {
      const api = clientFor(flags);
      const current = await call(flags.url, () => api.get(name));
      const next = await call(flags.url, () => api.updateProxy(name, { enabled: !current.enabled }));
      console.log(`Proxy ${name} is now ${next.enabled ? 'enabled' : 'disabled'}`);
    });

  withServer(proxy.command('inspect').description('show a proxy and its toxics').argument('<name>', 'proxy name'))
    .option('--connections', 'also list live connections with their toxic decisions (turbulence servers)')
    .action(async (name: string, flags: ServerFlags & { connections?: boolean }) => {
      const api = clientFor(flags);
      const p = await call(flags.url, () => api.get(name));
      console.log(`${p.name}\tlisten=${p.listen}\tupstream=${p.upstream}\tenabled=${p.enabled}`);
      for (const t of p.toxics) console.log(formatToxic(t));
      if (p.toxics.length === 0) console.log('(no toxics)');
      if (!flags.connections) return;
      for (const c of await call(flags.url, () => api.connections(name))) {
        const applied = c.toxics.filter((d) => d.selected).map((d) => d.name);
        console.log(`connection ${c.id}\tclient=${c.client}\ttoxics=[${applied.join(',')}]`);
      }
    });
}

/** One line per toxic, as toxiproxy-cli prints it off a TTY (attributes sorted by key). */
export function formatToxic(t: ToxicJson): string {
  const attrs = Object.keys(t.attributes)
    .sort()
    .map((k) => `${k}=${String(t.attributes[k])}`);
  return `${t.name}\ttype=${t.type}\tstream=${t.stream}\ttoxicity=${t.toxicity.toFixed(2)}\tattributes=[\t${attrs.join('\t')}\t]`;
}
