/** @module Rule targets in `child_process`: spawn, exec, execFile, fork and their sync forms. */
import cp from 'node:child_process';
import type { FactReaders, Style, TargetDef } from '../types.js';

const fileCommand: FactReaders = { command: (a0) => (typeof a0 === 'string' ? a0 : undefined) };
// exec takes a shell line: its command is the first word.
const shellCommand: FactReaders = { command: (a0) => (typeof a0 === 'string' ? a0.trim().split(/\s+/)[0] : undefined) };

const def = (key: string, style: Style): TargetDef => ({
  name: `child_process.${key}`,
  owner: () => cp,
  key,
  style,
  facts: key.startsWith('exec') && !key.startsWith('execFile') ? shellCommand : fileCommand,
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
