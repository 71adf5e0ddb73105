/**
 * Regenerates `packages/turbulence/schema/experiment.schema.json` from the zod schema of the experiment format
 * (and `monkey-schedule.schema.json` from the monkey's schedule schema).
 *
 *   npx tsx scripts/gen-schema.mjs
 *
 * A unit test (`src/experiment/schema.test.ts`) fails when the committed file is stale. (Plain ESM run by tsx,
 * which loads the TypeScript sources: `scripts/` is not part of the type-aware lint project.)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { experimentJsonSchema } from '../packages/turbulence/src/experiment/schema.js';
import { monkeyScheduleJsonSchema } from '../packages/turbulence/src/monkey/schedule.js';

const out = fileURLToPath(new URL('../packages/turbulence/schema/experiment.schema.json', import.meta.url));
const options = (await resolveConfig(out)) ?? {};
writeFileSync(out, await format(JSON.stringify(experimentJsonSchema()), { ...options, parser: 'json' }));
console.log(`wrote ${out}`);

const monkeyOut = fileURLToPath(new URL('../packages/turbulence/schema/monkey-schedule.schema.json', import.meta.url));
writeFileSync(monkeyOut, await format(JSON.stringify(monkeyScheduleJsonSchema()), { ...options, parser: 'json' }));
console.log(`wrote ${monkeyOut}`);
