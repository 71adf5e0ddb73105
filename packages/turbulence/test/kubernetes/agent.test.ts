/**
 * `turbulence agent` end to end, against the Kubernetes API fake (`test/kube-fake/`) and REAL kernel objects: each
 * "pod" is a real process in its own network namespace and cgroup (see `pod-process.ts`); the agent (in this
 * process) finds it through /proc by container ID, and the effect is read from outside with
 * `ip netns exec <ns> nft list tables` / `tc -n <ns> qdisc show`. Runs as root, under `flock /tmp/tb-system.lock`.
 *
 *   driver contract  pod.partition, pod.loss, pod.dns-block, pod.latency, pod.bandwidth through runner + agent
 *   short lease      a SIGKILLed runner stops renewing its 2 s Lease: the agent reverts by itself
 *   duration         the runner passes the fault's duration: the agent reverts at expiry without the runner
 *   detach           a detached request has no lease: it outlives the runner's lease, until its duration
 *                    (the agent) or `fault revert ID`
 *   restart          an agent SIGKILLed with a fault applied: the next one reverts it from its ledger
 *   no agent         a pod on a node without agent: a timeout error naming the node, nothing left
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { FAULT_REQUEST, type FaultRequest } from '../../src/faults/kubernetes/fault-request.js';
import { FaultManager } from '../../src/faults/manager.js';
import { Ledger } from '../../src/faults/ledger.js';
import { recoverLedger, revertLedgerEntry } from '../../src/faults/recover.js';
import { ledgerDir } from '../../src/os/home.js';
import type { KubeFake } from '../kube-fake/index.js';
import { AGENT_NODE as NODE, startAgentCluster, type AgentCluster } from './agent-cluster.js';
import { CLI_COMMAND_MS, cliTimeout, spawnCli, type RunningCli } from '../support/cli.js';
import { driverContract } from '../support/driver-contract.js';
import { eventually } from '../support/eventually.js';
import { requireSystem } from '../support/system.js';
import { startPodProcess, type PodProcess } from './pod-process.js';

const NEEDS = ['root', 'ip', 'nft', 'tc'] as const;
const sys = requireSystem(...NEEDS);
const ROOT = join(import.meta.dirname, '..', '..');

let c: AgentCluster;
let fake: KubeFake;
let kubeconfig: string;
const ENV = {
  TURBULENCE_GUARDIAN: 'off',
  TURBULENCE_AGENT_TIMEOUT_MS: '15000',
} as const;

const requests = (): FaultRequest[] => c.requests();
/** Names the agent attached (`tbpod_*`) still present. */
const attached = () => c.attached();
/**
 * Every pod namespace name the agent gave is gone. Not at once: `ip netns delete` fails (EBUSY) while a mount
 * namespace another test created meanwhile holds a copy of the name, and the agent retries it at each resync.
 */
const detachedAll = async () => (await attached()).length === 0;

beforeAll(async () => {
  if (sys.skip) return;
  c = await startAgentCluster(ENV);
  ({ fake, kubeconfig } = c);
}, 30_000);

afterAll(async () => {
  if (sys.skip) return;
  await c.close();
});

/** A contract target: a pod process on the agent's node. */
const podTarget =
  (inEffect: (p: PodProcess) => Promise<boolean>, params: Record<string, unknown> = {}) =>
  async () => {
    const p = await startPodProcess(fake, NODE);
    return {
      query: { namespace: 'default', name: p.name },
      params: params as never,
      inEffect: () => inEffect(p),
      leftovers: async () => [
        ...(await p.tables()),
        ...(await p.chains()),
        ...(await eventually(detachedAll, 10_000, 100).then(attached)),
        ...requests().map((r) => `FaultRequest ${r.metadata.name}`),
      ],
      cleanup: () => p.cleanup(),
    };
  };
const hasTable = async (p: PodProcess) => (await p.tables()).length > 0;
const sameTransport = 'the same runner → FaultRequest → agent path as pod.partition, whose crash case covers it';

driverContract({ kind: 'pod.partition', needs: [...NEEDS], setup: podTarget(hasTable), settleMs: 5000 });
driverContract({
  kind: 'pod.loss',
  needs: [...NEEDS],
  setup: podTarget(hasTable, { percent: 50 }),
  settleMs: 5000,
  skipBehaviours: { 'crash-recover': sameTransport },
});
driverContract({
  kind: 'pod.dns-block',
  needs: [...NEEDS],
  setup: podTarget(hasTable),
  settleMs: 5000,
  skipBehaviours: { 'crash-recover': sameTransport },
});
driverContract({
  kind: 'pod.latency',
  needs: [...NEEDS],
  // netem where the kernel has it, else the NFQUEUE backend's iptables chain (the network family chooses).
  setup: podTarget(async (p) => /netem/.test(await p.qdiscs()) || (await p.chains()).length > 0, { delay: '100ms' }),
  settleMs: 5000,
  skipBehaviours: { 'crash-recover': sameTransport },
});
driverContract({
  kind: 'pod.bandwidth',
  needs: [...NEEDS],
  setup: podTarget(async (p) => /tbf|htb/.test(await p.qdiscs()), { rate: '1mbit' }),
  settleMs: 5000,
  skipBehaviours: { 'crash-recover': sameTransport },
});

/** A runner child (the contract's fault-runner) with its own home; resolves once it printed `injected`. */
function startRunner(spec: object, env: NodeJS.ProcessEnv): { child: ChildProcess; injected: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test', 'support', 'fault-runner.ts'), JSON.stringify(spec)],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const injected = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('injected ')) resolve();
    });
    child.once('close', (code) => reject(new Error(`runner exited ${code}: ${err}`)));
  });
  return { child, injected };
}

describe.skipIf(sys.skip)('turbulence agent', () => {
  it(
    'reverts by itself when the runner stops renewing its Lease (SIGKILLed runner, 2 s lease)',
    async () => {
      const p = await startPodProcess(fake, NODE);
      const home = mkdtempSync(join(tmpdir(), 'turbulence-agent-runner-'));
      const runner = startRunner(
        { kind: 'pod.partition', target: { namespace: 'default', name: p.name } },
        { ...process.env, TURBULENCE_HOME: home, TURBULENCE_LEASE_SECONDS: '2' },
      );
      try {
        await runner.injected;
        expect(await p.tables()).toHaveLength(1);
        const killedAt = Date.now();
        runner.child.kill('SIGKILL');
        expect(await eventually(async () => (await p.tables()).length === 0, 10_000, 100)).toBe(true);
        const took = Date.now() - killedAt;
        expect(took).toBeGreaterThan(1000); // not before the lease ran out
        // The status is written just after the revert: wait for it.
        const mine = () => requests().find((x) => x.spec.pod.name === p.name);
        expect(await eventually(() => mine()?.status?.phase === 'Reverted', 5000, 50)).toBe(true);
        expect(mine()?.status?.message).toMatch(/lease .* not renewed within 2s/);
        expect(await eventually(detachedAll, 10_000, 100)).toBe(true);
      } finally {
        if (runner.child.exitCode === null && runner.child.signalCode === null) runner.child.kill('SIGKILL');
        // What `turbulence recover` would do for the dead runner: delete its request; the agent releases it.
        for (const r of requests().filter((x) => x.spec.pod.name === p.name))
          fake.cluster.delete(FAULT_REQUEST.plural, 'default', r.metadata.name);
        await p.cleanup();
        rmSync(home, { recursive: true, force: true });
      }
    },
    4 * CLI_COMMAND_MS,
  );

  it('passes the duration into the request: the agent reverts at expiry even when the runner is gone', async () => {
    const p = await startPodProcess(fake, NODE);
    const home = mkdtempSync(join(tmpdir(), 'turbulence-agent-runner-'));
    const manager = new FaultManager({ rng: new Rng(1), home, guardian: false });
    try {
      const [fault] = await manager.inject(
        {
          kind: 'pod.loss',
          target: { namespace: 'default', name: p.name },
          params: { percent: 100 },
          durationMs: 1500,
        },
        { activity: 'duration' },
      );
      const mine = () => requests().find((r) => r.spec.faultId === fault!.id);
      expect(mine()?.spec.durationMs).toBeGreaterThan(500);
      expect(mine()?.spec.durationMs).toBeLessThanOrEqual(1500);
      expect(mine()?.spec.lease).toBeDefined(); // not detached: still tied to this runner's lease
      expect(await p.tables()).toHaveLength(1);
      // The runner's timers stop (as if it hung): only the agent can revert now; its lease stays fresh.
      manager.dispose();
      expect(await eventually(() => mine()?.status?.phase === 'Reverted', 8000, 50)).toBe(true);
      expect(mine()?.status?.message).toMatch(/duration over/);
      expect(await p.tables()).toEqual([]);
      expect(await eventually(detachedAll, 10_000, 100)).toBe(true);
      await recoverLedger({ all: true, ledger: new Ledger(ledgerDir(home)) }); // what `recover` does: the request goes
      expect(requests()).toEqual([]);
    } finally {
      // A failed check above must not leave this pod's request to the next tests.
      for (const r of requests().filter((x) => x.spec.pod.name === p.name))
        fake.cluster.delete(FAULT_REQUEST.plural, 'default', r.metadata.name);
      await p.cleanup();
      rmSync(home, { recursive: true, force: true });
    }
  }, 30_000);

  it('a detached pod fault outlives the lease: it lasts until its duration (agent) or `fault revert ID`', async () => {
    const [timed, open] = [await startPodProcess(fake, NODE), await startPodProcess(fake, NODE)];
    const home = mkdtempSync(join(tmpdir(), 'turbulence-agent-runner-'));
    const ledger = new Ledger(ledgerDir(home));
    process.env.TURBULENCE_LEASE_SECONDS = '1';
    const manager = new FaultManager({ rng: new Rng(1), home, guardian: false });
    try {
      const inject = async (p: PodProcess, durationMs?: number) =>
        (
          await manager.inject(
            {
              kind: 'pod.partition',
              target: { namespace: 'default', name: p.name },
              ...(durationMs ? { durationMs } : {}),
            },
            { activity: 'detach' },
          )
        )[0]!;
      // The one without a duration first: the other's 6 s start as late as possible (injects are slow under load).
      const b = await inject(open);
      const a = await inject(timed, 6000);
      await manager.detach(); // what `fault inject --detach` does before it exits
      manager.dispose();
      const req = (id: string) => requests().find((r) => r.spec.faultId === id);
      for (const id of [a.id, b.id]) {
        expect(req(id)?.spec.detached).toBe(true);
        expect(req(id)?.spec.lease).toBeUndefined();
      }
      // Well past the 1 s lease (which nobody renews now): a fault tied to it would be reverted by now.
      await new Promise((r) => setTimeout(r, 2500));
      expect(await timed.tables()).toHaveLength(1);
      expect(await open.tables()).toHaveLength(1);
      // `turbulence fault revert ID` reverts the one without a duration...
      await revertLedgerEntry(b.id, ledger);
      expect(await open.tables()).toEqual([]);
      expect(req(b.id)).toBeUndefined();
      // ... and the agent reverts the other one at its expiry by itself.
      expect(await eventually(() => req(a.id)?.status?.phase === 'Reverted', 8000, 50)).toBe(true);
      expect(req(a.id)?.status?.message).toMatch(/duration over/);
      expect(await timed.tables()).toEqual([]);
      const expires = Date.parse((await ledger.get(a.id))?.expiresAt ?? '');
      await new Promise((r) => setTimeout(r, Math.max(0, expires - Date.now() + 50)));
      const report = await recoverLedger({ ledger }); // expired: recover clears it without --all
      expect(report.reverted.map((e) => e.id)).toEqual([a.id]);
      expect(requests()).toEqual([]);
      expect(await eventually(detachedAll, 10_000, 100)).toBe(true);
    } finally {
      delete process.env.TURBULENCE_LEASE_SECONDS;
      await recoverLedger({ all: true, ledger }).catch(() => undefined);
      await timed.cleanup();
      await open.cleanup();
      rmSync(home, { recursive: true, force: true });
    }
  }, 40_000);

  it(
    'an agent SIGKILLed with a fault applied: the next one reverts it from its ledger, then serves the live request',
    async () => {
      const p = await startPodProcess(fake, 'node-3');
      const home = mkdtempSync(join(tmpdir(), 'turbulence-agent-node3-'));
      const runnerHome = mkdtempSync(join(tmpdir(), 'turbulence-agent-runner-'));
      const env = { ...process.env, TURBULENCE_HOME: home };
      const args = [
        'agent',
        '--node',
        'node-3',
        '--kubeconfig',
        kubeconfig,
        '--resync-ms',
        '250',
        '--log-format',
        'json',
      ];
      const agents: RunningCli[] = [];
      const manager = new FaultManager({ rng: new Rng(1), home: runnerHome, guardian: false });
      try {
        agents.push(spawnCli(args, { env }));
        const [fault] = await manager.inject(
          { kind: 'pod.partition', target: { namespace: 'default', name: p.name } },
          { activity: 'agent restart' },
        );
        const before = await p.tables();
        expect(before).toHaveLength(1);
        agents[0]!.child.kill('SIGKILL');
        await agents[0]!.exit;
        expect(await p.tables()).toEqual(before); // the fault outlives the agent
        agents.push(spawnCli(args, { env }));
        // The new agent reverts its predecessor's table (its ledger), then applies the still-live request anew.
        const renewed = async () => {
          const now = await p.tables();
          return now.length === 1 && now[0] !== before[0];
        };
        expect(await eventually(renewed, CLI_COMMAND_MS, 100)).toBe(true);
        expect(agents[1]!.stdout()).toMatch(/reverted 1 fault\(s\) a previous agent left applied/);
        await manager.revert(fault!.id);
        expect(await p.tables()).toEqual([]);
        expect(requests()).toEqual([]);
      } finally {
        await manager.revertAll();
        manager.dispose();
        for (const a of agents) {
          if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGTERM');
          await a.exit;
        }
        await p.cleanup();
        rmSync(home, { recursive: true, force: true });
        rmSync(runnerHome, { recursive: true, force: true });
      }
    },
    cliTimeout(2),
  );

  it("refuses a pod in the agent's own namespace, whoever asks", async () => {
    fake.cluster.put('namespaces', { metadata: { name: 'turbulence' } });
    fake.cluster.put(FAULT_REQUEST.plural, {
      apiVersion: `${FAULT_REQUEST.group}/${FAULT_REQUEST.version}`,
      kind: FAULT_REQUEST.kind,
      metadata: { name: 'at-agent', namespace: 'turbulence', labels: { 'turbulence.io/node': NODE } },
      spec: {
        faultId: 'at-agent',
        kind: 'network.partition',
        params: {},
        node: NODE,
        pod: { namespace: 'turbulence', name: 'turbulence-agent-x1', uid: '' },
        lease: { namespace: 'turbulence', name: 'none' },
      },
    });
    try {
      const status = () => requests().find((r) => r.metadata.name === 'at-agent')?.status;
      expect(await eventually(() => status()?.phase === 'Failed', 5000, 50)).toBe(true);
      expect(status()?.message).toMatch(/agent's namespace/);
    } finally {
      fake.cluster.delete(FAULT_REQUEST.plural, 'turbulence', 'at-agent');
    }
  });

  it('fails with the node named when no agent answers, and leaves nothing', async () => {
    const p = await startPodProcess(fake, 'node-2');
    process.env.TURBULENCE_AGENT_TIMEOUT_MS = '1500';
    const home = mkdtempSync(join(tmpdir(), 'turbulence-agent-runner-'));
    const manager = new FaultManager({ rng: new Rng(1), home, guardian: false });
    try {
      await expect(
        manager.inject(
          { kind: 'pod.partition', target: { namespace: 'default', name: p.name } },
          { activity: 'no agent' },
        ),
      ).rejects.toThrow(/no turbulence agent answered on node node-2 within 1.5s/);
      expect(requests()).toEqual([]);
      expect((await manager.ledger.list()).entries).toEqual([]);
      expect(await p.tables()).toEqual([]);
    } finally {
      process.env.TURBULENCE_AGENT_TIMEOUT_MS = ENV.TURBULENCE_AGENT_TIMEOUT_MS;
      manager.dispose();
      rmSync(home, { recursive: true, force: true });
      await p.cleanup();
    }
  }, 20_000);
});
