/**
 * Where the built web app (`packages/dashboard`, built by Vite at `npm run build`) is: copied into the package as
 * `dashboard/` when published, or the workspace's `packages/dashboard/dist` in the repository.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';

const CANDIDATES = [
  new URL('../../dashboard/', import.meta.url), // packages/turbulence/dashboard (published package)
  new URL('../../../dashboard/dist/', import.meta.url), // packages/dashboard/dist (workspace)
];

/** The directory holding the dashboard's `index.html`. */
export function dashboardDir(): string {
  for (const url of CANDIDATES) {
    const dir = fileURLToPath(url);
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new TurbulenceError(ErrorCodes.UNAVAILABLE, 'the dashboard web app is not built', {
    hint: 'run `npm run build` at the repository root (it builds packages/dashboard with Vite)',
  });
}
