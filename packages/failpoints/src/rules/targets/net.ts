/** @module Rule targets in `net`: `net.connect` and `net.createConnection` (TCP and IPC). */
import net from 'node:net';
import type { FactReaders, TargetDef } from '../types.js';

type Options = { port?: number | string; host?: string; path?: string };

const isPort = (a: unknown): a is number | string =>
  typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a));

/** `(port[, host])`, `(path)` or `(options)`: each fact read on its own. */
const facts: FactReaders = {
  port: (a) => {
    if (isPort(a)) return Number(a);
    if (typeof a === 'string' || a === null || typeof a !== 'object') return undefined;
    const o = a as Options;
    return o.path !== undefined || o.port === undefined ? undefined : Number(o.port);
  },
  host: (a, b) => {
    if (isPort(a)) return typeof b === 'string' ? b : 'localhost';
    if (typeof a === 'string') return undefined;
    const o = (a ?? {}) as Options;
    return o.path !== undefined ? undefined : (o.host ?? 'localhost');
  },
  path: (a) => {
    if (isPort(a)) return undefined;
    if (typeof a === 'string') return a;
    return ((a ?? {}) as Options).path;
  },
};

const def = (key: string): TargetDef => ({
  name: `net.${key}`,
  owner: () => net,
  key,
  style: 'socket',
  facts,
  errno: (f) =>
    f.path ? { syscall: 'connect', address: f.path } : { syscall: 'connect', address: f.host, port: f.port },
});

/** The net targets. */
export const netTargets: readonly TargetDef[] = [def('connect'), def('createConnection')];
