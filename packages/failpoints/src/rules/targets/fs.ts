/**
 * @module Rule targets in `fs`: every path-taking function in its callback (`fs.readFile`), synchronous
 * (`fs.readFileSync`) and promise (`fs.promises.readFile`) forms. FileHandle methods and streams are not covered.
 */
import fs from 'node:fs';
import type { FactReaders, Style, TargetDef } from '../types.js';
import { pathOf } from './util.js';

/** Function name → the syscall Node reports when it fails. */
const FUNCTIONS: Record<string, string> = {
  readFile: 'open',
  writeFile: 'open',
  appendFile: 'open',
  open: 'open',
  stat: 'stat',
  lstat: 'lstat',
  access: 'access',
  readdir: 'scandir',
  mkdir: 'mkdir',
  mkdtemp: 'mkdtemp',
  rmdir: 'rmdir',
  rm: 'rm',
  unlink: 'unlink',
  rename: 'rename',
  copyFile: 'copyfile',
  truncate: 'open',
  chmod: 'chmod',
  chown: 'chown',
  utimes: 'utime',
  realpath: 'realpath',
  readlink: 'readlink',
  symlink: 'symlink',
  link: 'link',
  opendir: 'opendir',
};

const TWO_PATHS = new Set(['rename', 'copyFile', 'symlink', 'link']);

const onePath: FactReaders = { path: pathOf };
const twoPaths: FactReaders = { path: pathOf, dest: (_a0, a1) => pathOf(a1) };

function target(name: string, owner: () => object, key: string, style: Style, fn: string): TargetDef {
  const syscall = FUNCTIONS[fn] ?? fn;
  return {
    name,
    owner,
    key,
    style,
    facts: TWO_PATHS.has(fn) ? twoPaths : onePath,
    errno: (f) => ({ syscall, path: f.path, dest: f.dest }),
  };
}

/** The fs targets. */
export const fsTargets: readonly TargetDef[] = Object.keys(FUNCTIONS).flatMap((fn) => [
  target(`fs.${fn}`, () => fs, fn, 'callback', fn),
  target(`fs.${fn}Sync`, () => fs, `${fn}Sync`, 'sync', fn),
  target(`fs.promises.${fn}`, () => fs.promises, fn, 'promise', fn),
]);
