/**
 * A minimal turbulence runner for the driver contract's crash case: injects the fault spec given as JSON in argv[2]
 * through the real FaultManager and ledger (`$TURBULENCE_HOME`), prints `injected <id>`, and waits to be SIGKILLed.
 * Started by `driver-contract.ts` with `node --import tsx`.
 */
import type { FaultSpec } from '../../src/core/fault.js';
import { Rng } from '../../src/core/rng.js';
import { FaultManager } from '../../src/faults/manager.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as FaultSpec;
const manager = new FaultManager({ rng: new Rng(1) });
const [fault] = await manager.inject(spec, { activity: 'driver contract: crashing runner' });
process.stdout.write(`injected ${fault?.id ?? '?'}\n`);
setInterval(() => undefined, 1 << 30);
