/**
 * The rule engine: an ordered list of rules, each with its own fork of the run's seeded RNG (so adding a rule does
 * not change the coin flips of the others, and `--seed` replays them), its hit counters and its remaining count.
 */
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { getDnsAction, type AnyDnsAction } from './actions/index.js';
import { compileMatcher, parseRule, type DnsQueryFacts, type DnsRule } from './rule.js';

/** Default most rules a {@link RuleEngine} holds. */
export const DEFAULT_MAX_RULES = 1000;

/** A rule with its counters, as the control API lists it. */
export interface DnsRuleStatus extends DnsRule {
  /** Queries that matched the rule's conditions. */
  matched: number;
  /** Times the rule fired (matched, won the coin flip, count not used up). */
  hits: number;
}

/** A rule that fired for one query: its action and the RNG the action draws from. */
export interface FiredRule {
  rule: DnsRule;
  action: AnyDnsAction;
  params: Record<string, unknown>;
  rng: Rng;
}

interface Entry {
  rule: DnsRule;
  action: AnyDnsAction;
  params: Record<string, unknown>;
  matches: (q: DnsQueryFacts) => boolean;
  rng: Rng;
  matched: number;
  hits: number;
}

/**
 * Holds the rules of one DNS server.
 *
 * @example
 * const engine = new RuleEngine(new Rng(42));
 * engine.add({ name: 'api.test', action: 'servfail', probability: 0.3 });
 * engine.fire({ name: 'api.test', type: 'A', client: '127.0.0.1', transport: 'udp' });
 */
export class RuleEngine {
  private readonly entries: Entry[] = [];
  private nextId = 1;

  /**
   * @param maxRules most rules held at once (default {@link DEFAULT_MAX_RULES}): every query is matched against
   *   every rule, so the count bounds the work per query as well as the memory.
   */
  constructor(
    private readonly rng: Rng,
    readonly maxRules: number = DEFAULT_MAX_RULES,
  ) {}

  /**
   * Validates and adds a rule (at the end); an existing rule with the same id is replaced in place. Throws
   * `USAGE` when the engine holds `maxRules` already.
   */
  add(input: unknown): DnsRuleStatus {
    const rule = parseRule(input);
    if (!rule.id) rule.id = this.freshId();
    if (this.entries.length >= this.maxRules && !this.entries.some((e) => e.rule.id === rule.id)) {
      throw new TurbulenceError(ErrorCodes.USAGE, `the DNS server holds ${this.maxRules} rules already (its limit)`, {
        hint: 'remove rules you no longer need (DELETE /rules/ID), or start the server with a higher maxRules',
      });
    }
    const { type, ...params } = rule.action;
    const action = getDnsAction(type) as AnyDnsAction;
    const entry: Entry = {
      rule,
      action,
      params,
      matches: compileMatcher(rule),
      rng: this.rng.fork(`dns.rule:${rule.id}`),
      matched: 0,
      hits: 0,
    };
    const at = this.entries.findIndex((e) => e.rule.id === rule.id);
    if (at >= 0) this.entries[at] = entry;
    else this.entries.push(entry);
    return status(entry);
  }

  /** Removes a rule; false when there was none with that id. */
  remove(id: string): boolean {
    const at = this.entries.findIndex((e) => e.rule.id === id);
    if (at < 0) return false;
    this.entries.splice(at, 1);
    return true;
  }

  /** Removes every rule. */
  clear(): void {
    this.entries.length = 0;
  }

  /** Every rule with its counters, in evaluation order. */
  list(): DnsRuleStatus[] {
    return this.entries.map(status);
  }

  /** One rule with its counters. */
  get(id: string): DnsRuleStatus | undefined {
    const e = this.entries.find((x) => x.rule.id === id);
    return e ? status(e) : undefined;
  }

  /** True when there are no rules (the server then forwards bytes untouched). */
  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** The rules that fire for a query, in order; counts and coin flips are consumed here. */
  fire(q: DnsQueryFacts): FiredRule[] {
    const out: FiredRule[] = [];
    for (const e of this.entries) {
      if (!e.matches(q)) continue;
      e.matched++;
      if (e.rule.count !== undefined && e.hits >= e.rule.count) continue;
      if (!e.rng.chance(e.rule.probability)) continue;
      e.hits++;
      out.push({ rule: e.rule, action: e.action, params: e.params, rng: e.rng });
    }
    return out;
  }

  private freshId(): string {
    for (;;) {
      const id = `rule-${this.nextId++}`;
      if (!this.entries.some((e) => e.rule.id === id)) return id;
    }
  }
}

function status(e: Entry): DnsRuleStatus {
  return { ...e.rule, matched: e.matched, hits: e.hits };
}
