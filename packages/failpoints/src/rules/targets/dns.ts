/** @module Rule targets in `dns`: lookup and the resolve family, callback and promise forms. */
import dns from 'node:dns';
import type { Style, TargetDef } from '../types.js';

const FUNCTIONS: Record<string, string> = {
  lookup: 'getaddrinfo',
  resolve: 'queryA',
  resolve4: 'queryA',
  resolve6: 'queryAaaa',
  resolveCname: 'queryCname',
  resolveMx: 'queryMx',
  resolveSrv: 'querySrv',
  resolveTxt: 'queryTxt',
};

const def = (name: string, owner: () => object, key: string, style: Style): TargetDef => ({
  name,
  owner,
  key,
  style,
  facts: { host: (a0) => (typeof a0 === 'string' ? a0 : undefined) },
  errno: (f) => ({ syscall: FUNCTIONS[key], hostname: f.host }),
});

/** The dns targets. */
export const dnsTargets: readonly TargetDef[] = Object.keys(FUNCTIONS).flatMap((fn) => [
  def(`dns.${fn}`, () => dns, fn, 'callback'),
  def(`dns.promises.${fn}`, () => dns.promises, fn, 'promise'),
]);
