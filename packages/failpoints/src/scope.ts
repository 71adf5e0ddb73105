/**
 * @module Scoped configuration for tests: a guard that removes its failpoint when released, and a scope that
 * configures several failpoints around a function and always removes them afterwards.
 */
import { configure, get, remove } from './registry.js';
import type { FailpointCallback } from './registry.js';

/** A configured failpoint that puts back the previous configuration when released. */
export interface FailpointGuard {
  readonly name: string;
  /** Restores what was configured before (or removes the failpoint). Safe to call twice. */
  release(): void;
}

/**
 * Configures `name` until the guard is released; a previous configuration comes back on release.
 *
 * @example
 * const guard = guardFailpoint('cache.miss', 'return');
 * try { expect(await lookup('k')).toBe(undefined); } finally { guard.release(); }
 */
export function guardFailpoint(name: string, spec: string | FailpointCallback): FailpointGuard {
  const before = get(name)?.actions ?? null;
  configure(name, spec);
  let released = false;
  return {
    name,
    release() {
      if (released) return;
      released = true;
      if (before === null || before === '(callback)') remove(name);
      else configure(name, before);
    },
  };
}

/**
 * Runs `fn` with the given failpoints configured and releases them afterwards, even when `fn` throws.
 *
 * @example
 * await withFailpoints({ 'db.commit': '1*error(EIO)' }, async () => {
 *   await expect(save(order)).rejects.toThrow('EIO');
 * });
 */
export async function withFailpoints<T>(specs: Record<string, string>, fn: () => T | Promise<T>): Promise<T> {
  const guards: FailpointGuard[] = [];
  try {
    for (const [name, spec] of Object.entries(specs)) guards.push(guardFailpoint(name, spec));
    return await fn();
  } finally {
    for (const g of guards.reverse()) g.release();
  }
}
