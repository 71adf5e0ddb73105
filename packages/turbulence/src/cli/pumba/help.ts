/**
 * @module `turbulence docker --help` (and `... COMMAND --help`): Pumba's commands and flags as turbulence reads them,
 * generated from the same spec the parser uses, with what each maps to. Pure.
 */
import { commandSpecs, globalFlags, type FlagSpec } from './spec.js';

const KIND: Record<string, string> = {
  kill: 'container.kill',
  stop: 'container.stop',
  pause: 'container.pause',
  rm: 'container.remove',
  restart: 'container.restart',
  exec: '(not supported yet)',
  netem: 'container.latency / loss / bandwidth',
  iptables: 'container.loss (ingress)',
  stress: 'container.stress',
};

function flagLine(f: FlagSpec): string {
  const names = [f.name, ...(f.aliases ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ');
  const def = f.default === undefined || f.default === '' ? '' : ` (default ${String(f.default)})`;
  return `  ${names.padEnd(34)} ${f.type}${def}${f.ignored ? ` — ignored: ${f.ignored}` : ''}`;
}

/** Help for the whole command line, or for one command (`['netem']`, `['netem', 'delay']`). */
export function pumbaHelp(command: readonly string[]): string {
  const cmd = commandSpecs.find((c) => c.name === command[0]);
  if (!cmd) {
    return [
      'Usage: turbulence docker [global flags] COMMAND [command flags] [SUBCOMMAND [flags]] CONTAINERS...',
      '',
      'Any Pumba command line works with `pumba` replaced by `turbulence docker`. CONTAINERS are names or ids, or',
      'one "re2:REGEX"; --label key=value narrows (repeatable, ANDed). Faults go through turbulence\'s ledger:',
      'Ctrl-C, expiry and `turbulence recover` (after a crash) put every container back.',
      '',
      'Commands:',
      ...commandSpecs.map(
        (c) =>
          `  ${c.name.padEnd(10)} → ${KIND[c.name] ?? ''}${c.subcommands ? `  (${c.subcommands.map((s) => s.name).join(', ')})` : ''}`,
      ),
      '',
      'Global flags:',
      ...globalFlags.map(flagLine),
      '',
      'Examples:',
      '  turbulence docker --dry-run --random kill "re2:^web-"',
      '  turbulence docker pause --duration 10s web-1',
      '  turbulence docker netem --duration 1m delay --time 300 --jitter 50 api',
      '  turbulence docker iptables --duration 30s loss --probability 0.2 db',
      '',
      'See docs/docker.md for the table "Pumba command and flag → turbulence".',
    ].join('\n');
  }
  const sub = cmd.subcommands?.find((s) => s.name === command[1]);
  const spec = sub ?? cmd;
  return [
    `Usage: turbulence docker ${cmd.name} [flags]${sub ? ` ${sub.name} [flags]` : cmd.subcommands ? ' SUBCOMMAND [flags]' : ''} CONTAINERS...`,
    `  → ${KIND[cmd.name] ?? ''}`,
    '',
    'Flags:',
    ...spec.flags.map(flagLine),
    ...(sub ? ['', `Flags of ${cmd.name}:`, ...cmd.flags.map(flagLine)] : []),
    ...(cmd.subcommands && !sub ? ['', `Subcommands: ${cmd.subcommands.map((s) => s.name).join(', ')}`] : []),
  ].join('\n');
}
