/**
 * The package's subpath exports (issue 13 §5): `turbulence/experiment`, `/faults`, `/proxy`, `/dns` and `/lab`
 * import by name from the built package, as an application that installed it imports them; internals do not.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../../..');

/** Imports `specifier` in a fresh Node process at the repository root; returns its export names. */
async function exportsOf(specifier: string): Promise<string[]> {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
  return JSON.parse(stdout) as string[];
}

const SUBPATHS: Record<string, string[]> = {
  'turbulence/experiment': ['loadExperiment', 'validateExperiment', 'runExperiment', 'RunEvents', 'checkTolerance'],
  'turbulence/faults': ['FaultManager', 'Ledger', 'recoverLedger', 'getDriver', 'listDrivers'],
  'turbulence/proxy': ['createProxyServer'],
  'turbulence/dns': ['createDnsServer', 'systemNameserver'],
  'turbulence/lab': ['labUp', 'labDown', 'labStatus', 'parseLabSpec'],
};

describe('package exports', { timeout: 60_000 }, () => {
  it.each(Object.entries(SUBPATHS))('imports %s by name', async (specifier, names) => {
    const found = await exportsOf(specifier);
    for (const name of names) expect(found, `${specifier} exports ${name}`).toContain(name);
  });

  it('keeps the root export, and everything of each subpath is also in it', async () => {
    const root = new Set(await exportsOf('turbulence'));
    for (const names of Object.values(SUBPATHS)) for (const name of names) expect(root.has(name), name).toBe(true);
  });

  it('does not export internals', async () => {
    await expect(exportsOf('turbulence/dist/faults/ledger.js')).rejects.toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
