/**
 * The per-request decision of an HTTP proxy, shared by the HTTP/1.1 and the HTTP/2 front ends: which HTTP toxics
 * match the request, which of those its seeded draw selects, the {@link Plan} the selected ones build, and the
 * record `GET /proxies/{name}/connections` shows. The front ends only differ in how they carry the plan out.
 */
import { deriveSeed, Rng } from '../../core/rng.js';
import { isSelected, unitDraw } from '../random.js';
import type { ToxicCollection } from '../toxic-collection.js';
import type { HttpConnection, RequestDecision, RequestRecord } from './connection.js';
import { matches, pathOf, type MatchAttributes, type RequestView } from './match.js';
import type { HttpStats } from './stats.js';
import { emptyPlan, type HttpToxicType, type Plan } from './toxic.js';

/** What a decision reads from the proxy. */
export interface DecisionHost {
  readonly toxics: ToxicCollection;
  readonly http: HttpStats;
}

/** A request's decision: its record (kept by the connection) and the plan, when a toxic was selected. */
export interface Decision {
  record: RequestRecord;
  plan: Plan | undefined;
}

/**
 * Decides request `view` on `connection`. Returns undefined when the proxy has no toxic at all (the fast path:
 * the request is only counted, nothing is recorded).
 */
export function decide(host: DecisionHost, connection: HttpConnection, view: RequestView): Decision | undefined {
  const records = host.toxics.all();
  const n = ++connection.count;
  if (records.length === 0) return undefined;
  const seed = connection.requestSeed(n);
  const decisions: RequestDecision[] = [];
  let plan: Plan | undefined;
  for (const r of records) {
    const type = r.type as HttpToxicType;
    if (type.protocol !== 'http') continue;
    const attributes = r.attributes as unknown as MatchAttributes;
    const matched = type.matches ? type.matches(attributes, view) : matches(attributes, view);
    const draw = unitDraw(seed, r.name);
    const selected = matched && isSelected(r.toxicity, draw);
    decisions.push({ name: r.name, type: type.type, stream: r.stream, toxicity: r.toxicity, draw, selected, matched });
    if (!selected) continue;
    plan ??= emptyPlan();
    type.plan(attributes, plan, { direction: r.direction, rng: () => new Rng(deriveSeed(seed, r.name)) });
    const applied = host.http.applied.get(r.name);
    if (applied) applied.count++;
    else host.http.applied.set(r.name, { type: type.type, count: 1 });
  }
  const record: RequestRecord = {
    n,
    method: view.method,
    path: pathOf(view.url),
    status: 0,
    outcome: 'pending',
    toxics: decisions,
  };
  connection.remember(record);
  return { record, plan };
}

/** Sets a request's outcome and keeps the outcome counters right (an aborted request stays aborted). */
export function setOutcome(
  stats: HttpStats,
  record: RequestRecord | undefined,
  outcome: RequestRecord['outcome'],
  status: number,
): void {
  if (record?.outcome === 'aborted') return;
  if (record) {
    if (record.outcome !== 'pending') stats.outcomes[record.outcome as 'forwarded']--;
    record.outcome = outcome;
    record.status = status;
  }
  stats.outcomes[outcome as 'forwarded']++;
}
