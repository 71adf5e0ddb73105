import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { requireSystem } from '../../support/system.js';

const sys = requireSystem('root', 'ip', 'tc', 'nft');

interface Line {
  name: string;
  result: { ok: boolean; reason?: string; detail?: string };
}

/** Whether netem works, asked of the kernel directly in a namespace of our own. */
function netemWorks(): boolean {
  const ns = `tbdoc${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

describe.skipIf(sys.skip)('turbulence doctor', () => {
  it('reports the machine as it is, and every fault kind with its verdict', async () => {
    const out = await runCli(['doctor', '--json']);
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as { machine: Line[]; kinds: Line[] };
    const fact = (name: string) => report.machine.find((l) => l.name === name)?.result;
    expect(fact('root')?.ok).toBe(true);
    expect(fact('netem qdisc')?.ok).toBe(netemWorks());
    const kinds = new Map(report.kinds.map((l) => [l.name, l.result]));
    for (const k of ['network.partition', 'network.loss', 'network.bandwidth', 'cgroup.freeze', 'limit.memory']) {
      expect(kinds.get(k)?.ok, k).toBe(true);
    }
    const latency = kinds.get('network.latency');
    expect(latency?.ok ? latency.detail : latency?.reason).toMatch(/netem|nfqueue/);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/tbprobe|tbdoc/);
  });
});
