/**
 * Schema first (issue 13 §1): validating an experiment and generating the JSON Schema load no process, socket or
 * DNS machinery. A fresh Node process imports the built validate module, validates, and reports which of
 * `child_process`, `dgram`, `net`, `http`, `https`, `tls` it loaded (`process.moduleLoadList`). It writes with
 * `fs.writeSync`: touching `process.stdout` on a pipe would itself load `net`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const DIST = resolve(import.meta.dirname, '../../dist');
const ROOT = resolve(import.meta.dirname, '../../../..');
const work = mkdtempSync(join(tmpdir(), 'turb-pure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PROBE = `
import { writeSync } from 'node:fs';
const before = new Set(process.moduleLoadList);
const { loadExperiment } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'experiment/load.js')).href)});
const { validateExperiment } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'experiment/validate.js')).href)});
const { experimentJsonSchema } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'experiment/schema.js')).href)});
experimentJsonSchema();
const checkProviders = process.argv[2] === 'checks';
let problems = 0;
for (const file of process.argv.slice(3)) {
  problems += (await validateExperiment(await loadExperiment(file), { checkProviders, env: {} })).length;
}
const loaded = process.moduleLoadList
  .filter((m) => !before.has(m))
  .map((m) => m.replace('NativeModule ', ''))
  .filter((m) => ['child_process', 'dgram', 'net', 'http', 'https', 'tls'].includes(m));
writeSync(1, JSON.stringify({ problems, loaded }));
`;
const probe = join(work, 'probe.mjs');
writeFileSync(probe, PROBE);

function probeRun(mode: 'checks' | 'schema-only', files: string[]): Promise<{ problems: number; loaded: string[] }> {
  return new Promise((res, rej) => {
    execFile(process.execPath, [probe, mode, ...files], { cwd: work }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${err.message}\n${stderr}`));
      else res(JSON.parse(stdout) as { problems: number; loaded: string[] });
    });
  });
}

describe('validation loads no I/O machinery', () => {
  it('validates every example experiment (schema, faults, refs) without child_process, dgram or net', async () => {
    const files = [
      'etcd/kill-leader.yaml',
      'etcd/partition-member.yaml',
      'dns-lab/experiment.yaml',
      'providers/experiment.yaml',
    ].map((f) => join(ROOT, 'examples', f));
    expect(await probeRun('schema-only', files)).toEqual({ problems: 0, loaded: [] });
  }, 30_000);

  it('runs provider checks without them when no provider type needs its implementation', async () => {
    const file = join(work, 'http-and-faults.json');
    writeFileSync(
      file,
      JSON.stringify({
        title: 't',
        description: 'd',
        'steady-state-hypothesis': {
          title: 'up',
          probes: [
            { type: 'probe', name: 'up', tolerance: 200, provider: { type: 'http', url: 'http://127.0.0.1:9/' } },
          ],
        },
        method: [
          { type: 'action', name: 'stop', provider: { type: 'fault', kind: 'process.stop', target: { name: 'api' } } },
          { type: 'probe', name: 'dns', provider: { type: 'dns', server: '127.0.0.1:53', name: 'x' } },
        ],
      }),
    );
    expect(await probeRun('checks', [file])).toEqual({ problems: 0, loaded: [] });
  }, 30_000);
});
