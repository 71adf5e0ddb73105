/**
 * The toxics of one proxy: one ordered chain per direction. New toxics go to the end of their direction's chain
 * (insertion order = composition order, as in Toxiproxy). Names are unique across both directions.
 */
import type { Direction } from './toxic.js';
import { toxicJson, type ToxicJson, type ToxicRecord } from './toxic-record.js';

/** The per-direction toxic chains of a proxy. */
export class ToxicCollection {
  private readonly chains: Record<Direction, ToxicRecord[]> = { upstream: [], downstream: [] };

  /** This direction's toxics, in chain order. */
  of(direction: Direction): readonly ToxicRecord[] {
    return this.chains[direction];
  }

  /** All toxics: upstream first, then downstream. */
  all(): ToxicRecord[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  /** The toxic named `name`, in either direction. */
  find(name: string): ToxicRecord | undefined {
    return this.chains.upstream.find((r) => r.name === name) ?? this.chains.downstream.find((r) => r.name === name);
  }

  /** Appends a toxic to its direction's chain (the caller checked the name is free). */
  add(record: ToxicRecord): void {
    this.chains[record.direction].push(record);
  }

  /** Removes a toxic; false when there was none by that name. */
  remove(name: string): ToxicRecord | undefined {
    for (const direction of ['upstream', 'downstream'] as const) {
      const chain = this.chains[direction];
      const i = chain.findIndex((r) => r.name === name);
      if (i >= 0) return chain.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Removes every toxic; returns the directions that had some. */
  clear(): Direction[] {
    const touched = (['upstream', 'downstream'] as const).filter((d) => this.chains[d].length > 0);
    for (const d of touched) this.chains[d] = [];
    return touched;
  }

  /** The API view: upstream toxics first, each in insertion order. */
  toJSON(): ToxicJson[] {
    return this.all().map(toxicJson);
  }
}
