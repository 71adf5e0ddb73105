/**
 * Every CLI command, one module each, listed here with what `turbulence --help` shows about it. A command module
 * exports `register(program)`; adding a command is one file and one entry here.
 *
 * Only the command a command line names is imported (its module pulls in the runner, the proxy, the DNS server...);
 * the others appear in `turbulence --help` from this list alone, so the CLI starts in about the time Node does.
 * `index.test.ts` checks that each entry matches what its module registers.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

/** One top-level command: its name, its help line, and how to load it. */
export interface CommandEntry {
  name: string;
  /** The left column of `turbulence --help`, e.g. `run [options] <experiment>`. */
  term: string;
  /** The command's description, as its module registers it. */
  summary: string;
  load: () => Promise<{ register: RegisterCommand }>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'run',
    term: 'run [options] <experiment>',
    summary: 'run a Chaos Toolkit experiment (JSON or YAML, path or URL) and write its journal',
    load: () => import('./run.js'),
  },
  {
    name: 'validate',
    term: 'validate [options] <experiment>',
    summary: 'check an experiment (JSON or YAML, path or URL) without running it; lists every problem',
    load: () => import('./validate.js'),
  },
  {
    name: 'demo',
    term: 'demo [options]',
    summary:
      'start a small system on loopback, kill one replica and slow another through the proxy, and check the service keeps serving',
    load: () => import('./demo.js'),
  },
  {
    name: 'lab',
    term: 'lab',
    summary: 'a lab of network-namespace hosts on a private bridge, running real services (needs root)',
    load: () => import('./lab.js'),
  },
  {
    name: 'doctor',
    term: 'doctor [options]',
    summary: 'show which fault kinds work on this machine and why the others do not',
    load: () => import('./doctor.js'),
  },
  {
    name: 'proxy',
    term: 'proxy',
    summary: 'Toxiproxy-compatible network fault proxy: serve it, or manage proxies and toxics on any server',
    load: () => import('./proxy.js'),
  },
  {
    name: 'fault',
    term: 'fault',
    summary: 'inject one fault by hand, and list or revert what the ledger holds',
    load: () => import('./fault.js'),
  },
  {
    name: 'docker',
    term: 'docker [pumba-args...]',
    summary: 'Pumba-compatible container chaos: any `pumba ...` command line runs as `turbulence docker ...`',
    load: () => import('./docker.js'),
  },
  {
    name: 'recover',
    term: 'recover [options]',
    summary:
      'revert the faults a crashed or killed run left behind: ledger entries whose owner process is gone, ' +
      'and entries past their expiry',
    load: () => import('./recover.js'),
  },
  {
    name: 'dns',
    term: 'dns',
    summary: 'DNS chaos: a fault-injecting DNS server in front of a real resolver, and a query tool',
    load: () => import('./dns.js'),
  },
  {
    name: 'explore',
    term: 'explore [options] <scenario>',
    summary:
      'run a scenario many times, crashing one instance at one failpoint each time (systematically, then at random), ' +
      'and report every schedule that breaks its invariant with a token that replays it; exit 1 when one does',
    load: () => import('./explore.js'),
  },
  {
    name: 'monkey',
    term: 'monkey',
    summary:
      'continuous chaos on a schedule: faults at random times inside working hours, Chaos Monkey and kube-monkey style, with safety nets',
    load: () => import('./monkey.js'),
  },
  {
    name: 'report',
    term: 'report [options] <journal...>',
    summary: 'turn journals into a self-contained HTML report or a Markdown summary for pull requests',
    load: () => import('./report.js'),
  },
  {
    name: 'ui',
    term: 'ui [options]',
    summary:
      'a live dashboard: runs as they happen, history, active faults with revert, doctor (with --demo: a system to try it on)',
    load: () => import('./ui.js'),
  },
  {
    name: 'agent',
    term: 'agent [options]',
    summary:
      'run the node agent: apply pod faults (pod.partition, pod.stress, pod.limit-cpu, pod.disk-fill, ...) requested for pods on this node',
    load: () => import('./agent.js'),
  },
  {
    name: 'operator',
    term: 'operator [options]',
    summary: 'run the LitmusChaos ChaosEngines applied to the cluster, as the Litmus chaos operator does',
    load: () => import('./operator.js'),
  },
];

/**
 * The command a command line names: its first operand (`turbulence fault inject ...` → `fault`), or the one after
 * `help` (`turbulence help fault`). Undefined for `turbulence`, `turbulence --help`, `turbulence --version`.
 */
export function commandNamed(args: readonly string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}
