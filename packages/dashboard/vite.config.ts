// The dashboard is plain TypeScript + DOM (no CDN, no web font), bundled straight into the turbulence package's
// `dashboard/` folder: `turbulence ui` serves it from there, and the package's `files` ships it.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: '../turbulence/dashboard', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  logLevel: 'warn',
});
