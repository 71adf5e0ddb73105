/**
 * @module The rules engine: installs wrappers on the targeted functions while rules name them, and puts the
 * original functions back (the same function objects) when the last rule on a target goes.
 *
 *   fs.promises.readFile ──patched──▶ wrapper ─ a rule's condition passes? ─ no ──▶ original
 *                                               └ yes: its action fires ──▶ style.apply
 *
 * The no-match path is the one every call of a targeted function pays, so it is kept small: the wrapper reads its
 * target's rule list (no lookup by name), and each rule's condition was compiled when the rule was set into tests
 * of the first two arguments, cheapest fact first (`port`, `method`, `command`, `path`, `dest`, `host`, `url`),
 * each fact read only when a test asks for it and globs without wildcards compared as plain strings. Nothing is
 * allocated per call besides the wrapper's argument list, and nothing is computed that no condition reads.
 *
 * After every patch and unpatch, `syncBuiltinESMExports()` updates the ESM named exports of core modules, so
 * `import { readFile } from 'node:fs/promises'` sees the change through its live binding.
 */
import { syncBuiltinESMExports } from 'node:module';
import { FailpointConfigError } from '../errors.js';
import { formatActions } from '../grammar.js';
import { pick } from '../evaluate.js';
import { deriveSeed, mulberry32 } from '../prng.js';
import { registry } from '../registry.js';
import type { Entry } from '../registry.js';
import type { RuleInfo, RulesBackend } from '../rules-backend.js';
import { compileGlob } from './glob.js';
import { parseRule } from './parse.js';
import { apply } from './styles.js';
import { coreTargets } from './targets/index.js';
import type { ActiveRule, Condition, FactReaders, Facts, Rule, TargetDef, When } from './types.js';

type Fn = (...args: unknown[]) => unknown;

/** The rules of one target, in the order they were set. Replaced (never mutated) when they change. */
interface Slot {
  rules: readonly ActiveRule[];
}

interface Patch {
  readonly owner: Record<string, unknown>;
  readonly key: string;
  readonly original: Fn;
  readonly wrapper: Fn;
}

/** Facts in the order conditions test them: cheapest to read and compare first. */
const TEST_ORDER: readonly (keyof When)[] = ['port', 'method', 'command', 'path', 'dest', 'host', 'url'];

/**
 * Compiles a rule's `when` into one test of a call's first two arguments: every field given must match.
 * Undefined when there is nothing to test (every call matches). A field the target has no fact for could never
 * match; {@link parseRule} refuses such rules, and so does this (it never compiles a condition that cannot match).
 */
export function compileWhen(when: When | undefined, facts: FactReaders): Condition | undefined {
  if (!when) return undefined;
  for (const key of Object.keys(when)) {
    if (!Object.hasOwn(facts, key) || !(TEST_ORDER as readonly string[]).includes(key))
      throw new FailpointConfigError(`the target has no ${JSON.stringify(key)} fact`, `when.${key}`);
  }
  const tests: Condition[] = [];
  for (const key of TEST_ORDER) {
    const want = when[key];
    if (want === undefined) continue;
    const read = facts[key] as (a0: unknown, a1: unknown) => string | number | undefined;
    if (typeof want === 'number') tests.push((a0, a1) => read(a0, a1) === want);
    else {
      const match = compileGlob(key === 'method' ? want.toUpperCase() : want);
      tests.push((a0, a1) => {
        const got = read(a0, a1);
        return typeof got === 'string' ? match(got) : got !== undefined && match(String(got));
      });
    }
  }
  const [first, second] = tests;
  if (first === undefined) return undefined;
  if (tests.length === 1) return first;
  if (tests.length === 2 && second) return (a0, a1) => first(a0, a1) && second(a0, a1);
  return (a0, a1) => tests.every((t) => t(a0, a1));
}

/** Every fact of a call, for the fields of an injected error (only computed when a rule fires). */
function allFacts(readers: FactReaders, args: readonly unknown[]): Facts {
  const facts: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(readers) as [string, (a0: unknown, a1: unknown) => unknown][]) {
    facts[key] = read(args[0], args[1]);
  }
  return facts;
}

/**
 * The slow path, entered when the condition of `rules[from]` passed: the first rule from there whose condition
 * passes and whose action fires (counts, probability) decides; matching rules that do not fire count a hit.
 */
function fire(
  def: TargetDef,
  rules: readonly ActiveRule[],
  from: number,
  original: Fn,
  self: unknown,
  args: unknown[],
): unknown {
  for (let i = from; i < rules.length; i++) {
    const active = rules[i] as ActiveRule;
    if (i > from && active.test !== undefined && !active.test(args[0], args[1])) continue;
    const action = pick(active.entry);
    if (action === undefined) continue;
    return apply({ def, active, action, facts: allFacts(def.facts, args), original, self, args });
  }
  return Reflect.apply(original, self, args);
}

/**
 * A function that consults the target's rules and otherwise calls `original` with the same `this` and arguments,
 * carrying the original's name, length and own properties (`util.promisify.custom` and friends), so code that
 * inspects it sees what it expects.
 */
function wrapFunction(original: Fn, def: TargetDef, slot: Slot): Fn {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const rules = slot.rules;
    for (let i = 0; i < rules.length; i++) {
      const test = (rules[i] as ActiveRule).test;
      if (test === undefined || test(args[0], args[1])) return fire(def, rules, i, original, this, args);
    }
    return Reflect.apply(original, this, args);
  };
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'prototype' || key === 'arguments' || key === 'caller') continue;
    const d = Object.getOwnPropertyDescriptor(original, key);
    if (d) Object.defineProperty(wrapper, key, d);
  }
  return wrapper;
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
  /** Target name → its rules; a slot outlives its rules, since wrappers (and copies of them) keep reading it. */
  private readonly slots = new Map<string, Slot>();
  private readonly patches = new Map<string, Patch>();
  /** The last wrapper made for each core target, reused while the original function is the same. */
  private readonly wrappers = new Map<string, { readonly original: Fn; readonly wrapper: Fn }>();

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
    const def = coreTargets.get(rule.target);
    const test = compileWhen(rule.when, def?.facts ?? {});
    this.remove(name);
    const active: ActiveRule = { rule, test, entry: newEntry(rule) };
    this.rules.set(name, active);
    const slot = this.slot(rule.target);
    slot.rules = [...slot.rules, active];
    if (def) this.patch(def);
    return info(active);
  }

  /** Removes a rule; the target's original function comes back when no rule names it any more. */
  remove(name: string): boolean {
    const active = this.rules.get(name);
    if (!active) return false;
    this.rules.delete(name);
    const slot = this.slot(active.rule.target);
    slot.rules = slot.rules.filter((r) => r !== active);
    if (slot.rules.length === 0) this.unpatch(active.rule.target);
    for (const wake of active.entry.waiters.splice(0)) wake();
    return true;
  }

  /** Removes every rule. */
  clear(): void {
    for (const name of [...this.rules.keys()]) this.remove(name);
  }

  /**
   * A wrapper of `original` that goes through the rules for `def.name` (for targets the engine does not patch
   * itself, such as an application's exports). With no rule on the target it calls `original`.
   */
  wrap(def: TargetDef, original: Fn): Fn {
    return wrapFunction(original, def, this.slot(def.name));
  }

  private slot(target: string): Slot {
    let slot = this.slots.get(target);
    if (!slot) this.slots.set(target, (slot = { rules: [] }));
    return slot;
  }

  private patch(def: TargetDef): void {
    if (this.patches.has(def.name)) return;
    const owner = def.owner() as Record<string, unknown>;
    const original = owner[def.key];
    if (typeof original !== 'function') return;
    let made = this.wrappers.get(def.name);
    if (made?.original !== original) {
      made = { original: original as Fn, wrapper: this.wrap(def, original as Fn) };
      this.wrappers.set(def.name, made);
    }
    owner[def.key] = made.wrapper;
    this.patches.set(def.name, { owner, key: def.key, original: original as Fn, wrapper: made.wrapper });
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
