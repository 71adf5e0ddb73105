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

  it("publishes each fault kind's params and target (if kind = K then ...)", () => {
    const text = JSON.stringify(experimentJsonSchema());
    const kill =
      /"if":\{"properties":\{"kind":\{"const":"process\.kill"\}\},"required":\["kind"\]\},"then":(\{.*?\}\}\})/.exec(
        text,
      );
    expect(kill?.[1]).toContain('"signal"');
    expect(kill?.[1]).toContain('"additionalProperties":false');
    expect(text).toContain('"enum":["cgroup.freeze",');
  });
});

describe('experimentSchema', () => {
  it('refuses unknown keys at the top level and inside activities (issue 13; extension points stay open)', () => {
    const doc = {
      title: 't',
      description: 'd',
      'x-vendor': { a: 1 },
      method: [{ type: 'action', name: 'a', provider: { type: 'tcp', host: 'h', port: 1 }, layer: 'app' }],
    };
    const keys = experimentSchema
      .safeParse(doc)
      .error?.issues.map((i) => [i.path.join('.'), i.message])
      .sort();
    expect(keys).toEqual([
      ['', expect.stringMatching(/^"x-vendor" is not a known key/)],
      ['method.0', expect.stringMatching(/^"layer" is not a key of an activity/)],
    ]);
    const open = { title: 't', description: 'd', method: [], extensions: [{ name: 'v', anything: { a: 1 } }] };
    expect(experimentSchema.safeParse({ ...open, $schema: 'x', tags: ['a'], contributions: {} }).success).toBe(true);
  });
});
