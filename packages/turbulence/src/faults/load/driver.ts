/**
 * @module The one driver shape of `load.*`: inject runs the load to its end (in worker threads) and returns what
 * it measured as `state.output`, which the `fault` provider hands to the run as the action's output (tolerances,
 * `${steps.NAME.output.faults[0].output.latencyMs.p99}`). Revert, abort and Ctrl-C stop in-flight work at once;
 * a reconnect storm's revert also re-enables the proxy it disabled (in case the runner died mid-blip).
 */
import type { z } from 'zod';
import type { FaultContext, FaultDriver, Target } from '../../core/fault.js';
import type { JsonObject } from '../../core/json.js';
import { ProxyClient } from '../../proxy/client.js';
import { restartManaged } from '../../supervisor/managed.js';
import { resolveEndpoints } from '../../targets/endpoint.js';
import { faultIdOf } from '../naming.js';
import type { EngineConfig } from './engine.js';
import { runLoad, type DropFn } from './run.js';
import type { burstParams, reconnectStormParams, retryStormParams } from './schema.js';

type Burst = z.output<typeof burstParams>;
type Retry = z.output<typeof retryStormParams>;
type Reconnect = z.output<typeof reconnectStormParams>;
type AnyLoad = Burst | Retry | Reconnect;

/** Loads in flight in this process, by fault id: revert aborts them. */
const running = new Map<string, AbortController>();

function targetOf(t: Target): EngineConfig['target'] {
  const a = t.attributes;
  return typeof a.url === 'string'
    ? { url: a.url }
    : { host: typeof a.host === 'string' ? a.host : '', port: Number(a.port) };
}

/** The engine config of a kind's params. */
export function engineConfig(shape: EngineConfig['shape'], target: Target, p: AnyLoad, seed: number): EngineConfig {
  const r = p as Partial<Retry & Reconnect & Burst>;
  return {
    shape,
    target: targetOf(target),
    clients: p.clients,
    requests: r.requests ?? p.clients,
    jitterMs: p.jitter,
    timeoutMs: p.timeout,
    method: p.method,
    payload: p.payload,
    keepAlive: r.keepAlive ?? true,
    retries: r.retries ?? 0,
    backoff: r.backoff ?? { policy: 'immediate', base: 0, max: 0, jitter: false },
    budget: r.budget,
    durationMs: r.duration ?? 0,
    intervalMs: r.interval ?? 0,
    seed,
  };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** The drop of a reconnect storm: a proxy disabled for `blip`, or a managed service restarted. */
function dropOf(p: Reconnect, signal: AbortSignal): DropFn {
  const d = p.drop;
  if ('proxy' in d) {
    return async () => {
      const api = new ProxyClient(d.api);
      await api.updateProxy(d.proxy, { enabled: false });
      await sleep(d.blip, signal);
      await api.updateProxy(d.proxy, { enabled: true });
    };
  }
  return async () => void (await restartManaged(d.managed));
}

/** A `load.*` driver. */
export function loadDriver<P extends AnyLoad>(
  kind: string,
  summary: string,
  shape: EngineConfig['shape'],
  params: z.ZodType<P>,
): FaultDriver<P> {
  return {
    kind,
    summary,
    params,
    targets: ['endpoint'],
    resolveTargets: (query) => resolveEndpoints(query),
    async inject(target, p, ctx: FaultContext) {
      const id = faultIdOf(ctx, kind, target, p);
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      running.set(id, controller);
      try {
        const seed = ctx.rng.int(2 ** 31);
        const drop = shape === 'reconnect' ? dropOf(p as Reconnect, controller.signal) : undefined;
        const output = await runLoad(engineConfig(shape, target, p, seed), p.threads, controller.signal, drop);
        return { output: { kind, target: target.name, ...output } as JsonObject };
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        running.delete(id);
      }
    },
    async revert(fault) {
      running.get(fault.id)?.abort();
      const d = (fault.params as Partial<Reconnect>).drop;
      // A runner killed during the blip leaves the proxy disabled: enable it again (a no-op when it is).
      if (d && 'proxy' in d)
        await new ProxyClient(d.api).updateProxy(d.proxy, { enabled: true }).catch(() => undefined);
    },
  };
}
