/**
 * LitmusChaos probes (`spec.experiments[].spec.probe[]` of a ChaosEngine) translated into modal probes of the
 * `litmus-probe` provider (see `../probe-modes.ts` for the modes, `providers/litmus-probe.ts` for the types).
 * Both generations of the format load: 2.x run properties as integers in seconds with `retry` and
 * `initialDelaySeconds`, 3.x as `1s`/`100ms` strings with `attempt` and `initialDelay`; inputs under
 * `<type>/inputs` (or the 1.x `inputs`); loose comparators (`criteria: ==` unquoted, `equals`).
 */
import { PROBE_MODES, runPropertiesSchema, type ProbeMode } from '../probe-modes-schema.js';
import type { ActivityOrRef, Probe } from '../types.js';
import { checkLitmusProbe, LITMUS_PROBE_TYPES, type LitmusProbeType } from '../../providers/litmus-probe-schema.js';
import type { LitmusProblem } from './litmus-problem.js';

type Obj = Record<string, unknown>;

/**
 * The probes of one experiment of the engine as modal probe activities, with problems reported at `at` (the
 * experiment's `spec.probe`). Names already used in `method` get the fault's name appended.
 */
export function translateLitmusProbes(
  list: unknown,
  at: LitmusProblem,
  fault: string,
  method: ActivityOrRef[],
  problems: LitmusProblem[],
): Probe[] {
  if (list === undefined || list === null) return [];
  const out: Probe[] = [];
  if (!Array.isArray(list)) {
    problems.push({ ...at, message: 'spec.probe must be a list of probes', hint: '- name: ...\n  type: httpProbe' });
    return out;
  }
  const used = new Set(method.map((a) => ('name' in a ? a.name : '')));
  list.forEach((raw: unknown, j) => {
    const where = (path: (string | number)[], message: string, hint?: string) =>
      problems.push({ ...at, path: [...at.path, j, ...path], message, ...(hint ? { hint } : {}) });
    if (!raw || typeof raw !== 'object') return where([], 'a probe must be a mapping');
    const p = raw as Obj;
    const name = typeof p.name === 'string' ? p.name : '';
    if (!name) return where(['name'], 'a probe needs a name', "name: 'check-frontend'");
    const type = typeof p.type === 'string' ? p.type : '';
    if (!LITMUS_PROBE_TYPES.includes(type as LitmusProbeType)) {
      return where(
        ['type'],
        `not supported: probe type "${type}" (supported: ${LITMUS_PROBE_TYPES.join(', ')})`,
        type === 'sloProbe' ? 'sloProbe is a Harness addition, not core Litmus' : 'use one of the four Litmus types',
      );
    }
    const key = p[`${type}/inputs`] !== undefined ? `${type}/inputs` : 'inputs';
    const inputs = p[key];
    if (!inputs || typeof inputs !== 'object') {
      return where([`${type}/inputs`], `${type} needs its ${type}/inputs`, 'see docs/litmus.md, "Probes"');
    }
    const mode = typeof p.mode === 'string' ? p.mode : '';
    if (!PROBE_MODES.includes(mode as ProbeMode)) {
      const near = PROBE_MODES.find((m) => m.toLowerCase() === mode.toLowerCase());
      return where(
        ['mode'],
        `unknown probe mode "${mode}"`,
        near ? `did you mean "${near}"? (modes are case-sensitive)` : `use one of: ${PROBE_MODES.join(', ')}`,
      );
    }
    const rp = runPropertiesSchema.safeParse(p.runProperties ?? {});
    if (!rp.success) {
      for (const issue of rp.error.issues) {
        where(['runProperties', ...(issue.path as (string | number)[])], issue.message);
      }
      return;
    }
    const data = typeof p.data === 'string' ? p.data : undefined;
    const before = problems.length;
    for (const x of checkLitmusProbe(type as LitmusProbeType, inputs as Obj, data)) {
      where([key, ...x.path], x.message, x.hint);
    }
    if (problems.length > before) return;
    const unique = used.has(name) ? `${name} (${fault})` : name;
    used.add(unique);
    out.push({
      type: 'probe',
      name: unique,
      mode: mode as ProbeMode,
      runProperties: rp.data,
      provider: {
        type: 'litmus-probe',
        probe: type as LitmusProbeType,
        inputs: inputs as Obj,
        ...(data !== undefined ? { data } : {}),
      },
    });
  });
  return out;
}
