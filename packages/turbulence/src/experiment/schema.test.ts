import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_SCHEMA_ID, experimentJsonSchema, experimentSchema } from './schema.js';

const SCHEMA_FILE = join(import.meta.dirname, '../../schema/experiment.schema.json');

describe('the published JSON Schema', () => {
  it('is up to date with the zod schema (run "npx tsx scripts/gen-schema.mjs" when this fails)', () => {
    const committed: unknown = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(committed).toEqual(experimentJsonSchema());
  });

  it('describes the format for editors: required keys, activity forms and our extensions', () => {
    const schema = experimentJsonSchema() as {
      $id: string;
      required: string[];
      properties: Record<string, { description?: string }>;
    };
    expect(schema.$id).toBe(EXPERIMENT_SCHEMA_ID);
    expect(schema.required).toEqual(['title', 'description', 'method']);
    for (const ours of ['abort-conditions', 'blast-radius'])
      expect(schema.properties[ours]?.description).toMatch(/^Ours/);
    expect(JSON.stringify(schema.properties.method)).toContain('"enum":["probe","action"]');
  });
});

describe('experimentSchema', () => {
  it('keeps unknown keys at the top level and inside activities', () => {
    const doc = {
      title: 't',
      description: 'd',
      'x-vendor': { a: 1 },
      method: [{ type: 'action', name: 'a', provider: { type: 'tcp', host: 'h', port: 1 }, layer: 'app' }],
    };
    const parsed = experimentSchema.parse(doc);
    expect(parsed['x-vendor']).toEqual({ a: 1 });
    expect(parsed.method[0]).toMatchObject({ layer: 'app' });
  });
});
