/**
 * `turbulence ui [--host 127.0.0.1] [--port 8475] [--token T] [--demo]`: the live dashboard.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { sessionsDir, turbulenceHome } from '../../os/home.js';
import { startUiServer } from '../../ui/server.js';
import { parseDurationFlag, parseInteger } from '../parse.js';
import { parsePairs } from '../../targets/query.js';
import { containerSource, labSource, podSource, type ArcadeSource } from '../../ui/arcade-sources.js';
import { trapInterrupts } from '../signals.js';

interface UiFlags {
  host: string;
  port: string;
  token?: string;
  demo?: boolean;
  journals?: string;
  seed: string;
  proxyApi?: string;
  dnsApi: string[];
  arcadeLab: string[];
  arcadeContainer: string[];
  arcadePod: string[];
  arcadeDownFor: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  program
    .command('ui')
    .description(
      'a live dashboard: runs as they happen, history, active faults with revert, doctor (with --demo: a system to try it on)',
    )
    .option('--host <host>', 'interface to listen on (anything but loopback needs --token)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8475')
    .option('--token <token>', 'bearer token the API requires (mandatory off loopback; env TURBULENCE_UI_TOKEN)')
    .option('--journals <dir>', 'journals shown as history (default $TURBULENCE_HOME/journals)')
    .option(
      '--demo',
      'also start the demo system (three replicas, a proxy, a client) and a button that runs the demo experiment',
    )
    .option('--seed <n>', 'seed of demo runs', '42')
    .option('--proxy-api <url>', 'a Toxiproxy-compatible API whose proxies and toxics the dashboard shows and edits')
    .option('--dns-api <url>', 'a chaos DNS control API whose rules the DNS view shows (repeatable)', collect, [])
    .option(
      '--arcade-lab <name>',
      'arcade targets: the services of every host of this running lab (repeatable)',
      collect,
      [],
    )
    .option(
      '--arcade-container <k=v>',
      'arcade targets: containers this query selects, e.g. label=app=web (repeatable fields, as fault inject --target)',
      collect,
      [],
    )
    .option(
      '--arcade-pod <k=v>',
      'arcade targets: pods this query selects, e.g. namespace=shop selector=app=web (repeatable fields)',
      collect,
      [],
    )
    .option(
      '--arcade-down-for <duration>',
      'how long a shot process or container stays down before it is restarted',
      '15s',
    )
    .addHelpText(
      'after',
      `
The dashboard listens on http://127.0.0.1:8475 by default. Runs in this process (--demo) appear live, and so do
\`turbulence run\`, \`fault inject\` and \`monkey run\` in other terminals that share its TURBULENCE_HOME (they record
their events in $TURBULENCE_HOME/sessions). A run on another machine or home can post to it instead:
\`turbulence run EXPERIMENT --ui http://HOST:8475\`.
Ctrl-C stops the dashboard (and the demo system, reverting a demo run's faults).

Examples:
  turbulence ui --demo
  turbulence ui --host 0.0.0.0 --token "$(openssl rand -hex 16)"`,
    )
    .action(async (flags: UiFlags) => {
      const port = parseInteger('--port', flags.port, { min: 0, max: 65535 });
      const seed = parseInteger('--seed', flags.seed);
      const journals = flags.journals ?? join(turbulenceHome(), 'journals');
      const token = flags.token ?? process.env.TURBULENCE_UI_TOKEN;
      const arcade = arcadeSources(flags);
      const demo = flags.demo
        ? await (await import('../../ui/demo.js')).startDemoControl({ seed, journals, arcade })
        : undefined;
      const interrupts = trapInterrupts();
      try {
        const proxyApi = flags.proxyApi
          ? { api: flags.proxyApi, token: process.env.TURBULENCE_PROXY_TOKEN }
          : undefined;
        const ui = await startUiServer({
          host: flags.host,
          port,
          token,
          journals,
          sessions: sessionsDir(),
          dnsApis: flags.dnsApi,
          arcade,
          ...(demo ? { demo } : {}),
          ...(proxyApi ? { proxyApi } : {}),
        });
        process.stdout.write(
          `dashboard: ${ui.url}/${demo ? ' (demo system started: press "Run the demo experiment")' : ''}\n`,
        );
        await new Promise<void>((resolve) =>
          interrupts.soft.addEventListener('abort', () => resolve(), { once: true }),
        );
        await ui.close();
      } finally {
        await demo?.close();
        interrupts.dispose();
      }
    });
}

/** The arcade's target sets from `--arcade-lab`, `--arcade-container`, `--arcade-pod` (only what the user names). */
function arcadeSources(flags: UiFlags): ArcadeSource[] {
  const downFor = parseDurationFlag('--arcade-down-for', flags.arcadeDownFor);
  return [
    ...flags.arcadeLab.map((lab) => labSource(lab, downFor)),
    ...(flags.arcadeContainer.length > 0
      ? [containerSource(parsePairs(flags.arcadeContainer, '--arcade-container'), downFor)]
      : []),
    ...(flags.arcadePod.length > 0 ? [podSource(parsePairs(flags.arcadePod, '--arcade-pod'))] : []),
  ];
}
