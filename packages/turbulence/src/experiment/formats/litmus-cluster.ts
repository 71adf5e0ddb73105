/**
 * LitmusChaos objects in the cluster, as Litmus's runner and operator keep them:
 *
 *   ChaosResult  <engine>-<experiment>  status.experimentStatus {phase, verdict, probeSuccessPercentage, failStep},
 *                                       status.probeStatuses[], status.history {passedRuns, failedRuns, stoppedRuns}
 *   ChaosEngine  <engine>               watched while it runs: `spec.engineState: stop` stops the run (faults
 *                                       reverted, verdict Stopped); its status is updated by `turbulence operator`
 *
 * The CRDs (litmuschaos.io/v1alpha1) are Litmus's; `deploy/kubernetes/litmus-crds.yaml` installs them where Litmus
 * is not installed. Without them, writing a ChaosResult is skipped with a note.
 */
import { errorMessage } from '../../core/errors.js';
import { mergePatch, type KubeClient } from '../../os/kube.js';
import type { LitmusResults } from './verdicts.js';

/** Group, version and plurals of the Litmus custom resources. */
export const LITMUS_API = {
  group: 'litmuschaos.io',
  version: 'v1alpha1',
  engines: 'chaosengines',
  experiments: 'chaosexperiments',
  results: 'chaosresults',
} as const;

const { group, version } = LITMUS_API;
type Obj = Record<string, unknown>;

/** The three Litmus CRDs (open schemas: Litmus's objects are stored as they are). */
export function litmusCrds(): Obj[] {
  return (
    [
      ['chaosengines', 'ChaosEngine'],
      ['chaosexperiments', 'ChaosExperiment'],
      ['chaosresults', 'ChaosResult'],
    ] as const
  ).map(([plural, kind]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          ...(kind === 'ChaosEngine' ? { subresources: { status: {} } } : {}),
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  }));
}

/**
 * Creates or updates one ChaosResult per fault of the run (`<engine>-<fault>` in `namespace`), adding this run
 * to its history. Returns the names written, or a note saying why nothing was.
 */
export async function writeChaosResults(
  k: KubeClient,
  namespace: string,
  results: LitmusResults,
): Promise<{ written: string[]; note?: string }> {
  const plural = LITMUS_API.results;
  const written: string[] = [];
  try {
    for (const r of results.results) {
      const name = `${results.engine}-${r.fault}`.toLowerCase().slice(0, 253);
      const what = { verb: 'get', resource: plural, group, namespace, name };
      const old = (await k.maybe(what, () =>
        k.custom.getNamespacedCustomObject({ group, version, plural, namespace, name }),
      )) as Obj | undefined;
      const history = ((old?.status as Obj | undefined)?.history ?? {}) as Record<string, number>;
      const count = (key: string, hit: boolean) => (Number(history[key]) || 0) + (hit ? 1 : 0);
      const body: Obj = {
        apiVersion: `${group}/${version}`,
        kind: 'ChaosResult',
        metadata: {
          name,
          namespace,
          labels: {
            name,
            'app.kubernetes.io/component': 'experiment-job-result',
            'app.kubernetes.io/part-of': 'litmus',
          },
          ...(old ? { resourceVersion: (old.metadata as Obj).resourceVersion } : {}),
        },
        spec: { engine: results.engine, experiment: r.fault },
        status: {
          experimentStatus: {
            phase: 'Completed',
            verdict: r.verdict,
            probeSuccessPercentage: String(r.probeSuccessPercentage),
            failStep: r.failStep,
          },
          probeStatuses: (r.probeStatuses ?? []).map((p) => ({
            name: p.name,
            type: p.type,
            mode: p.mode,
            status: { verdict: p.passed ? 'Passed' : 'Failed', description: p.failure ?? '', ...p.status },
          })),
          history: {
            passedRuns: count('passedRuns', r.verdict === 'Pass'),
            failedRuns: count('failedRuns', r.verdict === 'Fail' || r.verdict === 'Error'),
            stoppedRuns: count('stoppedRuns', r.verdict === 'Stopped'),
          },
        },
      };
      if (old) {
        await k.call({ verb: 'update', resource: plural, group, namespace, name }, () =>
          k.custom.replaceNamespacedCustomObject({ group, version, plural, namespace, name, body }),
        );
      } else {
        await k.call({ verb: 'create', resource: plural, group, namespace, name }, () =>
          k.custom.createNamespacedCustomObject({ group, version, plural, namespace, body }),
        );
      }
      written.push(name);
    }
    return { written };
  } catch (err) {
    return { written, note: `ChaosResult not written: ${errorMessage(err)}` };
  }
}

/** The engine's `spec.engineState` in the cluster, or undefined when the engine (or its CRD) is not there. */
export async function engineState(k: KubeClient, namespace: string, name: string): Promise<string | undefined> {
  const plural = LITMUS_API.engines;
  try {
    const e = (await k.maybe({ verb: 'get', resource: plural, group, namespace, name }, () =>
      k.custom.getNamespacedCustomObject({ group, version, plural, namespace, name }),
    )) as Obj | undefined;
    const state = (e?.spec as Obj | undefined)?.engineState;
    return typeof state === 'string' ? state : e ? 'active' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls the engine every `everyMs` while a run goes on; `onStop` once `engineState` becomes `stop`. Returns a
 * function that ends the watch.
 */
export function watchEngineStop(
  k: KubeClient,
  namespace: string,
  name: string,
  onStop: () => void,
  everyMs = 1000,
): () => void {
  let done = false;
  const timer = setInterval(() => {
    void engineState(k, namespace, name).then((s) => {
      if (s === 'stop' && !done) {
        done = true;
        clearInterval(timer);
        onStop();
      }
    });
  }, everyMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
  };
}

/** Merges `status` into the engine's status (the operator's bookkeeping); errors are returned, not thrown. */
export async function patchEngineStatus(
  k: KubeClient,
  namespace: string,
  name: string,
  status: Obj,
): Promise<string | undefined> {
  const plural = LITMUS_API.engines;
  try {
    await k.call({ verb: 'patch', resource: `${plural}/status`, group, namespace, name }, () =>
      k.custom.patchNamespacedCustomObjectStatus(
        { group, version, plural, namespace, name, body: { status } },
        mergePatch,
      ),
    );
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}
