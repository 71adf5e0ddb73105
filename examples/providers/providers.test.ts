/**
 * The providers example end to end, through the real CLI (`turbulence run`, built into dist by `npm run build`):
 * a real HTTP service on loopback, real processes, python3, and a TypeScript module loaded through tsx.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCI, requireSystem } from '../../packages/turbulence/test/support/system.js';
import { startService } from './service.js';

const sys = requireSystem('python3');
const cli = join(import.meta.dirname, '../../packages/turbulence/bin/turbulence.js');
const built = existsSync(join(import.meta.dirname, '../../packages/turbulence/dist/cli/main.js'));
if (!built && inCI) throw new Error('the CLI is not built: npm test builds it before the tests');
if (!built) console.warn('[skip] providers example needs `npm run build` first');

interface Probe {
  activity: { name: string };
  tolerance_met?: boolean;
  tolerance_reason?: string;
}

describe.skipIf(sys.skip || !built)('examples/providers', () => {
  let service: Awaited<ReturnType<typeof startService>>;
  const out = mkdtempSync(join(tmpdir(), 'providers-example-'));

  beforeAll(async () => {
    service = await startService(0);
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('holds before the method, deviates after breaking the service, and the rollback repairs it', async () => {
    const journalPath = join(out, 'journal.json');
    const port = new URL(service.url).port;
    const exitCode = await new Promise<number>((resolve) => {
      const child = execFile(
        process.execPath,
        [cli, 'run', join(import.meta.dirname, 'experiment.yaml'), '--journal-path', journalPath, '--quiet'],
        { env: { ...process.env, SERVICE_URL: service.url, SERVICE_PORT: port, TURBULENCE_HOME: join(out, 'home') } },
      );
      child.on('close', (code) => resolve(code ?? -1));
    });
    expect(exitCode).toBe(1);
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as {
      deviated: boolean;
      steady_states: { before: { probes: Probe[] }; after: { probes: Probe[] } };
    };
    expect(journal.deviated).toBe(true);
    const before = journal.steady_states.before.probes;
    expect(before.map((p) => [p.activity.name, p.tolerance_met])).toEqual([
      ['health-is-200', true],
      ['health-reports-no-errors', true],
      ['port-accepts-connections', true],
      ['node-is-recent', true],
      ['health-latency-ms', true],
      ['error-budget', true],
      ['tmp-exists', true],
    ]);
    expect(journal.steady_states.after.probes[0]).toMatchObject({
      tolerance_met: false,
      tolerance_reason: 'status 503 is not 200',
    });
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
  });
});
