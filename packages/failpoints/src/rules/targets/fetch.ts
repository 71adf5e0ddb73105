/** @module Rule target `fetch`: the global fetch (undici). */
import type { Facts, TargetDef } from '../types.js';
import { portOf, urlOf } from './util.js';

function facts(args: readonly unknown[]): Facts {
  const url = urlOf(args[0]);
  const init = (args[1] ?? {}) as { method?: string };
  const req = args[0] as { method?: string } | undefined;
  const method = (
    init.method ??
    (typeof req === 'object' && req && 'method' in req ? req.method : 'GET') ??
    'GET'
  ).toUpperCase();
  return url ? { url: url.href, host: url.hostname, port: portOf(url), method } : { method };
}

/** The fetch target. */
export const fetchTargets: readonly TargetDef[] = [
  {
    name: 'fetch',
    owner: () => globalThis,
    key: 'fetch',
    style: 'fetch',
    facts,
    errno: (f) =>
      f.host ? { syscall: 'connect', address: f.host, port: f.port, hostname: f.host } : { syscall: 'connect' },
  },
];
