// The dashboard is plain TypeScript + DOM, bundled into dist/ (no CDN, no web font): `turbulence ui` serves it.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  logLevel: 'warn',
});
