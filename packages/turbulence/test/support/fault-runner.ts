/**
 * A minimal turbulence runner for the driver contract's crash case: injects the fault spec given as JSON in argv[2]
 * (or each spec of a JSON array, in order) through the real FaultManager and ledger (`$TURBULENCE_HOME`), prints
 * `injected <id> [<id>...]` once every fault is in, and waits to be SIGKILLed.
 * Started by `driver-contract.ts` with `node --import tsx`.
 */
import type { FaultSpec } from '../../src/core/fault.js';
import { Rng } from '../../src/core/rng.js';
import { FaultManager } from '../../src/faults/manager.js';

const given = JSON.parse(process.argv[2] ?? '{}') as FaultSpec | FaultSpec[];
const manager = new FaultManager({ rng: new Rng(1) });
const ids: string[] = [];
for (const spec of Array.isArray(given) ? given : [given]) {
  const faults = await manager.inject(spec, { activity: 'driver contract: crashing runner' });
  ids.push(...faults.map((f) => f.id));
}
process.stdout.write(`injected ${ids.join(' ') || '?'}\n`);
setInterval(() => undefined, 1 << 30);
