/**
 * The published package ships the built dashboard: `npm pack --dry-run` of packages/turbulence lists
 * `dashboard/index.html` and every asset that page loads, and `turbulence ui` serves that same folder.
 * Needs the root `npm run build` (Vite writes the web app into packages/turbulence/dashboard).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dashboardDir } from '../../src/ui/assets.js';

const pkg = resolve(import.meta.dirname, '../..');

describe('the turbulence package', () => {
  it('ships the built dashboard that turbulence ui serves', { timeout: 60_000 }, async () => {
    const dir = dashboardDir();
    expect(resolve(dir)).toBe(join(pkg, 'dashboard'));
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: pkg,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const files = new Set(packed!.files.map((f) => f.path));
    expect(files).toContain('dashboard/index.html');
    // Every script and stylesheet the page loads is in the tarball too (Vite's hashed names).
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `dashboard/${m[1]}`);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect(files).toContain(a);
    expect(files).toContain('dist/ui/server.js');
  });
});
