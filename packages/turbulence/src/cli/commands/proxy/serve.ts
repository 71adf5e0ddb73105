/** `turbulence proxy serve`: runs the proxy server until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { createProxyServer } from '../../../proxy/server.js';
import { serveUntilInterrupted } from '../../signals.js';
import { addLogOptions, announce, createLogger, logEvents, type LogFlags } from '../../logger.js';
import { parseInteger } from '../../parse.js';

interface ServeFlags extends LogFlags {
  host: string;
  port: string;
  config?: string;
  seed?: string;
  token?: string;
}

/** Registers `proxy serve`. */
export function registerServe(proxy: Command): void {
  const serve = proxy
    .command('serve')
    .description('serve the Toxiproxy-compatible HTTP API (every Toxiproxy client works against it)')
    .option(
      '--host <host>',
      'interface of the HTTP API; anything but 127.x.x.x, ::1 or localhost needs --token',
      '127.0.0.1',
    )
    .option('--port <port>', 'port of the HTTP API', '8474')
    .option('--config <file>', 'JSON/YAML array of proxies (with optional toxics) to create at startup')
    .option('--seed <n>', 'seed of every random choice (toxicity, jitter, loss); printed when omitted')
    .option('--token <token>', 'bearer token clients must send (env TURBULENCE_PROXY_TOKEN)')
    .addHelpText(
      'after',
      '\nExample:\n  turbulence proxy serve --port 8474 --seed 42 --config proxies.json\n' +
        '  turbulence proxy create redis -l 127.0.0.1:26379 -u 127.0.0.1:6379\n' +
        '  turbulence proxy serve --log-format json   # one JSON line per event (proxy.created, proxy.toxic.added)\n',
    );
  addLogOptions(serve).action(async (flags: ServeFlags) => {
    const logger = createLogger(flags);
    const stopLogging = logEvents(logger, ['proxy']);
    const server = await createProxyServer({
      host: flags.host,
      port: integer('--port', flags.port),
      ...(flags.seed !== undefined ? { seed: integer('--seed', flags.seed) } : {}),
      ...(flags.config !== undefined ? { config: flags.config } : {}),
      ...((flags.token ?? process.env.TURBULENCE_PROXY_TOKEN)
        ? { token: flags.token ?? process.env.TURBULENCE_PROXY_TOKEN }
        : {}),
    });
    const count = server.proxies.proxies.size;
    const text = `turbulence proxy API on ${server.url} (seed ${server.seed}, ${count} proxies from config)`;
    announce(logger, flags, text, { url: server.url, seed: server.seed, proxies: count });
    await serveUntilInterrupted(() => server.close());
    stopLogging();
  });
}

const integer = (flag: string, text: string): number => parseInteger(flag, text);
