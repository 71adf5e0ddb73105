/**
 * Parsing toxic bodies of the API (create and partial update), with Toxiproxy's checks in Toxiproxy's order:
 * body → stream → default name → type → unique name → attributes.
 */
import type { z } from 'zod';
import { ApiError, badBody, invalidStream, invalidToxicType, toxicExists } from './api-error.js';
import { checkToxicProtocol, type Protocol } from './protocol.js';
import type { AnyToxicType, Direction } from './toxic.js';
import type { ToxicCollection } from './toxic-collection.js';
import type { ToxicRecord } from './toxic-record.js';

/** A toxic as clients send it (every field optional; `name` defaults to `<type>_<stream>`). */
export interface ToxicInput {
  name?: string;
  type?: string;
  stream?: string;
  toxicity?: number | null;
  attributes?: Record<string, unknown> | null;
}

/** Checks the JSON shape of a toxic body; throws a 400 naming the bad field. */
export function toxicInput(body: unknown): ToxicInput {
  if (!isObject(body)) throw badBody('expected a JSON object');
  for (const key of ['name', 'type', 'stream'] as const) {
    if (body[key] !== undefined && body[key] !== null && typeof body[key] !== 'string') {
      throw badBody(`${key} must be a string`);
    }
  }
  if (body.toxicity !== undefined && body.toxicity !== null && typeof body.toxicity !== 'number') {
    throw badBody('toxicity must be a number');
  }
  if (body.attributes !== undefined && body.attributes !== null && !isObject(body.attributes)) {
    throw badBody('attributes must be an object');
  }
  return body;
}

/** Builds a new toxic for `toxics` from a create body; throws the API error Toxiproxy would return. */
export function createToxic(
  body: unknown,
  registry: ReadonlyMap<string, AnyToxicType>,
  toxics: ToxicCollection,
  protocol: Protocol = 'tcp',
  terminatesTls = false,
): ToxicRecord {
  const input = toxicInput(body);
  const stream = input.stream ?? 'downstream';
  const direction = parseDirection(stream);
  const name = input.name || `${input.type ?? ''}_${stream}`;
  const type = registry.get(input.type ?? '');
  if (!type) throw invalidToxicType();
  if (toxics.find(name)) throw toxicExists();
  checkToxicProtocol(type, protocol, terminatesTls);
  return {
    name,
    type,
    stream,
    direction,
    toxicity: parseToxicity(input.toxicity, 1),
    attributes: parseAttributes(type, input.attributes ?? {}),
    version: 0,
  };
}

/** Applies a partial update (`attributes` merged into the current ones, `toxicity`) to a record in place. */
export function updateToxic(record: ToxicRecord, body: unknown): void {
  const input = toxicInput(body);
  const attributes = parseAttributes(record.type, { ...record.attributes, ...(input.attributes ?? {}) });
  const toxicity = parseToxicity(input.toxicity, record.toxicity);
  record.attributes = attributes;
  record.toxicity = toxicity;
  record.version++;
}

/** `upstream` / `downstream`, case-insensitive. */
export function parseDirection(stream: string): Direction {
  const lower = stream.toLowerCase();
  if (lower === 'upstream' || lower === 'downstream') return lower;
  throw invalidStream();
}

function parseToxicity(value: number | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new ApiError(`toxicity must be between 0 and 1, got ${value}`, 400);
  }
  return value;
}

/** Validates attributes with the type's schema; a key the schema does not know is a 400 (Toxiproxy ignores it). */
function parseAttributes(type: AnyToxicType, raw: Record<string, unknown>): Record<string, unknown> {
  const parsed = (type.attributes as z.ZodType).safeParse(raw);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => i.message).join('; ');
    throw new ApiError(`invalid attributes for ${type.type} toxic: ${reasons}`, 400);
  }
  const data = parsed.data as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((key) => !Object.hasOwn(data, key));
  if (unknown.length > 0) {
    const list = unknown.join(', ');
    throw new ApiError(
      `invalid attributes for ${type.type} toxic: unknown attribute${unknown.length > 1 ? 's' : ''} ${list}`,
      400,
    );
  }
  return data;
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
