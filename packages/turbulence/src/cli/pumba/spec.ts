/**
 * @module Pumba's command line as data (from Pumba's `cmd/flags.go`, `cmd/commands.go` and the `*\/cmd/*.go` of each
 * command, commit 69b78e6): global flags, commands, subcommands and their flags with aliases and defaults. The
 * parser (`parse.ts`) reads argv with it; the plan builder (`plan.ts`) turns the values into turbulence faults.
 * Pure data: no I/O.
 */

/** How a flag's value is read. `bool` flags take no separate value (`--force=false` sets one). */
export type FlagType = 'bool' | 'string' | 'int' | 'float' | 'duration' | 'list';

/** One flag: its long name, aliases (short or long), type, default, and a note when turbulence ignores it. */
export interface FlagSpec {
  name: string;
  aliases?: readonly string[];
  type: FlagType;
  default?: string | number | boolean;
  /** Accepted and ignored: why (shown with --dry-run and in the log). */
  ignored?: string;
}

/** A command or subcommand. */
export interface CommandSpec {
  name: string;
  flags: readonly FlagSpec[];
  subcommands?: readonly CommandSpec[];
  /** Pumba's `RequireArgs`: at least one container name, list of names or `re2:` regex. */
  requireArgs?: boolean;
}

const HELPER_IMAGE = 'turbulence needs no helper image: it acts on the container namespace from the host';
const pull: FlagSpec = { name: 'pull-image', type: 'bool', default: true, ignored: HELPER_IMAGE };
const limit: FlagSpec = { name: 'limit', aliases: ['l'], type: 'int', default: 0 };
const duration = (def?: string): FlagSpec => ({
  name: 'duration',
  aliases: ['d'],
  type: 'duration',
  ...(def ? { default: def } : {}),
});
const percentCorrelation: readonly FlagSpec[] = [
  { name: 'percent', aliases: ['p'], type: 'float', default: 0 },
  { name: 'correlation', aliases: ['c'], type: 'float', default: 0 },
];

/** Pumba's global flags (before the command). */
export const globalFlags: readonly FlagSpec[] = [
  { name: 'host', aliases: ['H'], type: 'string', default: 'unix:///var/run/docker.sock' },
  { name: 'runtime', type: 'string', default: 'docker' },
  {
    name: 'containerd-socket',
    type: 'string',
    default: '/run/containerd/containerd.sock',
    ignored: 'turbulence talks to the Docker Engine, not to containerd',
  },
  { name: 'containerd-namespace', type: 'string', default: 'k8s.io' },
  { name: 'podman-socket', type: 'string' },
  { name: 'tls', type: 'bool', default: false, ignored: 'set DOCKER_TLS_VERIFY and DOCKER_CERT_PATH instead' },
  { name: 'tlsverify', type: 'bool', default: false, ignored: 'set DOCKER_TLS_VERIFY=1 instead' },
  { name: 'tlscacert', type: 'string', ignored: 'put ca.pem in DOCKER_CERT_PATH instead' },
  { name: 'tlscert', type: 'string', ignored: 'put cert.pem in DOCKER_CERT_PATH instead' },
  { name: 'tlskey', type: 'string', ignored: 'put key.pem in DOCKER_CERT_PATH instead' },
  { name: 'log-level', aliases: ['l'], type: 'string', default: 'warning' },
  { name: 'json', aliases: ['j'], type: 'bool', default: false },
  { name: 'slackhook', type: 'string', ignored: 'turbulence sends no Slack messages; subscribe to its run events' },
  { name: 'slackchannel', type: 'string', default: '#pumba', ignored: 'turbulence sends no Slack messages' },
  { name: 'interval', aliases: ['i'], type: 'duration' },
  { name: 'label', type: 'list' },
  { name: 'random', aliases: ['r'], type: 'bool', default: false },
  { name: 'dry-run', type: 'bool', default: false },
  { name: 'skip-error', type: 'bool', default: false },
  { name: 'help', aliases: ['h'], type: 'bool', default: false },
  { name: 'version', aliases: ['v'], type: 'bool', default: false },
];

const help: FlagSpec = { name: 'help', aliases: ['h'], type: 'bool', default: false };

const netemFlags: readonly FlagSpec[] = [
  duration(),
  { name: 'interface', aliases: ['i'], type: 'string', default: 'eth0' },
  { name: 'target', aliases: ['t'], type: 'list' },
  { name: 'egress-port', aliases: ['egressPort'], type: 'string' },
  { name: 'ingress-port', aliases: ['ingressPort'], type: 'string' },
  { name: 'tc-image', type: 'string', ignored: HELPER_IMAGE },
  pull,
  limit,
  help,
];

const iptablesFlags: readonly FlagSpec[] = [
  duration(),
  { name: 'interface', aliases: ['i'], type: 'string', default: 'eth0' },
  { name: 'protocol', aliases: ['p'], type: 'string', default: 'any' },
  { name: 'source', aliases: ['src', 's'], type: 'list' },
  { name: 'destination', aliases: ['dest'], type: 'list' },
  { name: 'src-port', aliases: ['sport'], type: 'string' },
  { name: 'dst-port', aliases: ['dport'], type: 'string' },
  { name: 'iptables-image', type: 'string', ignored: HELPER_IMAGE },
  pull,
  limit,
  help,
];

/** Pumba's commands. */
export const commandSpecs: readonly CommandSpec[] = [
  {
    name: 'kill',
    requireArgs: true,
    flags: [{ name: 'signal', aliases: ['s'], type: 'string', default: 'SIGKILL' }, limit, help],
  },
  {
    name: 'stop',
    requireArgs: true,
    flags: [
      { name: 'time', aliases: ['t'], type: 'int', default: 5 },
      limit,
      { name: 'restart', aliases: ['r'], type: 'bool', default: false },
      duration('10s'),
      help,
    ],
  },
  { name: 'pause', flags: [duration(), limit, help] },
  {
    name: 'rm',
    requireArgs: true,
    flags: [
      { name: 'force', aliases: ['f'], type: 'bool', default: true },
      { name: 'links', aliases: ['n'], type: 'bool', default: false },
      { name: 'volumes', aliases: ['v'], type: 'bool', default: true },
      limit,
      help,
    ],
  },
  { name: 'restart', flags: [{ name: 'timeout', aliases: ['t'], type: 'duration', default: '1s' }, limit, help] },
  {
    name: 'exec',
    flags: [
      { name: 'command', aliases: ['s'], type: 'string', default: 'kill 1' },
      { name: 'args', aliases: ['a'], type: 'list' },
      limit,
      help,
    ],
  },
  {
    name: 'netem',
    flags: netemFlags,
    subcommands: [
      {
        name: 'delay',
        flags: [
          { name: 'time', aliases: ['t'], type: 'int', default: 100 },
          { name: 'jitter', aliases: ['j'], type: 'int', default: 10 },
          { name: 'correlation', aliases: ['c'], type: 'float', default: 20 },
          { name: 'distribution', aliases: ['d'], type: 'string', default: '' },
          help,
        ],
      },
      { name: 'loss', flags: [...percentCorrelation, help] },
      {
        name: 'loss-state',
        flags: [
          { name: 'p13', type: 'float', default: 0 },
          { name: 'p31', type: 'float', default: 100 },
          { name: 'p32', type: 'float', default: 0 },
          { name: 'p23', type: 'float', default: 100 },
          { name: 'p14', type: 'float', default: 0 },
          help,
        ],
      },
      {
        name: 'loss-gemodel',
        flags: [
          { name: 'pg', aliases: ['p'], type: 'float', default: 0 },
          { name: 'pb', aliases: ['r'], type: 'float', default: 100 },
          { name: 'one-h', type: 'float', default: 100 },
          { name: 'one-k', type: 'float', default: 0 },
          help,
        ],
      },
      { name: 'duplicate', flags: [...percentCorrelation, help] },
      { name: 'corrupt', flags: [...percentCorrelation, help] },
      {
        name: 'rate',
        flags: [
          { name: 'rate', aliases: ['r'], type: 'string', default: '100kbit' },
          { name: 'packetoverhead', aliases: ['p'], type: 'int', default: 0 },
          { name: 'cellsize', aliases: ['s'], type: 'int', default: 0 },
          { name: 'celloverhead', aliases: ['c'], type: 'int', default: 0 },
          help,
        ],
      },
    ],
  },
  {
    name: 'iptables',
    flags: iptablesFlags,
    subcommands: [
      {
        name: 'loss',
        flags: [
          { name: 'mode', type: 'string', default: 'random' },
          { name: 'probability', type: 'float', default: 0 },
          { name: 'every', type: 'int', default: 0 },
          { name: 'packet', type: 'int', default: 0 },
          help,
        ],
      },
    ],
  },
  {
    name: 'stress',
    flags: [
      duration(),
      { name: 'stress-image', type: 'string', ignored: HELPER_IMAGE },
      pull,
      { name: 'stressors', type: 'string', default: '--cpu 4 --timeout 60s' },
      {
        name: 'inject-cgroup',
        type: 'bool',
        default: false,
        ignored: 'turbulence always places the load in the container cgroup',
      },
      limit,
      help,
    ],
  },
];
