/**
 * @module Reads a Pumba command line (the words after `pumba`, already split as a shell would) the way Pumba's
 * urfave/cli and Go `flag` read it: global flags, the command, its flags, the subcommand (netem, iptables), its
 * flags, then the container arguments. A flag is `-name`, `--name`, `--name=value` or `--name value`; flag parsing of
 * a level stops at its first plain word; `--` ends the flags. Pure.
 *
 *   --interval 30s --random kill --signal SIGTERM "re2:^test"
 *   └── global ──────────────┘ └cmd┘ └─ command ──┘ └─ args ─┘
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { nearest } from '../../core/suggest.js';
import { commandSpecs, globalFlags, type CommandSpec, type FlagSpec } from './spec.js';

/** Values of the flags given on one level (long names), plus the ignored ones met. */
export type FlagValues = Record<string, string | number | boolean | string[]>;

/** A Pumba command line, read. */
export interface ParsedLine {
  globals: FlagValues;
  /** `['netem', 'delay']`, `['kill']`; empty with only --help / --version. */
  command: string[];
  /** Flags of the command and of its subcommand (the subcommand's win on a clash). */
  flags: FlagValues;
  /** Container names, ids or one `re2:` regex. */
  args: string[];
  /** Flags given that turbulence accepts and ignores: `--tc-image: why`. */
  ignored: string[];
}

const usage = (message: string, hint: string): TurbulenceError =>
  new TurbulenceError(ErrorCodes.USAGE, message, { hint });

const GO_DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's `time.ParseDuration` in milliseconds, or undefined when Go would refuse it. */
export function goDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!GO_DURATION.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g))
    ms += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  return ms;
}

function convert(flag: FlagSpec, raw: string, where: string): string | number | boolean {
  const bad = (what: string) =>
    usage(
      `invalid value ${JSON.stringify(raw)} for flag --${flag.name}${where}: ${what}`,
      `e.g. --${flag.name} ${example(flag)}`,
    );
  switch (flag.type) {
    case 'bool':
      if (!/^(1|0|t|f|true|false|TRUE|FALSE|True|False)$/.test(raw)) throw bad('not a boolean');
      return /^(1|t|true)$/i.test(raw);
    case 'int':
      if (!/^[-+]?\d+$/.test(raw)) throw bad('not an integer');
      return Number(raw);
    case 'float':
      if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw bad('not a number');
      return Number(raw);
    case 'duration': {
      const ms = goDuration(raw);
      if (ms === undefined) throw bad('not a duration (a number with a unit: 300ms, 10s, 5m, 1h)');
      return raw;
    }
    default:
      return raw;
  }
}

function example(flag: FlagSpec): string {
  return { bool: 'true', int: '100', float: '0.5', duration: '30s', list: 'VALUE', string: 'VALUE' }[flag.type];
}

/** Parses the flags of one level from `words[i]` on; returns the index of the first word that is not a flag. */
function parseFlags(
  words: readonly string[],
  start: number,
  specs: readonly FlagSpec[],
  level: string,
  out: FlagValues,
  ignored: string[],
  later: readonly CommandSpec[] = [],
): number {
  let i = start;
  while (i < words.length) {
    const word = words[i]!;
    if (word === '--') return i + 1;
    if (!word.startsWith('-') || word === '-') return i;
    const body = word.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const flag = specs.find((f) => f.name === name || f.aliases?.includes(name));
    if (!flag) throw unknownFlag(name, specs, level, later);
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (flag.type === 'bool') raw = 'true';
    else {
      const next = words[i + 1];
      if (next === undefined)
        throw usage(`flag needs an argument: -${name}${level}`, `e.g. --${flag.name} ${example(flag)}`);
      raw = next;
      i++;
    }
    const value = convert(flag, raw, level);
    if (flag.type === 'list') out[flag.name] = [...((out[flag.name] as string[] | undefined) ?? []), raw];
    else out[flag.name] = value;
    if (flag.ignored && !ignored.some((n) => n.startsWith(`--${flag.name}:`)))
      ignored.push(`--${flag.name}: ${flag.ignored}`);
    i++;
  }
  return i;
}

function unknownFlag(
  name: string,
  specs: readonly FlagSpec[],
  level: string,
  later: readonly CommandSpec[],
): TurbulenceError {
  const names = specs.flatMap((f) => [f.name, ...(f.aliases ?? [])].filter((n) => n.length > 1));
  const near = nearest(name, names);
  const owner = later.find((c) => c.flags.some((f) => f.name === name || f.aliases?.includes(name)));
  const hint = [
    near ? `did you mean --${specs.find((f) => f.name === near || f.aliases?.includes(near))?.name ?? near}?` : '',
    owner ? `--${name} is a flag of \`${owner.name}\`: put it after ${owner.name}` : '',
    `\`turbulence docker${level.replace(/^ of /, ' ')} --help\` lists the flags`,
  ].filter((s) => s.length > 0);
  return usage(`flag provided but not defined: -${name}${level}`, hint.join('; '));
}

function findCommand(word: string | undefined, specs: readonly CommandSpec[], parent: string): CommandSpec {
  const spec = specs.find((c) => c.name === word);
  if (spec) return spec;
  const names = specs.map((c) => c.name);
  const near = word === undefined ? undefined : nearest(word, names);
  const what = parent ? `${parent} command` : 'command';
  throw usage(
    word === undefined ? `no ${what} given` : `unknown ${what} ${JSON.stringify(word)}`,
    `${near ? `did you mean ${JSON.stringify(near)}? ` : ''}${what}s: ${names.join(', ')}`,
  );
}

/**
 * Reads the words after `pumba`.
 *
 * @example
 * parsePumba(['--random', 'kill', '--signal', 'SIGTERM', 're2:^test']);
 * // { globals: { random: true }, command: ['kill'], flags: { signal: 'SIGTERM' }, args: ['re2:^test'], ignored: [] }
 */
export function parsePumba(words: readonly string[]): ParsedLine {
  const globals: FlagValues = {};
  const flags: FlagValues = {};
  const ignored: string[] = [];
  let i = parseFlags(words, 0, globalFlags, '', globals, ignored, commandSpecs);
  const base = { globals, flags, ignored };
  if (i >= words.length && (globals.help === true || globals.version === true))
    return { ...base, command: [], args: [] };
  const cmd = findCommand(words[i], commandSpecs, '');
  i = parseFlags(words, i + 1, cmd.flags, ` of ${cmd.name}`, flags, ignored, cmd.subcommands ?? []);
  const command = [cmd.name];
  if (cmd.subcommands && flags.help !== true) {
    const sub = findCommand(words[i], cmd.subcommands, cmd.name);
    command.push(sub.name);
    const own: FlagValues = {};
    i = parseFlags(words, i + 1, sub.flags, ` of ${cmd.name} ${sub.name}`, own, ignored);
    Object.assign(flags, own);
  }
  return { ...base, command, args: words.slice(i) };
}

/** The spec of a parsed command (`['netem', 'delay']` → delay's spec, with its parent's). */
export function specOf(command: readonly string[]): { cmd: CommandSpec; sub?: CommandSpec } {
  const cmd = commandSpecs.find((c) => c.name === command[0]);
  if (!cmd) throw new Error(`no command ${command[0]}`);
  const sub = cmd.subcommands?.find((s) => s.name === command[1]);
  return sub ? { cmd, sub } : { cmd };
}
