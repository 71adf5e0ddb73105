/**
 * Every CLI command, one module each. A command module exports `register(program)`; adding a command is one file
 * and one line here.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: readonly (() => Promise<{ register: RegisterCommand }>)[] = [
  () => import('./run.js'),
  () => import('./validate.js'),
  () => import('./demo.js'),
  () => import('./lab.js'),
  () => import('./doctor.js'),
  () => import('./proxy.js'),
  () => import('./fault.js'),
  () => import('./recover.js'),
  () => import('./dns.js'),
  () => import('./explore.js'),
];
