/** The problem type of the Litmus translator, shared with the probe translator (types only: no import cycle). */
import type { SchemaProblem } from './json-schema.js';

/** A problem in document `doc` of the file (or of a ChaosExperiment file found elsewhere: `file`). */
export interface LitmusProblem extends SchemaProblem {
  doc: number;
  file?: string;
}
