/**
 * Meta-test of the driver contract: every fault kind registered in `src/faults/kinds.ts` has at least one
 * `driverContract` case (its `kind` the first property) in a test file. (The toxic and DNS-action contracts check their registries
 * in their own files: `test/proxy/toxic-contract.test.ts`, `test/system/dns/contract.test.ts`.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listDrivers } from '../src/faults/registry.js';

const TEST_ROOT = import.meta.dirname;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** kind → the test files with a contract case for it. */
function contractCases(): Map<string, string[]> {
  const cases = new Map<string, string[]>();
  for (const file of testFiles(TEST_ROOT)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/driverContract\(\{\s*kind:\s*'([^']+)'/g)) {
      cases.set(m[1]!, [...(cases.get(m[1]!) ?? []), relative(TEST_ROOT, file)]);
    }
  }
  return cases;
}

describe('driver contract coverage', () => {
  it('has a contract case for every registered fault kind', async () => {
    const failed: string[] = [];
    const kinds = (await listDrivers((family, err) => failed.push(`${family}: ${String(err)}`))).map((d) => d.kind);
    expect(failed).toEqual([]);
    const cases = contractCases();
    expect(kinds.filter((k) => !cases.has(k))).toEqual([]);
  });

  it('names no kind that is not registered', async () => {
    const kinds = new Set((await listDrivers()).map((d) => d.kind));
    expect([...contractCases().keys()].filter((k) => !kinds.has(k))).toEqual([]);
  });
});
