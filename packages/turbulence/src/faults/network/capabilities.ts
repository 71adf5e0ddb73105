/**
 * What this machine can do for network faults, detected at run time and cached: root, `nft`, `tc`, the netem
 * qdisc (tried in a throwaway namespace, because a kernel without `sch_netem` says so only when asked), and the
 * optional `nfqueue` npm addon for user-space latency.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { CapabilityResult } from '../../core/fault.js';
import { run } from '../../os/exec.js';
import { checkTools } from '../../os/tools.js';

/**
 * Checks root and the given binaries. With `throwFor`, a missing one throws `FAULT_UNSUPPORTED` naming the kind.
 *
 * @example
 * await requireTools(['nft', 'tc']); // { ok: false, reason: 'needs root' } when not root
 */
export function requireTools(tools: readonly string[], throwFor?: string): Promise<CapabilityResult> {
  const result = checkTools(tools, { root: true });
  if (!result.ok && throwFor) throw unsupported(throwFor, result.reason);
  return Promise.resolve(result);
}

/** The error for a kind this machine cannot run. */
export function unsupported(kind: string, reason: string): TurbulenceError {
  return new TurbulenceError(ErrorCodes.FAULT_UNSUPPORTED, `${kind} cannot run here: ${reason}`, {
    hint: 'run `turbulence doctor` to see what this machine supports; scripts/setup-system.sh installs the tools',
  });
}

let netemCache: Promise<CapabilityResult> | undefined;

/** Whether the kernel has the netem qdisc: tried once on `lo` of a throwaway namespace. */
export function netemAvailable(): Promise<CapabilityResult> {
  netemCache ??= probeNetem();
  return netemCache;
}

async function probeNetem(): Promise<CapabilityResult> {
  const tools = await requireTools(['ip', 'tc']);
  if (!tools.ok) return tools;
  const ns = `tbprobe${randomBytes(3).toString('hex')}`;
  await run(['ip', 'netns', 'add', ns]);
  try {
    const res = await run(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], {
      netns: ns,
      allowFail: true,
    });
    if (res.code === 0) return { ok: true, detail: 'netem qdisc available' };
    return { ok: false, reason: `the kernel has no netem qdisc (${res.stderr.trim() || `exit ${res.code}`})` };
  } finally {
    await run(['ip', 'netns', 'del', ns], { allowFail: true });
  }
}

let nfqueueCache: Promise<CapabilityResult> | undefined;

/** Whether the optional `nfqueue` addon loads and `iptables` (nft front end) is there for `-j NFQUEUE`. */
export function nfqueueAvailable(): Promise<CapabilityResult> {
  nfqueueCache ??= (async (): Promise<CapabilityResult> => {
    const tools = await requireTools(['iptables']);
    if (!tools.ok) return tools;
    try {
      const name = 'nfqueue';
      await import(name);
      return { ok: true, detail: 'nfqueue addon loaded' };
    } catch {
      return {
        ok: false,
        reason:
          'the optional npm addon `nfqueue` is not installed (apt-get install libnetfilter-queue-dev; npm i nfqueue)',
      };
    }
  })();
  return nfqueueCache;
}
