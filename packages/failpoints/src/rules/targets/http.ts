/** @module Rule targets in `http` and `https`: `request` and `get`. */
import http from 'node:http';
import https from 'node:https';
import type { Facts, TargetDef } from '../types.js';
import { portOf, urlOf } from './util.js';

type Options = { host?: string; hostname?: string; port?: number | string; method?: string; path?: string };

function facts(defaultPort: number, args: readonly unknown[]): Facts {
  const url = typeof args[0] === 'string' || args[0] instanceof URL ? urlOf(args[0]) : undefined;
  const o = ((url ? args[1] : args[0]) ?? {}) as Options;
  const opts = typeof o === 'function' ? {} : o;
  const host = opts.hostname ?? opts.host ?? url?.hostname ?? 'localhost';
  const port = opts.port !== undefined ? Number(opts.port) : url ? portOf(url) : defaultPort;
  const method = (opts.method ?? 'GET').toUpperCase();
  const path = opts.path ?? (url ? url.pathname + url.search : '/');
  const scheme = defaultPort === 443 ? 'https' : 'http';
  return { host, port, method, url: url?.href ?? `${scheme}://${host}:${port}${path}` };
}

const def = (mod: string, owner: () => object, key: string, port: number): TargetDef => ({
  name: `${mod}.${key}`,
  owner,
  key,
  style: 'request',
  facts: (args) => facts(port, args),
  errno: (f) => ({ syscall: 'connect', address: f.host, port: f.port }),
});

/** The http and https targets. */
export const httpTargets: readonly TargetDef[] = [
  def('http', () => http, 'request', 80),
  def('http', () => http, 'get', 80),
  def('https', () => https, 'request', 443),
  def('https', () => https, 'get', 443),
];
