import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Each test file gets its own process: tests install signal handlers, spawn children and bind ports.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep parallelism modest so timing assertions stay honest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
