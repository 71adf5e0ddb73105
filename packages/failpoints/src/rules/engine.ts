/**
 * @module The rules engine: installs wrappers on the targeted functions while rules name them, and puts the
 * original functions back (the same function objects) when the last rule on a target goes.
 *
 *   fs.promises.readFile ──patched──▶ wrapper ─ rules for the target? ─ no ──▶ original
 *                                               └ yes: facts(args) match `when`, action fires ──▶ style.apply
 *
 * After every patch and unpatch, `syncBuiltinESMExports()` updates the ESM named exports of core modules, so
 * `import { readFile } from 'node:fs/promises'` sees the change through its live binding.
 */
import { syncBuiltinESMExports } from 'node:module';
import { formatActions } from '../grammar.js';
import { pick } from '../evaluate.js';
import { deriveSeed, mulberry32 } from '../prng.js';
import { registry } from '../registry.js';
import type { Entry } from '../registry.js';
import type { RuleInfo, RulesBackend } from '../rules-backend.js';
import { globMatch } from './glob.js';
import { parseRule } from './parse.js';
import { apply } from './styles.js';
import { coreTargets } from './targets/index.js';
import type { ActiveRule, Facts, Rule, TargetDef, When } from './types.js';

type Fn = (...args: unknown[]) => unknown;

interface Patch {
  readonly owner: Record<string, unknown>;
  readonly key: string;
  readonly original: Fn;
  readonly wrapper: Fn;
}

/** True when every field of `when` matches the call's facts. */
export function matches(when: When | undefined, facts: Facts): boolean {
  if (!when) return true;
  for (const [k, want] of Object.entries(when) as [keyof When, string | number][]) {
    const got = facts[k];
    if (got === undefined) return false;
    if (typeof want === 'number' ? got !== want : !globMatch(k === 'method' ? want.toUpperCase() : want, String(got)))
      return false;
  }
  return true;
}

function newEntry(rule: Rule): Entry {
  return {
    name: rule.name,
    actions: [...rule.actions],
    callback: undefined,
    remaining: rule.actions.map((a) => a.count),
    random: mulberry32(deriveSeed(registry.seed, `rule:${rule.name}`)),
    hits: 0,
    fired: 0,
    waiters: [],
  };
}

/** Rules by name and by target, and the patches they need. */
export class RulesEngine implements RulesBackend {
  private readonly rules = new Map<string, ActiveRule>();
  /** Target name → its rules in the order they were set; read by every wrapper call. */
  readonly byTarget = new Map<string, ActiveRule[]>();
  private readonly patches = new Map<string, Patch>();

  list(): RuleInfo[] {
    return [...this.rules.values()].map(info);
  }

  get(name: string): RuleInfo | undefined {
    const r = this.rules.get(name);
    return r ? info(r) : undefined;
  }

  /** Adds or replaces a rule (validated first: a bad rule changes nothing). */
  set(name: string, raw: unknown): RuleInfo {
    const rule = parseRule(raw, name);
    this.remove(name);
    const active: ActiveRule = { rule, entry: newEntry(rule) };
    this.rules.set(name, active);
    this.byTarget.set(rule.target, [...(this.byTarget.get(rule.target) ?? []), active]);
    const def = coreTargets.get(rule.target);
    if (def) this.patch(def);
    return info(active);
  }

  /** Removes a rule; the target's original function comes back when no rule names it any more. */
  remove(name: string): boolean {
    const active = this.rules.get(name);
    if (!active) return false;
    this.rules.delete(name);
    const left = (this.byTarget.get(active.rule.target) ?? []).filter((r) => r !== active);
    if (left.length > 0) this.byTarget.set(active.rule.target, left);
    else {
      this.byTarget.delete(active.rule.target);
      this.unpatch(active.rule.target);
    }
    for (const wake of active.entry.waiters.splice(0)) wake();
    return true;
  }

  /** Removes every rule. */
  clear(): void {
    for (const name of [...this.rules.keys()]) this.remove(name);
  }

  /** The function a call of `target` should go through: rules first, then `original`. */
  intercept(def: TargetDef, original: Fn, self: unknown, args: unknown[]): unknown {
    const rules = this.byTarget.get(def.name);
    if (rules === undefined) return original.apply(self, args);
    const facts = def.facts(args);
    for (const active of rules) {
      if (!matches(active.rule.when, facts)) continue;
      const action = pick(active.entry);
      if (action === undefined) continue;
      return apply({ def, active, action, facts, original, self, args });
    }
    return original.apply(self, args);
  }

  private patch(def: TargetDef): void {
    if (this.patches.has(def.name)) return;
    const owner = def.owner() as Record<string, unknown>;
    const original = owner[def.key];
    if (typeof original !== 'function') return;
    const wrapper = wrapFunction(original as Fn, (self, args) => this.intercept(def, original as Fn, self, args));
    owner[def.key] = wrapper;
    this.patches.set(def.name, { owner, key: def.key, original: original as Fn, wrapper });
    syncBuiltinESMExports();
  }

  private unpatch(target: string): void {
    const p = this.patches.get(target);
    if (!p) return;
    this.patches.delete(target);
    if (p.owner[p.key] === p.wrapper) p.owner[p.key] = p.original;
    syncBuiltinESMExports();
  }
}

/**
 * A function that calls `through(this, args)`, carrying the original's name, length and own properties
 * (`util.promisify.custom` and friends), so code that inspects it sees what it expects.
 */
export function wrapFunction(original: Fn, through: (self: unknown, args: unknown[]) => unknown): Fn {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    return through(this, args);
  };
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'prototype' || key === 'arguments' || key === 'caller') continue;
    const d = Object.getOwnPropertyDescriptor(original, key);
    if (d) Object.defineProperty(wrapper, key, d);
  }
  return wrapper;
}

function info(r: ActiveRule): RuleInfo {
  const out: RuleInfo = {
    name: r.rule.name,
    target: r.rule.target,
    action: formatActions(r.rule.actions),
    hits: r.entry.hits,
    fired: r.entry.fired,
  };
  if (r.rule.when) out.when = { ...r.rule.when };
  return out;
}

const KEY = Symbol.for('turbulence.failpoints.rules-engine');
const holder = globalThis as unknown as Record<symbol, RulesEngine | undefined>;

/** The process's rules engine (one per process, shared by every copy of the package). */
export function rulesEngine(): RulesEngine {
  return (holder[KEY] ??= new RulesEngine());
}
