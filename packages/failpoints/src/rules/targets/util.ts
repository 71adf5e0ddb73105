/** @module Helpers for target families: turning path-like and URL-like arguments into strings. */
import { fileURLToPath } from 'node:url';

/** A path argument (string, Buffer, file URL) as a string, or undefined. */
export function pathOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (Buffer.isBuffer(arg)) return arg.toString();
  if (arg instanceof URL && arg.protocol === 'file:') return fileURLToPath(arg);
  return undefined;
}

let lastText: string | undefined;
let lastUrl: URL | undefined;

/** A URL argument (string, URL, or an object with a `url` string such as a Request) parsed, or undefined. */
export function urlOf(arg: unknown): URL | undefined {
  if (arg instanceof URL) return arg;
  const text =
    typeof arg === 'string'
      ? arg
      : arg && typeof arg === 'object' && 'url' in arg && typeof arg.url === 'string'
        ? arg.url
        : undefined;
  if (text === undefined) return undefined;
  // A one-entry cache: a client tends to call with the same URL again, and several facts of a call may need it.
  // The parsed URL never leaves the rules engine, so sharing it is safe.
  if (text !== lastText) {
    lastUrl = parse(text);
    lastText = text;
  }
  return lastUrl;
}
function parse(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined; // not a URL
  }
}

/** The port of a URL, defaulting by protocol. */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
