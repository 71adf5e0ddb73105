/**
 * What `turbulence run` does around a LitmusChaos engine besides running it, as Litmus's runner does: watches the
 * ChaosEngine of the same name in the cluster (when it is there) so that `engineState: stop` stops the run (faults
 * reverted, verdict Stopped), and writes one ChaosResult per fault at the end (when the Litmus CRDs are installed).
 */
import { kubeClient, type KubeClient } from '../../os/kube.js';
import { watchEngineStop, writeChaosResults } from '../../experiment/formats/litmus-cluster.js';
import type { LitmusExtension, LitmusResults } from '../../experiment/formats/verdicts.js';

/** The hooks of one run; `signal` aborts when the engine is set to stop. */
export interface LitmusRunHooks {
  signal: AbortSignal;
  /** Writes the ChaosResults; returns lines for the terminal. */
  finish(results: LitmusResults | undefined): Promise<string[]>;
}

/** Starts watching the engine (no cluster configured: nothing is watched or written). */
export function litmusRunHooks(ext: LitmusExtension): LitmusRunHooks {
  const stop = new AbortController();
  let k: KubeClient | undefined;
  try {
    k = kubeClient();
  } catch {
    k = undefined;
  }
  const namespace = ext.namespace || k?.defaultNamespace || 'default';
  const unwatch = k
    ? watchEngineStop(k, namespace, ext.engine, () => stop.abort('the ChaosEngine was set to engineState: stop'))
    : () => undefined;
  return {
    signal: stop.signal,
    async finish(results) {
      unwatch();
      if (!k || !results) return [];
      const { written, note } = await writeChaosResults(k, namespace, results);
      const lines =
        written.length > 0 ? [`ChaosResult written: ${written.map((n) => `${namespace}/${n}`).join(', ')}`] : [];
      if (note) {
        lines.push(
          /\b404\b|not found/i.test(note)
            ? 'ChaosResult not written: the Litmus CRDs are not installed (kubectl apply -f deploy/kubernetes/litmus-crds.yaml)'
            : note,
        );
      }
      return lines;
    },
  };
}
