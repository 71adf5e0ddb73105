/**
 * `turbulence proxy ...`: the Toxiproxy-compatible server (`serve`) and the equivalent of `toxiproxy-cli`
 * (`list|create|delete|toggle|inspect|toxic add|update|remove`), which talks to any Toxiproxy-compatible server.
 */
import type { Command } from 'commander';
import { registerServe } from './proxy/serve.js';
import { registerClientCommands } from './proxy/client-commands.js';
import { registerToxicCommands } from './proxy/toxic-commands.js';
import { registerCa } from './proxy/ca.js';

/** Registers `turbulence proxy` and its subcommands. */
export function register(program: Command): void {
  const proxy = program
    .command('proxy')
    .description('Toxiproxy-compatible network fault proxy: serve it, or manage proxies and toxics on any server');
  registerServe(proxy);
  registerClientCommands(proxy);
  registerToxicCommands(proxy);
  registerCa(proxy);
}
