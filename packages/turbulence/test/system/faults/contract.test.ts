/** The reversible `process` kinds pass the shared driver contract against real processes. */
import { driverContract } from '../../support/driver-contract.js';
import { hasProc, killOrphans, spawnOrphan, stateOf } from './helpers.js';

driverContract({
  kind: 'process.stop',
  skip: hasProc ? false : 'needs Linux /proc',
  setup: async () => {
    const p = await spawnOrphan();
    return { query: { pid: p.pid }, inEffect: async () => (await stateOf(p.pid)) === 'T', cleanup: killOrphans };
  },
});
