/**
 * The containers story, end to end on a real Docker Engine: three busybox httpd replicas and a client container,
 * `turbulence run` of each experiment (a paused replica and a partitioned one; the client that tries every replica
 * holds, exit 0; the client pinned to the partitioned replica deviates, exit 1). The containers are removed after,
 * and nothing of turbulence is left (no paused container; no `tbc-*` name, nft table or qdisc on their namespaces).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSystem } from '../../packages/turbulence/test/support/system.js';
import { runCli } from '../../packages/turbulence/test/support/cli.js';
import {
  engine,
  ipOf,
  netLeftovers,
  startContainers,
  stateOf,
} from '../../packages/turbulence/test/system/docker/helpers.js';

const sys = requireSystem('root', 'dockerd', 'ip', 'nft');
const REPLICAS = ['tbx-web-1', 'tbx-web-2', 'tbx-web-3'];
const home = mkdtempSync(join(tmpdir(), 'tb-docker-example-'));
const busy = sys.skip ? false : (await stateOf('tbx-client')) !== undefined;
if (busy) console.warn('[skip] the example containers (tbx-*) already exist on this machine');

const cli = (args: string[]) => runCli(args, { timeoutMs: 120_000, env: { ...process.env, TURBULENCE_HOME: home } });

describe.skipIf(sys.skip || busy)('examples/docker', () => {
  const vars: string[] = [];
  beforeAll(async () => {
    await Promise.all(
      REPLICAS.map((name) =>
        startContainers([name], { 'turbulence.example': 'docker', role: 'web' }, [
          'sh',
          '-c',
          `echo ${name} > /var/www/index.html && exec httpd -f -p 80 -h /var/www`,
        ]),
      ),
    );
    await startContainers(['tbx-client'], { 'turbulence.example': 'docker', role: 'client' }, ['sleep', '3600']);
    for (const [i, name] of REPLICAS.entries()) vars.push('--var', `web${i + 1}=${await ipOf(name)}`);
  }, 60_000);

  afterAll(async () => {
    const left = await Promise.all([...REPLICAS, 'tbx-client'].map(netLeftovers));
    expect(left.flat()).toEqual([]);
    await Promise.all(
      [...REPLICAS, 'tbx-client'].map((n) =>
        engine
          .getContainer(n)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('holds for the client that tries every replica', async () => {
    const r = await cli([
      'run',
      join(import.meta.dirname, 'experiment.yaml'),
      ...vars,
      '--journal-path',
      join(home, 'j1.json'),
    ]);
    expect(r.out).toContain('reverted container.pause');
    expect(r.out).toContain('reverted container.partition');
    expect(r.code).toBe(0);
    expect((await stateOf('tbx-web-1'))?.Paused).toBe(false);
  }, 150_000);

  it('deviates for the client pinned to the partitioned replica', async () => {
    const r = await cli([
      'run',
      join(import.meta.dirname, 'experiment-pinned.yaml'),
      ...vars,
      '--journal-path',
      join(home, 'j2.json'),
    ]);
    expect(r.code).toBe(1);
    expect((await stateOf('tbx-web-1'))?.Paused).toBe(false);
  }, 150_000);
});
