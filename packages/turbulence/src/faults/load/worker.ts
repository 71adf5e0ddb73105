/**
 * @module Worker-thread entry of the load engine: runs `workerData` (an {@link EngineConfig}) and posts
 * `{ type: 'ready' }` (reconnect shape: every client connected) and then `{ type: 'result', result }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runEngine, type EngineConfig } from './engine.js';

const port = parentPort;
if (port) {
  // undici makes an error (with a stack trace) for every socket it closes; with one connection per request that
  // was 7 % of the worker's CPU. This thread only ever reports an error's message, never its stack.
  Error.stackTraceLimit = 0;
  runEngine(workerData as EngineConfig, () => port.postMessage({ type: 'ready' })).then(
    (result) => port.postMessage({ type: 'result', result }),
    (err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
}
