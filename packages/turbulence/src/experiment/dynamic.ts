/**
 * Dynamic configuration (Chaos Toolkit §3): `{type: "probe", provider}` values run once before the run; a failure
 * drops the key with a warning.
 */
import { errorMessage } from '../core/errors.js';
import { callProvider } from './activity.js';
import type { RunContext } from './context.js';
import type { Activity } from './types.js';

/** Evaluates the dynamic configuration entries in order; each sees the configuration built so far. */
export async function loadDynamicConfiguration(ctx: RunContext, dynamic: { key: string; activity: Activity }[]) {
  for (const { key, activity } of dynamic) {
    try {
      const output = await callProvider({ ...ctx, faults: undefined }, activity);
      const value = dynamicValue(activity.provider.type, output);
      if (value !== undefined) ctx.configuration[key] = value;
      else ctx.events.emit({ type: 'run.warning', message: `dynamic configuration "${key}" produced no value` });
    } catch (err) {
      ctx.events.emit({ type: 'run.warning', message: `dynamic configuration "${key}" failed: ${errorMessage(err)}` });
    }
  }
}

function dynamicValue(type: string, output: unknown): unknown {
  const o = output as { status?: number; stdout?: string; body?: unknown } | null;
  if (type === 'process') return o?.status === 0 ? String(o.stdout ?? '').trim() : undefined;
  if (type === 'http') return o?.body;
  return output;
}
