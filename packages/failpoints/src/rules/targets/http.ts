/**
 * @module Rule targets in `http` and `https`: `request` and `get`, called as `(url[, options][, cb])` or
 * `(options[, cb])`. Each fact is read on its own, from the options first and the URL second (as Node merges
 * them), and a URL string is parsed only when a condition needs something the options do not say.
 */
import http from 'node:http';
import https from 'node:https';
import type { FactReaders, TargetDef } from '../types.js';
import { portOf, urlOf } from './util.js';

type Options = { host?: string; hostname?: string; port?: number | string; method?: string; path?: string };

const NONE: Options = {};

/** The URL argument, when the call has one. */
function urlArg(a0: unknown): URL | undefined {
  return typeof a0 === 'string' || a0 instanceof URL ? urlOf(a0) : undefined;
}

/** The options object: the second argument after a URL, the first otherwise. */
function optionsOf(a0: unknown, a1: unknown): Options {
  const o = typeof a0 === 'string' || a0 instanceof URL ? (urlArg(a0) ? a1 : a0) : a0;
  return o !== null && typeof o === 'object' ? o : NONE;
}

function readers(defaultPort: number): FactReaders {
  const scheme = defaultPort === 443 ? 'https' : 'http';
  const host = (a0: unknown, a1: unknown): string => {
    const o = optionsOf(a0, a1);
    return o.hostname ?? o.host ?? urlArg(a0)?.hostname ?? 'localhost';
  };
  const port = (a0: unknown, a1: unknown): number => {
    const given = optionsOf(a0, a1).port;
    if (given !== undefined) return Number(given);
    const url = urlArg(a0);
    return url ? portOf(url) : defaultPort;
  };
  return {
    host,
    port,
    method: (a0, a1) => (optionsOf(a0, a1).method ?? 'GET').toUpperCase(),
    url: (a0, a1) => {
      const url = urlArg(a0);
      if (url) return url.href;
      return `${scheme}://${host(a0, a1)}:${port(a0, a1)}${optionsOf(a0, a1).path ?? '/'}`;
    },
  };
}

const def = (mod: string, owner: () => object, key: string, port: number): TargetDef => ({
  name: `${mod}.${key}`,
  owner,
  key,
  style: 'request',
  facts: readers(port),
  errno: (f) => ({ syscall: 'connect', address: f.host, port: f.port }),
});

/** The http and https targets. */
export const httpTargets: readonly TargetDef[] = [
  def('http', () => http, 'request', 80),
  def('http', () => http, 'get', 80),
  def('https', () => https, 'request', 443),
  def('https', () => https, 'get', 443),
];
