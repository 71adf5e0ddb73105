/** A toxic as a proxy holds it: the API envelope plus its parsed attributes and its type. */
import type { AnyToxicType, Direction } from './toxic.js';

/** One toxic of one proxy. Mutated in place on update (the `version` tells links to reconfigure). */
export interface ToxicRecord {
  name: string;
  type: AnyToxicType;
  /** The stream string as the client sent it (echoed back, Toxiproxy does the same). */
  stream: string;
  direction: Direction;
  /** 0..1: the share of connections the toxic applies to. */
  toxicity: number;
  attributes: Record<string, unknown>;
  /** Bumped on every update. */
  version: number;
}

/** The toxic as the API returns it, in Toxiproxy's field order. */
export interface ToxicJson {
  attributes: Record<string, unknown>;
  name: string;
  type: string;
  stream: string;
  toxicity: number;
}

/** Serialises a record the way Toxiproxy does. */
export function toxicJson(record: ToxicRecord): ToxicJson {
  return {
    attributes: { ...record.attributes },
    name: record.name,
    type: record.type.type,
    stream: record.stream,
    toxicity: record.toxicity,
  };
}
