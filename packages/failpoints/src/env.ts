/**
 * @module Start-up configuration from the environment, applied once per process when the package is imported:
 *
 *   TURBULENCE_SEED=42                         seed of probability terms
 *   TURBULENCE_FAILPOINTS="a=10%return(x);b=1*panic"
 *   TURBULENCE_FAILPOINTS_ADDR=127.0.0.1:0     start the control endpoint (or a unix socket path)
 *   TURBULENCE_FAILPOINTS_TOKEN=...            bearer token of the endpoint
 *   TURBULENCE_FAILPOINTS_ANNOUNCE=/tmp/x.json where the endpoint writes { pid, address }
 *
 * A malformed value stops the process with a message naming the variable: loud and early, like fail-rs.
 * Worker threads apply the failpoints and the seed to their own registry but do not start an endpoint (the main
 * thread's would clash with theirs on the address and the announce file).
 */
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { FailpointConfigError } from './errors.js';
import { parseFailpointList } from './grammar.js';
import { configure, setSeed } from './registry.js';
import { serve } from './server.js';

const KEY = Symbol.for('turbulence.failpoints.env-applied');
const holder = globalThis as unknown as Record<symbol, boolean | undefined>;

function die(err: unknown): never {
  writeSync(2, `@turbulence/failpoints: ${(err as Error).message}\n`);
  process.exit(1);
}

/** Applies the `TURBULENCE_*` variables of `env`. Exported for tests; the package calls it once on import. */
export function applyEnv(env: NodeJS.ProcessEnv = process.env): void {
  const seed = env.TURBULENCE_SEED;
  if (seed !== undefined && seed !== '') {
    if (!/^-?\d+$/.test(seed.trim())) throw new FailpointConfigError(`"${seed}" is not an integer`, 'TURBULENCE_SEED');
    setSeed(Number(seed));
  }
  const specs = env.TURBULENCE_FAILPOINTS;
  if (specs) for (const [name, spec] of parseFailpointList(specs)) configure(name, spec);
  const address = env.TURBULENCE_FAILPOINTS_ADDR;
  if (address && isMainThread) {
    const options = {
      address,
      token: env.TURBULENCE_FAILPOINTS_TOKEN || undefined,
      announceFile: env.TURBULENCE_FAILPOINTS_ANNOUNCE || undefined,
    };
    serve(options).catch(die);
  }
}

/** Applies the environment once per process, however many copies of the package are loaded. */
export function applyEnvOnce(): void {
  if (holder[KEY]) return;
  holder[KEY] = true;
  try {
    applyEnv();
  } catch (err) {
    die(err);
  }
}
