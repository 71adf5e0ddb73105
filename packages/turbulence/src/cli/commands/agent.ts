/**
 * `turbulence agent --node NAME`: the node agent (run by the DaemonSet in `deploy/kubernetes/agent-daemonset.yaml`).
 * Applies pod faults (network, stress, limits, disk fill, container kill) requested through FaultRequest objects for
 * pods on its node; see `src/agent/`.
 */
import type { Command } from 'commander';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import { parseInteger } from '../parse.js';
import { serveUntilInterrupted } from '../signals.js';
import { addLogOptions, createLogger, type LogFlags } from '../logger.js';

interface AgentFlags extends LogFlags {
  node?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  resyncMs: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Registers `turbulence agent`. */
export function register(program: Command): void {
  const agent = program
    .command('agent')
    .description(
      'run the node agent: apply pod faults (pod.partition, pod.stress, pod.limit-cpu, pod.disk-fill, ...) requested for pods on this node',
    )
    .option('--node <name>', 'the Kubernetes node this agent serves (env NODE_NAME, set by the DaemonSet)')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, else the pod service account)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--namespace <ns>', 'only serve FaultRequests in this namespace (default: all namespaces)')
    .option('--resync-ms <ms>', 'full resync and lease check period', '2000')
    .addHelpText(
      'after',
      `
The runner (turbulence run / fault inject with a pod kind the agent applies) creates a FaultRequest object naming a
pod and renews a Lease while it lives (a detached fault has no lease). This agent, on the pod's node, finds the
container's process (its container ID in /proc/<pid>/cgroup) and applies turbulence's own families with its own
ledger ($TURBULENCE_HOME/ledger): network kinds in the pod's network namespace (ip netns attach), stress and disk
fill beside the process (in its cgroups and filesystem), limits on its cgroup (previous values restored), a signal
to it for pod.container-kill. It writes status Applied / Failed / Reverted on the request, and reverts when the
request is deleted, when its duration is over, when the runner's Lease is not renewed in time, and when it stops.
At start it reverts whatever a previous agent left in its ledger. Needs root, hostPID, NET_ADMIN and the node's
cgroup hierarchy.

Examples:
  $ turbulence agent --node node-1
  $ NODE_NAME=node-1 turbulence agent --kubeconfig ~/.kube/config --log-format json`,
    );
  addLogOptions(agent).action(async (flags: AgentFlags) => {
    const node = flags.node ?? process.env.NODE_NAME;
    if (!node || !DNS_LABEL.test(node)) {
      throw new TurbulenceError(
        ErrorCodes.USAGE,
        node ? `--node ${JSON.stringify(node)} is not a node name` : 'turbulence agent needs the node it serves',
        {
          hint: node
            ? "a node name has lowercase letters, digits, '-' and '.' (see `kubectl get nodes`)"
            : 'give --node NAME (in the DaemonSet, env NODE_NAME from spec.nodeName)',
        },
      );
    }
    const resyncMs = parseInteger('--resync-ms', flags.resyncMs, { min: 100 });
    const { Agent } = await import('../../agent/index.js');
    const logger = createLogger(flags);
    const a = new Agent({
      node,
      cluster: {
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
      },
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      intervalMs: resyncMs,
    });
    a.on('log', (l) => logger[l.level](l.request ? { request: l.request } : {}, l.msg));
    await a.start();
    await serveUntilInterrupted(() => a.stop('agent stopped: reverted'));
  });
}
