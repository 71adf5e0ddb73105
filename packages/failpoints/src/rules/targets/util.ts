/** @module Helpers for target families: turning path-like and URL-like arguments into strings. */
import { fileURLToPath } from 'node:url';

/** A path argument (string, Buffer, file URL) as a string, or undefined. */
export function pathOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (Buffer.isBuffer(arg)) return arg.toString();
  if (arg instanceof URL && arg.protocol === 'file:') return fileURLToPath(arg);
  return undefined;
}

/** A URL argument (string or URL) parsed, or undefined. */
export function urlOf(arg: unknown): URL | undefined {
  try {
    if (arg instanceof URL) return arg;
    if (typeof arg === 'string') return new URL(arg);
    if (arg && typeof arg === 'object' && 'url' in arg && typeof arg.url === 'string') return new URL(arg.url);
  } catch {
    // not a URL
  }
  return undefined;
}

/** The port of a URL, defaulting by protocol. */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
