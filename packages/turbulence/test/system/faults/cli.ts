/**
 * Runs the CLI from the TypeScript sources (`node --import tsx cli.ts fault ...`), so these tests do not depend
 * on a fresh `npm run build`.
 */
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv);
