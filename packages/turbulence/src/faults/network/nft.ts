/**
 * The shape shared by every nft-based network fault: one table `inet turbulence_<fault id>` inside the target's
 * namespace, replaced atomically on inject, deleted (and only it) on revert, listed to verify.
 *
 *   inject ──▶ nft -f - : table inet turbulence_<id> { chain input {...} chain output {...} }
 *   verify ──▶ nft list table inet turbulence_<id>   (present, with its rules)
 *   revert ──▶ nft delete table inet turbulence_<id> (a missing table or namespace is fine)
 */
import type { z } from 'zod';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { run } from '../../os/exec.js';
import { requireTools } from './capabilities.js';
import { directKey, faultIdOf, objectName } from '../naming.js';
import { resolvePeers } from './targets.js';
import { netAttrs, resolveNetworkTargets, targetPresent } from '../../targets/netns.js';

/** Rules of the two chains (each line one nft rule); an empty list leaves the chain out. */
export interface NftRules {
  input: string[];
  output: string[];
}

/** Params every nft fault accepts. */
export interface PeerParams {
  peers?: string[] | undefined;
}

/** What an nft variant file supplies. */
export interface NftVariant<P extends PeerParams> {
  kind: string;
  summary: string;
  params: z.ZodType<P>;
  /** The rules for the resolved peers (addresses/CIDRs; empty = everyone). */
  rules(params: P, peers: string[]): NftRules;
  /** Drop-everything kinds refuse this machine's own namespace unless peers narrow them. */
  needsPeersOnHost?: boolean;
}

/** `ip saddr { a, b } ` (input) or `ip daddr { a, b } ` (output), or '' for everyone. */
export function peerMatch(chain: 'input' | 'output', peers: readonly string[]): string {
  if (peers.length === 0) return '';
  return `ip ${chain === 'input' ? 'saddr' : 'daddr'} { ${peers.join(', ')} } `;
}

/** The nft table name of a fault: `turbulence_` + its ledger id (one table per fault, never shared). */
export const tableName = (faultId: string): string => objectName('turbulence_', faultId);

/** The ruleset that (re)creates the table atomically. */
export function tableScript(table: string, rules: NftRules): string {
  const chain = (name: 'input' | 'output'): string =>
    rules[name].length === 0
      ? ''
      : `  chain ${name} {\n    type filter hook ${name} priority -10; policy accept;\n` +
        rules[name].map((r) => `    ${r}\n`).join('') +
        '  }\n';
  return `table inet ${table} {}\ndelete table inet ${table}\ntable inet ${table} {\n${chain('input')}${chain('output')}}\n`;
}

/**
 * Builds a {@link FaultDriver} from an nft variant.
 *
 * @example
 * export const lossDriver = nftDriver({ kind: 'network.loss', summary: '...', params, rules: (p, peers) => ... });
 */
export function nftDriver<P extends PeerParams>(variant: NftVariant<P>): FaultDriver<P> {
  const stateOf = (faultId: string, state: unknown): { table: string } => {
    const s = state as { table?: unknown } | undefined;
    return { table: typeof s?.table === 'string' ? s.table : tableName(faultId) };
  };
  // Without a recorded state (inject never returned): the table named from the ledger id, and the one a direct
  // driver call (no ledger id) would have made for the same kind, target and params.
  const tablesOf = (fault: { id: string; target: Target; params: P; state?: unknown }): string[] =>
    typeof (fault.state as { table?: unknown } | undefined)?.table === 'string'
      ? [stateOf(fault.id, fault.state).table]
      : [...new Set([tableName(fault.id), tableName(directKey(variant.kind, fault.target, fault.params))])];
  return {
    kind: variant.kind,
    summary: variant.summary,
    params: variant.params,
    targets: ['netns'],
    resolveTargets: (query) => resolveNetworkTargets(query),
    check: () => requireTools(['nft']),
    async inject(target, params, ctx) {
      await requireTools(['nft'], variant.kind);
      const ns = netAttrs(target).netns;
      if (ns === null && variant.needsPeersOnHost && !params.peers?.length) {
        throw new TurbulenceError(ErrorCodes.TARGET_REFUSED, `${variant.kind} on this machine itself needs peers`, {
          hint: 'name the peers to cut off (addresses or CIDRs), or target a lab host or namespace instead',
        });
      }
      const peers = resolvePeers(params.peers, target);
      const table = tableName(faultIdOf(ctx, variant.kind, target, params));
      const script = tableScript(table, variant.rules(params, peers));
      await run(['nft', '-f', '-'], { netns: ns ?? undefined, input: script, code: ErrorCodes.FAULT_INJECT_FAILED });
      const state: JsonObject = { table, netns: ns, peers };
      return state;
    },
    async revert(fault) {
      if (!(await targetPresent(fault.target))) return;
      for (const table of tablesOf(fault)) await deleteTable(fault.target, table);
    },
    async verify(fault) {
      const { table } = stateOf(fault.id, fault.state);
      const ns = netAttrs(fault.target).netns ?? undefined;
      const res = await run(['nft', 'list', 'table', 'inet', table], { netns: ns, allowFail: true });
      return res.code === 0 && /\b(drop|reject)\b/.test(res.stdout);
    },
  };
}

/** Deletes one table (a missing table or namespace is fine). */
async function deleteTable(target: Target, table: string): Promise<void> {
  const ns = netAttrs(target).netns ?? undefined;
  const res = await run(['nft', 'delete', 'table', 'inet', table], { netns: ns, allowFail: true });
  if (res.code !== 0 && !/No such file|does not exist/i.test(res.stderr)) {
    throw new TurbulenceError(
      ErrorCodes.FAULT_REVERT_FAILED,
      `cannot delete nft table ${table}: ${res.stderr.trim()}`,
      {
        hint: `remove it by hand: ${ns ? `ip netns exec ${ns} ` : ''}nft delete table inet ${table}`,
      },
    );
  }
}

/** Names of the `turbulence_*` nft tables in a namespace (for tests and `doctor`). */
export async function turbulenceTables(netns: string | undefined): Promise<string[]> {
  const res = await run(['nft', 'list', 'tables'], { netns, allowFail: true });
  return res.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[2] ?? '')
    .filter((n) => n.startsWith('turbulence_'));
}
