/**
 * One Kubernetes API fake (no controller) with the FaultRequest CRD, a kubeconfig for it in a temp dir, the
 * environment the runner side reads (KUBECONFIG, no guardian, a short agent timeout), and a real {@link Agent} for
 * `node-1` in this process with its own home: the setup of every agent test file (`agent*.test.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../../src/agent/index.js';
import { FAULT_REQUEST, faultRequestCrd, type FaultRequest } from '../../src/faults/kubernetes/fault-request.js';
import { listNetns } from '../../src/os/netns.js';
import { startKubeFake, type KubeFake } from '../kube-fake/index.js';

/** The node the in-process agent serves. */
export const AGENT_NODE = 'node-1';

/** A started fake + agent. */
export interface AgentCluster {
  fake: KubeFake;
  dir: string;
  kubeconfig: string;
  agent: Agent;
  agentHome: string;
  /** The FaultRequests in the fake now. */
  requests(): FaultRequest[];
  /** Network namespace names the agent attached (`tbpod_*`) still present. */
  attached(): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts the fake and the agent, and sets `env` (plus KUBECONFIG) in process.env until {@link AgentCluster.close}. */
export async function startAgentCluster(env: Record<string, string>): Promise<AgentCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'turbulence-agent-'));
  const fake = await startKubeFake({ seed: 'default', controller: false });
  const kubeconfig = join(dir, 'kubeconfig');
  await fake.writeKubeconfig(kubeconfig);
  fake.cluster.put('customresourcedefinitions', faultRequestCrd() as never);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries({ ...env, KUBECONFIG: kubeconfig })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  const agentHome = join(dir, 'agent-home');
  const agent = new Agent({ node: AGENT_NODE, cluster: { kubeconfig }, home: agentHome, intervalMs: 250 });
  await agent.start();
  return {
    fake,
    dir,
    kubeconfig,
    agent,
    agentHome,
    requests: () => fake.cluster.list(FAULT_REQUEST.plural) as unknown as FaultRequest[],
    attached: async () => (await listNetns()).filter((n) => n.startsWith('tbpod_')),
    async close() {
      await agent.stop();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
