/**
 * @module A read Pumba command line (`parse.ts`) as the plan turbulence executes: which fault kind, on which
 * containers, with which params, for how long, how often. Pumba's own checks come first, with its words ("container
 * name, list of names, or RE2 regex is required", "failed to parse ip", ...). What turbulence cannot do the way Pumba
 * does is listed in `unsupported` (execution refuses, `--dry-run` shows it); what it does differently, in `notes`.
 * Pure.
 */
import { constants } from 'node:os';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultSpec } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { goDuration, type FlagValues, type ParsedLine } from './parse.js';
import { specOf } from './parse.js';

/** What `turbulence docker ...` does. */
export interface PumbaPlan {
  action: 'run' | 'help' | 'version';
  /** `kill`, `netem delay`, ... */
  command: string;
  /** The fault injected on every tick (absent for help/version). */
  fault?: FaultSpec;
  /** `stop` without `--restart`: the fault stays in effect (detached) instead of being reverted. */
  keep?: boolean;
  /** Pumba's `--interval`: inject again every this many ms until interrupted. */
  intervalMs?: number;
  skipError: boolean;
  /** The daemon (`--host`, or the Podman socket with `--runtime podman`). */
  dockerHost?: string;
  logLevel: string;
  json: boolean;
  /** Differences from Pumba that do not change what is hit: ignored helper images, approximations. */
  notes: string[];
  /** What turbulence cannot honour; executing the plan is refused while this is not empty. */
  unsupported: string[];
}

const usage = (message: string, hint: string): TurbulenceError =>
  new TurbulenceError(ErrorCodes.USAGE, message, { hint });

const num = (f: FlagValues, k: string, d = 0): number => (typeof f[k] === 'number' ? f[k] : d);
const str = (f: FlagValues, k: string, d = ''): string => (typeof f[k] === 'string' ? f[k] : d);
const bool = (f: FlagValues, k: string, d: boolean): boolean => (typeof f[k] === 'boolean' ? f[k] : d);
const list = (f: FlagValues, k: string): string[] => (Array.isArray(f[k]) ? f[k] : []);

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([0-9]|[12]\d|3[0-2]))?$/;
const RATE = /^\d+(\.\d+)?(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps|tbps)$/i;

function ips(values: readonly string[], flag: string): string[] {
  for (const v of values) {
    if (!IPV4.test(v))
      throw usage(
        `failed to parse ip ${JSON.stringify(v)} (--${flag})`,
        `--${flag} takes an IPv4 address or CIDR, e.g. 10.0.0.5 or 10.0.0.0/24`,
      );
  }
  return [...values];
}

function range(value: number, lo: number, hi: number, what: string): number {
  if (!(value >= lo && value <= hi))
    throw usage(`invalid ${what} ${value}: must be between ${lo} and ${hi}`, `give ${what} in [${lo}, ${hi}]`);
  return value;
}

function durationMs(f: FlagValues, required: string | false): number | undefined {
  const text = str(f, 'duration');
  if (!text) {
    if (required)
      throw usage(
        `unset or invalid duration value: ${required} needs --duration`,
        `e.g. ${required} --duration 30s ...`,
      );
    return undefined;
  }
  const ms = goDuration(text) ?? 0;
  if (ms <= 0) throw usage(`invalid duration ${JSON.stringify(text)}: must be positive`, 'e.g. --duration 30s');
  return ms;
}

/** Long-run loss rate (%) of netem's 4-state Markov model (states 1 good, 2 good-in-burst, 3 burst loss, 4 lone loss). */
export function lossStateRate(p13: number, p31: number, p32: number, p23: number, p14: number): number {
  const P = [
    [1 - (p13 + p14) / 100, 0, p13 / 100, p14 / 100],
    [0, 1 - p23 / 100, p23 / 100, 0],
    [p31 / 100, p32 / 100, 1 - (p31 + p32) / 100, 0],
    [1, 0, 0, 0],
  ];
  let pi = [1, 0, 0, 0];
  for (let k = 0; k < 5000; k++) pi = [0, 1, 2, 3].map((j) => pi.reduce((s, p, i) => s + p * (P[i]?.[j] ?? 0), 0));
  return Math.round(((pi[2] ?? 0) + (pi[3] ?? 0)) * 10000) / 100;
}

/** Long-run loss rate (%) of the Gilbert-Elliott model (pg: good→bad, pb: bad→good, 1-h / 1-k: loss in bad / good). */
export function geModelRate(pg: number, pb: number, oneH: number, oneK: number): number {
  const bad = pg + pb === 0 ? 0 : pg / (pg + pb);
  return Math.round((bad * oneH + (1 - bad) * oneK) * 100) / 100;
}

function signal(name: string): string {
  const up = name.toUpperCase();
  const sig = /^\d+$/.test(up)
    ? Object.entries(constants.signals).find(([, n]) => n === Number(up))?.[0]
    : up.startsWith('SIG')
      ? up
      : `SIG${up}`;
  if (!sig || !(sig in constants.signals))
    throw usage(`invalid signal ${JSON.stringify(name)}`, 'e.g. --signal SIGTERM');
  return sig;
}

/** The container query of the arguments and `--label`s. */
function targetOf(args: readonly string[], labels: readonly string[]): JsonObject {
  const query: JsonObject = {};
  if (args.length === 1 && args[0]!.startsWith('re2:')) query.name = args[0]!;
  else if (args.length > 0) query.name = [...args];
  if (labels.length > 0) query.label = labels.flatMap((l) => l.split(','));
  return query;
}

type Built = Pick<PumbaPlan, 'keep'> & { kind: string; params: JsonObject; durationMs?: number | undefined };
type Builder = (f: FlagValues, notes: string[], unsupported: string[]) => Built;

/** Pumba's port list (`util.GetPorts`): comma-separated port numbers. */
function ports(text: string, flag: string): number[] {
  if (!text) return [];
  return text.split(',').map((w) => {
    const n = Number(w.trim());
    if (!/^\d+$/.test(w.trim()) || n < 1 || n > 65535)
      throw usage(
        `failed to get ports: invalid port ${JSON.stringify(w)} (--${flag})`,
        `--${flag} takes port numbers separated by commas, e.g. 80,443`,
      );
    return n;
  });
}

/**
 * The egress filters of `netem`: `--target` addresses alone become peers; with `--egress-port` (source ports) or
 * `--ingress-port` (destination ports), Pumba adds one tc u32 filter per address and per port, so a packet that
 * matches any of them is affected: the same list of filters as `params.match`.
 */
const netemPeers = (f: FlagValues): JsonObject => {
  const peers = ips(list(f, 'target'), 'target');
  const sports = ports(str(f, 'egress-port'), 'egress-port');
  const dports = ports(str(f, 'ingress-port'), 'ingress-port');
  const base: JsonObject = {
    direction: 'egress',
    ...(str(f, 'interface', 'eth0') !== 'eth0' ? { device: str(f, 'interface') } : {}),
  };
  if (sports.length === 0 && dports.length === 0) return { ...base, ...(peers.length ? { peers } : {}) };
  const match: JsonObject[] = [
    ...(peers.length ? [{ destinations: peers }] : []),
    ...(sports.length ? [{ srcPorts: sports }] : []),
    ...(dports.length ? [{ dstPorts: dports }] : []),
  ];
  return { ...base, match };
};

/**
 * The ingress filters of `iptables`: Pumba inserts one INPUT rule per `--source`, `--destination`, `--src-port` and
 * `--dst-port` value (each with `-p PROTOCOL`), so a packet that matches any of them is dropped: a list of
 * `params.match` filters does the same.
 */
function iptablesMatch(f: FlagValues, notes: string[]): JsonObject[] | undefined {
  const protocol = str(f, 'protocol', 'any');
  if (!['any', 'tcp', 'udp', 'icmp'].includes(protocol))
    throw usage(
      `bad protocol name ${JSON.stringify(protocol)}: must be one of any, tcp, udp or icmp`,
      'use --protocol any, tcp, udp or icmp',
    );
  const sources = ips(list(f, 'source'), 'source');
  const destinations = ips(list(f, 'destination'), 'destination');
  const srcPorts = ports(str(f, 'src-port'), 'src-port');
  const dstPorts = ports(str(f, 'dst-port'), 'dst-port');
  for (const [which, given] of [
    ['source', srcPorts],
    ['destination', dstPorts],
  ] as const) {
    if (given.length === 0 || protocol === 'tcp' || protocol === 'udp') continue;
    if (protocol === 'icmp')
      throw usage(`using ${which} port is only supported for tcp and udp protocol`, 'add --protocol tcp or udp');
    notes.push(
      `--${which === 'source' ? 'src' : 'dst'}-port without --protocol: Pumba refuses it ("using ${which} port is only supported for tcp and udp protocol"); turbulence matches the port on TCP and UDP`,
    );
  }
  const proto: JsonObject = protocol === 'any' ? {} : { protocol };
  const match: JsonObject[] = [
    ...(sources.length ? [{ ...proto, sources }] : []),
    ...(destinations.length ? [{ ...proto, destinations }] : []),
    ...(srcPorts.length ? [{ ...proto, srcPorts }] : []),
    ...(dstPorts.length ? [{ ...proto, dstPorts }] : []),
  ];
  if (match.length === 0 && protocol !== 'any') match.push({ protocol });
  if (str(f, 'interface', 'eth0') !== 'eth0')
    notes.push(`--interface ${str(f, 'interface')}: turbulence drops on every interface of the container but lo`);
  return match.length > 0 ? match : undefined;
}

function percentOf(f: FlagValues, what: string, notes: string[]): number {
  const p = range(num(f, 'percent'), 0, 100, `${what} percent`);
  range(num(f, 'correlation'), 0, 100, 'correlation');
  if (num(f, 'correlation') !== 0) notes.push('--correlation: turbulence draws each packet independently');
  return p;
}

const builders: Record<string, Builder> = {
  kill: (f) => ({ kind: 'container.kill', params: { signal: signal(str(f, 'signal', 'SIGKILL')) } }),
  stop: (f) => ({
    kind: 'container.stop',
    params: { timeout: num(f, 'time', 5) },
    ...(bool(f, 'restart', false)
      ? { durationMs: durationMs({ duration: str(f, 'duration', '10s') }, false) }
      : { keep: true }),
  }),
  pause: (f) => ({ kind: 'container.pause', params: {}, durationMs: durationMs(f, 'pause') }),
  rm: (f) => ({
    kind: 'container.remove',
    params: {
      force: bool(f, 'force', true),
      volumes: bool(f, 'volumes', true),
      links: bool(f, 'links', false),
      irreversible: true,
    },
  }),
  restart: (f) => ({
    kind: 'container.restart',
    params: { timeout: Math.ceil((goDuration(str(f, 'timeout', '1s')) ?? 1000) / 1000) },
  }),
  exec: (f, notes) => {
    const command = str(f, 'command', 'kill 1');
    const words = command.split(/\s+/).filter((w) => w.length > 0);
    if (words.length > 1)
      notes.push(
        `--command ${JSON.stringify(command)}: Pumba hands it to the Engine as one word, which runs only where a program has that name; turbulence splits it on spaces into argv (no shell either)`,
      );
    return { kind: 'container.exec', params: { command: [...words, ...list(f, 'args')] } };
  },
  'netem delay': (f, notes) => {
    const time = num(f, 'time', 100);
    const jitter = num(f, 'jitter', 10);
    if (time <= 0) throw usage(`invalid delay time ${time}: must be positive`, 'e.g. --time 100 (ms)');
    if (jitter < 0 || jitter >= time)
      throw usage(`invalid delay jitter ${jitter}: must be >= 0 and < time (${time})`, 'e.g. --time 100 --jitter 10');
    range(num(f, 'correlation', 20), 0, 100, 'correlation');
    const dist = str(f, 'distribution');
    if (!['', 'uniform', 'normal', 'pareto', 'paretonormal'].includes(dist))
      throw usage(`invalid delay distribution ${JSON.stringify(dist)}`, 'use uniform, normal, pareto or paretonormal');
    if (dist && dist !== 'uniform') notes.push(`--distribution ${dist}: turbulence spreads jitter uniformly`);
    return {
      kind: 'container.latency',
      params: { delay: time, jitter, ...netemPeers(f) },
      durationMs: durationMs(f, 'netem'),
    };
  },
  'netem loss': (f, notes) => {
    return {
      kind: 'container.loss',
      params: { percent: percentOf(f, 'loss', notes), ...netemPeers(f) },
      durationMs: durationMs(f, 'netem'),
    };
  },
  'netem loss-state': (f, notes) => {
    const [p13, p31, p32, p23, p14] = ['p13', 'p31', 'p32', 'p23', 'p14'].map((k) => range(num(f, k), 0, 100, k)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const percent = lossStateRate(p13, p31, p32, p23, p14);
    notes.push(`loss-state: Bernoulli loss at the model's long-run rate (${percent}%), without its bursts`);
    return { kind: 'container.loss', params: { percent, ...netemPeers(f) }, durationMs: durationMs(f, 'netem') };
  },
  'netem loss-gemodel': (f, notes) => {
    const [pg, pb, oneH, oneK] = ['pg', 'pb', 'one-h', 'one-k'].map((k) => range(num(f, k), 0, 100, k)) as [
      number,
      number,
      number,
      number,
    ];
    const percent = geModelRate(pg, pb, oneH, oneK);
    notes.push(`loss-gemodel: Bernoulli loss at the model's long-run rate (${percent}%), without its bursts`);
    return { kind: 'container.loss', params: { percent, ...netemPeers(f) }, durationMs: durationMs(f, 'netem') };
  },
  'netem duplicate': (f, notes) => {
    return {
      kind: 'container.latency',
      params: { delay: 0, duplicate: percentOf(f, 'duplicate', notes), backend: 'netem', ...netemPeers(f) },
      durationMs: durationMs(f, 'netem'),
    };
  },
  'netem corrupt': (f, notes) => {
    return {
      kind: 'container.latency',
      params: { delay: 0, corrupt: percentOf(f, 'corrupt', notes), backend: 'netem', ...netemPeers(f) },
      durationMs: durationMs(f, 'netem'),
    };
  },
  'netem rate': (f, notes) => {
    const rate = str(f, 'rate', '100kbit');
    if (!RATE.test(rate)) throw usage(`invalid rate ${JSON.stringify(rate)}`, 'e.g. --rate 100kbit, 1mbit, 10gbit');
    for (const k of ['packetoverhead', 'cellsize', 'celloverhead'])
      if (num(f, k) !== 0) notes.push(`--${k}: not modelled (tbf counts bytes as sent)`);
    return { kind: 'container.bandwidth', params: { rate, ...netemPeers(f) }, durationMs: durationMs(f, 'netem') };
  },
  'iptables loss': (f, notes) => {
    const mode = str(f, 'mode', 'random');
    let percent: number;
    if (mode === 'random') percent = range(num(f, 'probability'), 0, 1, 'probability') * 100;
    else if (mode === 'nth') {
      const every = num(f, 'every');
      if (every <= 0)
        throw usage(
          'nth mode needs --every: a positive number of packets',
          'e.g. loss --mode nth --every 5 --packet 0',
        );
      range(num(f, 'packet'), 0, every - 1, 'packet');
      percent = Math.round(10000 / every) / 100;
      notes.push(`--mode nth: turbulence drops 1 in ${every} packets at random (${percent}%), not every ${every}th`);
    } else throw usage(`invalid loss mode ${JSON.stringify(mode)}`, 'use --mode random or --mode nth');
    const match = iptablesMatch(f, notes);
    return {
      kind: 'container.loss',
      params: { percent, direction: 'ingress', ...(match ? { match } : {}) },
      durationMs: durationMs(f, 'iptables'),
    };
  },
  stress: (f, notes) => {
    const stressors = str(f, 'stressors', '--cpu 4 --timeout 60s')
      .split(/\s+/)
      .filter((w) => w.length > 0);
    notes.push('stress: stress-ng runs on the host inside the container cgroup (no helper container)');
    return { kind: 'container.stress', params: { stressors }, durationMs: durationMs(f, 'stress') };
  },
};

/**
 * The plan of a parsed Pumba command line; throws a USAGE error with Pumba's reason where Pumba refuses the line.
 *
 * @example
 * planPumba(parsePumba(['pause', '--duration', '5s', 'myapp'])).fault;
 * // { kind: 'container.pause', target: { name: ['myapp'] }, params: {}, durationMs: 5000 }
 */
export function planPumba(line: ParsedLine): PumbaPlan {
  const g = line.globals;
  const notes = [...line.ignored];
  const unsupported: string[] = [];
  const runtime = str(g, 'runtime', 'docker');
  const base = {
    command: line.command.join(' '),
    skipError: bool(g, 'skip-error', false),
    logLevel: str(g, 'log-level', 'warning'),
    json: bool(g, 'json', false),
    notes,
    unsupported,
  };
  if (!['debug', 'info', 'warning', 'warn', 'error', 'fatal', 'panic'].includes(base.logLevel))
    throw usage(
      `not a valid log level: ${JSON.stringify(base.logLevel)}`,
      'use --log-level debug, info, warning, error, fatal or panic',
    );
  if (base.logLevel === 'warn') base.logLevel = 'warning';
  if (g.version === true && line.command.length === 0) return { ...base, action: 'version' };
  if (g.help === true || line.flags.help === true || line.command.length === 0) return { ...base, action: 'help' };
  if (!['docker', 'podman', 'containerd'].includes(runtime))
    throw usage(`unknown runtime ${JSON.stringify(runtime)}`, 'use docker (default), podman or containerd');
  let dockerHost = str(g, 'host') || undefined;
  if (runtime === 'podman') {
    dockerHost = str(g, 'podman-socket') || dockerHost || 'unix:///run/podman/podman.sock';
    notes.push('--runtime podman: turbulence talks to Podman through its Docker-compatible socket');
  }
  if (runtime === 'containerd') {
    const namespace = str(g, 'containerd-namespace', 'k8s.io');
    if (namespace === 'moby')
      notes.push(
        "--runtime containerd --containerd-namespace moby: these are the Docker Engine's own containers (same ids); turbulence reaches them through the Engine API",
      );
    else
      unsupported.push(
        `--runtime containerd (namespace ${namespace}): turbulence has no containerd client (containerd's API is gRPC only, and there is no maintained Node.js client for it); it reaches containers through the Docker Engine API (Docker's own containerd namespace, moby) or Podman's Docker-compatible socket. For Kubernetes containers (namespace k8s.io) use the pod.* kinds`,
      );
  }
  const { cmd, sub } = specOf(line.command);
  if ((sub ?? cmd).requireArgs || cmd.requireArgs) {
    if (line.args.length === 0)
      throw usage(
        'container name, list of names, or RE2 regex is required',
        `e.g. turbulence docker ${base.command} my-container`,
      );
  }
  const build = builders[base.command];
  if (!build) throw usage(`\`${base.command}\` needs a subcommand`, `see turbulence docker ${cmd.name} --help`);
  const built = build(line.flags, notes, unsupported);
  const intervalMs = str(g, 'interval') ? goDuration(str(g, 'interval')) : undefined;
  if (intervalMs !== undefined && intervalMs <= 0)
    throw usage('invalid --interval: must be positive', 'e.g. --interval 30s');
  if (intervalMs !== undefined && built.durationMs !== undefined && built.durationMs >= intervalMs) {
    throw usage(
      `duration must be shorter than interval (${str(line.flags, 'duration')} >= ${str(g, 'interval')})`,
      'shorten --duration or lengthen --interval',
    );
  }
  const limit = num(line.flags, 'limit');
  const select = bool(g, 'random', false)
    ? { mode: 'one' as const }
    : limit > 0
      ? { mode: 'count' as const, value: limit }
      : undefined;
  const target = targetOf(line.args, list(g, 'label'));
  if (Object.keys(target).length === 0)
    throw usage(
      'container name, list of names, or RE2 regex is required',
      `e.g. turbulence docker ${base.command} my-container`,
    );
  const fault: FaultSpec = {
    kind: built.kind,
    target,
    params: built.params,
    ...(select ? { select } : {}),
    ...(built.durationMs !== undefined ? { durationMs: built.durationMs } : {}),
  };
  return {
    ...base,
    action: 'run',
    fault,
    ...(built.keep ? { keep: true } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(dockerHost !== undefined ? { dockerHost } : {}),
  };
}
