/** @module Every rule target, one line per family. */
import type { TargetDef } from '../types.js';
import { childProcessTargets } from './child-process.js';
import { dnsTargets } from './dns.js';
import { fetchTargets } from './fetch.js';
import { fsTargets } from './fs.js';
import { httpTargets } from './http.js';
import { netTargets } from './net.js';

const families: readonly (readonly TargetDef[])[] = [
  fsTargets,
  netTargets,
  dnsTargets,
  httpTargets,
  childProcessTargets,
  fetchTargets,
];

/** Core targets by name. */
export const coreTargets: ReadonlyMap<string, TargetDef> = new Map(families.flat().map((t) => [t.name, t]));
