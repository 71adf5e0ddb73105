/** Signal helpers shared by the long-running CLI commands (`proxy serve`, `dns serve`). */

/** Resolves on the first SIGINT or SIGTERM, then stops listening for them. */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
