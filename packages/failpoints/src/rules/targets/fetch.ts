/** @module Rule target `fetch`: the global fetch (undici), called as `(input[, init])`. */
import type { FactReaders, TargetDef } from '../types.js';
import { portOf, urlOf } from './util.js';

const facts: FactReaders = {
  url: (a0) => urlOf(a0)?.href,
  host: (a0) => urlOf(a0)?.hostname,
  port: (a0) => {
    const url = urlOf(a0);
    return url ? portOf(url) : undefined;
  },
  method: (a0, a1) => {
    const init = (a1 ?? {}) as { method?: string };
    const req = a0 as { method?: string } | undefined;
    const method = init.method ?? (typeof req === 'object' && req && 'method' in req ? req.method : 'GET') ?? 'GET';
    return method.toUpperCase();
  },
};

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
