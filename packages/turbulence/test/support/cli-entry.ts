/**
 * The CLI from the TypeScript sources (`node --import tsx cli-entry.ts fault ...`), so tests do not depend on a
 * fresh `npm run build`. Started by {@link ./cli.ts}; nothing else should spawn it directly.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
