/**
 * A turbulence process that supervises one `sleep 300` named argv[2] and waits: the supervisor tests SIGKILL it to
 * leave the supervised process behind.
 */
import { Supervisor } from '../../../src/supervisor/supervisor.js';

const sup = new Supervisor();
const record = await sup.start({ name: process.argv[2] ?? 'leftover', command: 'sleep', args: ['300'] });
process.stdout.write(`ready ${record.pid}\n`);
setInterval(() => undefined, 1 << 30);
