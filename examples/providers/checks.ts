/**
 * Functions the example experiment calls with the `module` provider: `func(arguments, { configuration,
 * secrets, signal })`. TypeScript loads through tsx; nothing to build.
 */

/** How long `GET <url>/health` takes, in milliseconds. */
export async function healthLatency(
  _args: Record<string, unknown>,
  ctx: { configuration: Record<string, unknown>; signal: AbortSignal },
): Promise<number> {
  const started = performance.now();
  await (await fetch(`${String(ctx.configuration.service_url)}/health`, { signal: ctx.signal })).text();
  return Math.round(performance.now() - started);
}

/** A probe-as-tolerance: receives the probed http output as `value`; truthy means the tolerance is met. */
export function errorsAtMost(args: { value: { body?: { errors?: number } }; max: number }): boolean {
  return (args.value.body?.errors ?? Infinity) <= args.max;
}
