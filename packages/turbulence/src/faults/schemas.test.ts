import { describe, expect, it } from 'vitest';
import { listDrivers } from './registry.js';
import { kindSchemas } from './schemas.js';

describe('pure kind-schema registry', () => {
  it('lists exactly the kinds the driver registry serves', async () => {
    const drivers = await listDrivers((family, err) => {
      throw new Error(`family ${family} failed to load: ${String(err)}`);
    });
    expect(kindSchemas.map((k) => k.kind)).toEqual(drivers.map((d) => d.kind));
  });

  it("gives each driver its kind's params schema (or a refinement of it that accepts the example)", async () => {
    for (const driver of await listDrivers()) {
      const schema = kindSchemas.find((k) => k.kind === driver.kind);
      if (schema?.params !== driver.params) {
        // dns.rule and failpoint.set refine the shape with parsers that need node:net; the example passes both.
        expect(['dns.rule', 'failpoint.set']).toContain(driver.kind);
      }
      const example = schema?.example;
      expect(schema?.params.safeParse(example?.params ?? {}).success, driver.kind).toBe(true);
      expect(driver.params.safeParse(example?.params ?? {}).success, driver.kind).toBe(true);
      expect(schema?.target.safeParse(example?.target).success, driver.kind).toBe(true);
    }
  });
});
