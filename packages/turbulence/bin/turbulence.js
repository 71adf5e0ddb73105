#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm ci` through the root `prepare` script).
import { main } from '../dist/cli/main.js';

// `turbulence --help | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`turbulence: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
