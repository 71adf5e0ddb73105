/**
 * @module The monkey's safety probes: preflight probes per group (must hold before a fault, else skip) and the
 * outage checker (probes, or a Prometheus instant query above a maximum). Probes are the providers of
 * experiments (`providers/`), checked with the same tolerances.
 */
import { errorMessage } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { checkTolerance } from '../experiment/tolerance.js';
import type { Tolerance } from '../experiment/types.js';
import { requireProvider } from '../providers/index.js';
import type { OutageDoc, ProbeDoc } from './schedule.js';

/** A probe's verdict. */
export type ProbeVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Runs one probe and checks its tolerance. A provider that fails counts as "does not hold".
 *
 * @example
 * await runProbe({ provider: { type: 'http', url: 'http://127.0.0.1:8080/health' }, tolerance: 200 }, '.');
 */
export async function runProbe(probe: ProbeDoc, baseDir: string, timeoutMs = 10_000): Promise<ProbeVerdict> {
  const name = probe.name ?? probe.provider.type;
  try {
    const def = requireProvider(probe.provider.type);
    const signal = AbortSignal.timeout(timeoutMs);
    const ctx = { configuration: {}, secrets: {}, signal, baseDir, rng: new Rng(0), strict: false };
    const output = await def.run(probe.provider, ctx);
    if (probe.tolerance === undefined) return { ok: true };
    const r = await checkTolerance(probe.tolerance as Tolerance, output, { substitute: (v) => v });
    return r.met ? { ok: true } : { ok: false, reason: `${name}: ${r.reason}` };
  } catch (err) {
    return { ok: false, reason: `${name}: ${errorMessage(err)}` };
  }
}

/** Runs probes in order; the first that does not hold is the verdict. */
export async function runProbes(probes: readonly ProbeDoc[], baseDir: string): Promise<ProbeVerdict> {
  for (const p of probes) {
    const v = await runProbe(p, baseDir);
    if (!v.ok) return v;
  }
  return { ok: true };
}

/**
 * One check of the outage checker: `{ ok: false, reason }` is an outage.
 *
 * @example
 * await checkOutage({ prometheus: { url: 'http://127.0.0.1:9090', query: 'sum(up==0)', max: 0 }, interval: '5s' }, '.');
 */
export async function checkOutage(outage: OutageDoc, baseDir: string): Promise<ProbeVerdict> {
  const probes = await runProbes(outage.probes ?? [], baseDir);
  if (!probes.ok) return probes;
  if (!outage.prometheus) return probes;
  const { url, query, max } = outage.prometheus;
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { data?: { result?: { value?: [number, string] }[] } };
    const sample = body.data?.result?.[0]?.value?.[1];
    const value = sample === undefined ? 0 : Number(sample);
    if (!Number.isFinite(value) || value > max)
      return { ok: false, reason: `prometheus ${query} = ${sample} > ${max}` };
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `prometheus ${query}: ${errorMessage(err)}` };
  }
}
