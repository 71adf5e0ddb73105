/**
 * @module A fault kind described for people (`turbulence fault kinds KIND`, docs): each parameter's name, type,
 * default and range, the target fields and types, and an example — all read from the kind's schema (pure).
 */
import { z } from 'zod';
import type { JsonObject } from '../core/json.js';
import type { KindSchema } from './kind-schema.js';

/** One parameter or target field. */
export interface FieldDescription {
  name: string;
  /** `integer`, `number`, `string`, `boolean`, `list of string`, `"both" | "ingress" | "egress"`, ... */
  type: string;
  required: boolean;
  default?: unknown;
  /** `1..100`, `≥ 0`, `> 0`, or absent. */
  range?: string;
  description?: string;
}

/** What `fault kinds KIND` prints. */
export interface KindDescription {
  kind: string;
  targetTypes: readonly string[];
  targetOptional: boolean;
  params: FieldDescription[];
  target: FieldDescription[];
  example: { target: JsonObject; params?: JsonObject; duration?: string };
}

type Json = Record<string, unknown>;

/**
 * Describes a kind from its schemas.
 *
 * @example
 * describeKind(kindSchema('process.kill')!).params;
 * // [{ name: 'signal', type: 'string | integer', required: false, default: 'SIGKILL' }, ...]
 */
export function describeKind(schema: KindSchema): KindDescription {
  return {
    kind: schema.kind,
    targetTypes: schema.targetTypes,
    targetOptional: schema.targetOptional === true,
    params: fieldsOf(schema.params),
    target: fieldsOf(schema.target),
    example: schema.example,
  };
}

function fieldsOf(schema: z.ZodType): FieldDescription[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const alternatives = (j: Json): Json[] => (Array.isArray(j.anyOf) ? (j.anyOf as Json[]).flatMap(alternatives) : [j]);
  const objects = alternatives(json).filter((o) => o.properties);
  const out = new Map<string, FieldDescription>();
  for (const object of objects) {
    const required = new Set((object.required as string[] | undefined) ?? []);
    for (const [name, prop] of Object.entries(object.properties as Record<string, Json>)) {
      if (out.has(name)) continue;
      const field: FieldDescription = {
        name,
        type: typeOf(prop),
        required: required.has(name) && objects.length === 1,
      };
      if (prop.default !== undefined) field.default = prop.default;
      const range = rangeOf(prop);
      if (range !== undefined) field.range = range;
      if (typeof prop.description === 'string') field.description = prop.description;
      out.set(name, field);
    }
  }
  return [...out.values()];
}

function typeOf(prop: Json): string {
  if (Array.isArray(prop.enum)) return (prop.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (prop.const !== undefined) return JSON.stringify(prop.const);
  if (Array.isArray(prop.anyOf)) return [...new Set((prop.anyOf as Json[]).map(typeOf))].join(' | ');
  if (prop.type === 'array') return `list of ${prop.items ? typeOf(prop.items as Json) : 'any'}`;
  if (prop.type === 'object')
    return prop.additionalProperties ? `map of ${typeOf(prop.additionalProperties as Json)}` : 'object';
  return typeof prop.type === 'string' ? prop.type : 'any';
}

function rangeOf(prop: Json): string | undefined {
  if (Array.isArray(prop.anyOf)) {
    const ranges = (prop.anyOf as Json[]).map(rangeOf).filter((r) => r !== undefined);
    return ranges.length > 0 ? ranges.join(', ') : undefined;
  }
  // Safe-integer bounds are zod's way of saying "an integer", not a range.
  const bound = (v: unknown) => (typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined);
  const min = bound(prop.minimum);
  const max = bound(prop.maximum);
  const above = prop.exclusiveMinimum as number | undefined;
  if (min !== undefined && max !== undefined) return `${min}..${max}`;
  if (above !== undefined) return max !== undefined ? `> ${above}, ≤ ${max}` : `> ${above}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  if (typeof prop.minItems === 'number' && prop.minItems > 0) return `at least ${prop.minItems} item(s)`;
  return undefined;
}
