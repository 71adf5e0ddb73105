/** @module The shape every target resolver has; one file per target type implements it. */
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';

/** A target query: `{ key: value }` from an experiment's `target:`, or `--target key=value` flags. */
export type TargetQuery = JsonObject;

/** Finds the concrete targets of one type that a query names. */
export interface TargetResolver {
  /** The `type` of every target it returns (`process`, `netns`, ...). */
  readonly type: string;
  /** One line for `fault kinds` and the docs. */
  readonly summary: string;
  /** The query keys it understands, for help texts (`pid`, `name`, ...). */
  readonly keys: readonly string[];
  /** Targets matching the query, sorted by id. Throws `FAULT_INVALID_PARAMS` / `TARGET_REFUSED` with a hint. */
  resolve(query: TargetQuery | undefined): Promise<Target[]>;
}
