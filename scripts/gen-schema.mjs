/**
 * Regenerates `packages/turbulence/schema/experiment.schema.json` from the zod schema of the experiment format.
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

const out = fileURLToPath(new URL('../packages/turbulence/schema/experiment.schema.json', import.meta.url));
const options = (await resolveConfig(out)) ?? {};
writeFileSync(out, await format(JSON.stringify(experimentJsonSchema()), { ...options, parser: 'json' }));
console.log(`wrote ${out}`);
