/**
 * Where the built web app is: `packages/turbulence/dashboard/`, which Vite writes at `npm run build` (the dashboard
 * workspace's `outDir`) and the package's `files` ships, so the repository and an installed package serve the same
 * folder, found relative to this module (`src/ui/` under tsx, `dist/ui/` once compiled).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';

const DASHBOARD = new URL('../../dashboard/', import.meta.url);

/** The directory holding the dashboard's `index.html`. */
export function dashboardDir(): string {
  const dir = fileURLToPath(DASHBOARD);
  if (existsSync(`${dir}index.html`)) return dir;
  throw new TurbulenceError(ErrorCodes.UNAVAILABLE, `the dashboard web app is not built (no ${dir}index.html)`, {
    hint: 'run `npm run build` at the repository root (Vite builds packages/dashboard into packages/turbulence/dashboard)',
  });
}
