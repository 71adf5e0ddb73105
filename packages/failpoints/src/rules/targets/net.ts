/** @module Rule targets in `net`: `net.connect` and `net.createConnection` (TCP and IPC). */
import net from 'node:net';
import type { Facts, TargetDef } from '../types.js';

function facts(args: readonly unknown[]): Facts {
  const [a, b] = args;
  if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) {
    return { port: Number(a), host: typeof b === 'string' ? b : 'localhost' };
  }
  if (typeof a === 'string') return { path: a };
  const o = (a ?? {}) as { port?: number | string; host?: string; path?: string };
  if (o.path !== undefined) return { path: o.path };
  return { port: o.port === undefined ? undefined : Number(o.port), host: o.host ?? 'localhost' };
}

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
