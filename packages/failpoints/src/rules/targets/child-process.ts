/** @module Rule targets in `child_process`: spawn, exec, execFile, fork and their sync forms. */
import cp from 'node:child_process';
import type { Facts, Style, TargetDef } from '../types.js';

function facts(key: string, args: readonly unknown[]): Facts {
  const first = typeof args[0] === 'string' ? args[0] : undefined;
  // exec takes a shell line: its command is the first word.
  const command = key.startsWith('exec') && !key.startsWith('execFile') ? first?.trim().split(/\s+/)[0] : first;
  return { command };
}

const def = (key: string, style: Style): TargetDef => ({
  name: `child_process.${key}`,
  owner: () => cp,
  key,
  style,
  facts: (args) => facts(key, args),
  errno: (f) => ({ syscall: `spawn ${f.command ?? ''}`.trim(), path: f.command }),
});

/** The child_process targets. */
export const childProcessTargets: readonly TargetDef[] = [
  def('spawn', 'spawn'),
  def('fork', 'spawn'),
  def('exec', 'callback'),
  def('execFile', 'callback'),
  def('spawnSync', 'sync'),
  def('execSync', 'sync'),
  def('execFileSync', 'sync'),
];
