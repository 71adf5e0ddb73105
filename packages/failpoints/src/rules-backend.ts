/**
 * @module The seam between the control endpoint and the rules engine: the register hook installs a backend, the
 * endpoint serves `/rules` only when one is installed. Kept on `globalThis` like the registry.
 */

/** A rule as the endpoint reports it. */
export interface RuleInfo {
  name: string;
  target: string;
  when?: Record<string, unknown>;
  action: string;
  hits: number;
  fired: number;
}

/** What the endpoint needs from the rules engine. */
export interface RulesBackend {
  list(): RuleInfo[];
  get(name: string): RuleInfo | undefined;
  /** Validates and installs (or replaces) a rule; throws a FailpointConfigError when invalid. */
  set(name: string, rule: unknown): RuleInfo;
  remove(name: string): boolean;
}

const KEY = Symbol.for('turbulence.failpoints.rules');
const holder = globalThis as unknown as Record<symbol, RulesBackend | undefined>;

/** Installs the rules engine behind `/rules`. */
export function setRulesBackend(backend: RulesBackend | undefined): void {
  holder[KEY] = backend;
}

/** The installed rules engine, if the register hook is loaded. */
export function getRulesBackend(): RulesBackend | undefined {
  return holder[KEY];
}
