/** The shapes of Litmus-style results, shared by the journal and the verdict code (types only: no import cycle). */
import type { ProbeStatus } from '../probe-modes-schema.js';

/** The `litmus` entry of `experiment.extensions`, written by the translator. */
export interface LitmusExtension {
  name: 'litmus';
  engine: string;
  /** The engine's namespace (its metadata.namespace, else appinfo.appns; '' = the kubeconfig's). */
  namespace?: string;
  faults: { name: string; weight: number; actions: string[]; probes?: string[] }[];
}

/** One fault's result, as Litmus's ChaosResult reports it. */
export interface LitmusVerdict {
  fault: string;
  verdict: 'Pass' | 'Fail' | 'Stopped' | 'Error';
  probeSuccessPercentage: number;
  failStep: string;
  weight: number;
  /** The fault's probes, as ChaosResult `probeStatuses` (absent when it has none). */
  probeStatuses?: ProbeStatus[];
}

/** A run's Litmus results: the journal's `litmus`. */
export interface LitmusResults {
  engine: string;
  results: LitmusVerdict[];
  resilienceScore: number;
}
