import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MONKEY_SCHEMA_ID, monkeyScheduleJsonSchema } from './schedule.js';

const SCHEMA_FILE = join(import.meta.dirname, '../../schema/monkey-schedule.schema.json');

describe('the published schedule JSON Schema', () => {
  it('is up to date with the zod schema (run "npx tsx scripts/gen-schema.mjs" when this fails)', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(monkeyScheduleJsonSchema());
  });

  it('names the fixed core of the format', () => {
    const schema = monkeyScheduleJsonSchema() as {
      $id: string;
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(schema.$id).toBe(MONKEY_SCHEMA_ID);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['timezone', 'window', 'holidays', 'maxConcurrent', 'groups']),
    );
    expect(schema.required).toEqual(['groups']);
    const group = (schema.properties.groups as { items: { properties: Record<string, unknown> } }).items;
    expect(Object.keys(group.properties)).toEqual(
      expect.arrayContaining(['name', 'targets', 'fault', 'meanTimeBetweenFaults', 'minTimeBetweenFaults']),
    );
  });
});
