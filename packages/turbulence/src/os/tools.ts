/**
 * @module Tool discovery: where an executable is, whether we are root, and the one wording for "needs X: install
 * Y" that doctor, capability checks and errors share.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Absolute path of an executable on PATH or in the sbin directories, or undefined.
 *
 * @example
 * findBinary('nft'); // '/usr/sbin/nft'
 */
export function findBinary(bin: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return join(dir, bin);
    } catch {
      // next
    }
  }
  return undefined;
}

/** True when this process runs as root (uid 0). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Debian package of the tools whose package name differs from the tool's name. */
const PACKAGE: Record<string, string> = {
  nft: 'nftables',
  tc: 'iproute2',
  ip: 'iproute2',
  iptables: 'iptables',
  libfaketime: 'faketime',
  'stress-ng': 'stress-ng',
};

/** The Debian package that provides a tool (its own name when not known otherwise). */
export function packageOf(tool: string): string {
  return PACKAGE[tool] ?? tool;
}

/**
 * The one wording of a missing tool: "needs `X` (Debian: Y)".
 *
 * @example
 * needsTool('nft'); // 'needs `nft` (Debian: nftables)'
 */
export function needsTool(tool: string, pkg: string = packageOf(tool)): string {
  return `needs \`${tool}\` (Debian: ${pkg})`;
}

/** Outcome of {@link checkTools}: the same shape as a driver's capability result. */
export type ToolsCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks root (when `root` is set) and that every tool is on PATH; the reason lists everything missing.
 *
 * @example
 * checkTools(['nft', 'tc'], { root: true }); // { ok: false, reason: 'needs root; needs `nft` (Debian: nftables)' }
 */
export function checkTools(tools: readonly string[], options: { root?: boolean } = {}): ToolsCheck {
  const reasons: string[] = [];
  if (options.root && !isRoot()) reasons.push('needs root');
  for (const t of tools) if (!findBinary(t)) reasons.push(needsTool(t));
  return reasons.length === 0 ? { ok: true } : { ok: false, reason: reasons.join('; ') };
}
