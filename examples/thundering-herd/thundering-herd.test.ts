/**
 * The thundering-herd example end to end, through the real CLI (`turbulence run`, built into dist by `npm run
 * build`): a real service behind a real turbulence proxy on loopback; naive clients make it fall over (the run
 * deviates, exit 1), clients with jittered backoff do not (the run holds, exit 0).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inCI } from '../../packages/turbulence/test/support/system.js';
import { startHerdSystem } from './service.js';

const cli = join(import.meta.dirname, '../../packages/turbulence/bin/turbulence.js');
const built = existsSync(join(import.meta.dirname, '../../packages/turbulence/dist/cli/main.js'));
if (!built && inCI) throw new Error('the CLI is not built: npm test builds it before the tests');
if (!built) console.warn('[skip] thundering-herd example needs `npm run build` first');

const out = mkdtempSync(join(tmpdir(), 'herd-example-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Journal {
  status: string;
  deviated: boolean;
  run: { output?: { faults?: { output?: Record<string, unknown> }[] } }[];
}

async function run(experiment: string): Promise<{ code: number; journal: Journal; stderr: string }> {
  const system = await startHerdSystem();
  try {
    const journalPath = join(out, `${experiment}.json`);
    let stderr = '';
    const code = await new Promise<number>((resolve) => {
      const child = execFile(
        process.execPath,
        [cli, 'run', join(import.meta.dirname, experiment), '--journal-path', journalPath, '--quiet'],
        {
          env: {
            ...process.env,
            SERVICE_URL: system.serviceUrl,
            PROXIED_URL: system.proxiedUrl,
            PROXY_API: system.proxyApi,
            TURBULENCE_HOME: join(out, 'home'),
          },
        },
      );
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (c) => resolve(c ?? -1));
    });
    return { code, journal: JSON.parse(readFileSync(journalPath, 'utf8')) as Journal, stderr };
  } finally {
    await system.stop();
  }
}

describe.skipIf(!built)('examples/thundering-herd', () => {
  it('naive clients make the service fall over: the run deviates', { timeout: 60_000 }, async () => {
    const { code, journal, stderr } = await run('naive.yaml');
    expect(journal.deviated, stderr).toBe(true);
    expect(code).toBe(1);
    const herd = journal.run[0]?.output?.faults?.[0]?.output;
    expect(herd).toMatchObject({ dropped: 20 });
  });

  it('clients with jittered backoff do not: the run holds', { timeout: 60_000 }, async () => {
    const { code, journal, stderr } = await run('jittered.yaml');
    expect(journal.deviated, stderr).toBe(false);
    expect(code).toBe(0);
    expect(journal.run[0]?.output?.faults?.[0]?.output).toMatchObject({ dropped: 20, allRecovered: true });
  });
});
