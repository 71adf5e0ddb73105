/**
 * Configuration from `--var-file` and `--var`, as chaostoolkit-lib reads it:
 *
 * - a var file may hold full configuration definitions, env-typed and dynamic (`{"type": "probe"}`), resolved like
 *   the experiment's own: chaostoolkit-lib issue 252, fixture tests/fixtures/env_vars_issue252.json (an env key
 *   `PWD` feeding a dynamic `os.path.exists` probe), test `test_env_var_can_be_used_with_loading_dynamic_config`;
 * - a `--var` for a key the experiment does not declare is dropped: chaoslib/configuration.py load_configuration
 *   iterates the declared keys only (we warn, naming the key and the declared ones);
 * - `--var key:bytes=...` is accepted (chaoslib tests/test_configuration.py test_convert_bytes_var).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEvents } from '../../src/experiment/events.js';
import { runExperiment } from '../../src/experiment/run.js';
import type { Experiment } from '../../src/experiment/types.js';
import { loadOverrides, parseVarFlag } from '../../src/experiment/vars.js';
import { requireSystem } from '../support/system.js';

const sys = requireSystem('python3');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'turb-ctk-vars-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ISSUE_252 = {
  configuration: {
    some_config_1: { key: 'PWD', type: 'env' },
    some_config_2: {
      name: 'some config 2',
      type: 'probe',
      provider: { type: 'python', module: 'os.path', func: 'exists', arguments: { path: '${some_config_1}' } },
    },
  },
};

async function run(experiment: Partial<Experiment>, opts: { vars?: string[]; varFiles?: string[] }) {
  const events = new RunEvents();
  const warnings: string[] = [];
  events.on((e) => {
    if (e.type === 'run.warning') warnings.push(e.message);
  });
  const overrides = await loadOverrides(opts);
  const full = { title: 't', description: 'd', method: [], ...experiment } as Experiment;
  const { journal } = await runExperiment(full, { events, overrides, home: dir, baseDir: dir });
  return { journal, warnings };
}

const echo = (args: string[]) => ({
  method: [
    { type: 'action' as const, name: 'e', provider: { type: 'process' as const, path: 'echo', arguments: args } },
  ],
});
const stdout = (journal: { run: { output: unknown }[] }) => (journal.run[0]?.output as { stdout: string }).stdout;

describe.skipIf(sys.skip)('configuration definitions in a var file (chaostoolkit-lib issue 252)', () => {
  it('resolves an env definition and a dynamic probe that uses it, for an experiment that declares neither', async () => {
    const varFile = join(dir, 'vars.json');
    await writeFile(varFile, JSON.stringify(ISSUE_252));
    const { journal } = await run(echo(['${some_config_1}', '${some_config_2}']), { varFiles: [varFile] });
    expect(stdout(journal)).toBe(`${process.env.PWD} True\n`);
  });

  it('replaces the experiment definition of the same key', async () => {
    const varFile = join(dir, 'env.yaml');
    await writeFile(varFile, 'configuration:\n  who: {type: env, key: TURB_TEST_WHO_UNSET, default: from-var-file}\n');
    const { journal } = await run(
      { configuration: { who: 'experiment' }, ...echo(['${who}']) },
      { varFiles: [varFile] },
    );
    expect(stdout(journal)).toBe('from-var-file\n');
  });
});

describe('--var overrides (chaoslib/configuration.py load_configuration)', () => {
  it('drops a --var the experiment does not declare, with a warning naming it', async () => {
    const { journal, warnings } = await run(
      { configuration: { host: 'h' }, ...echo(['${host}', '${port}']) },
      { vars: ['host=override', 'port:int=8080'] },
    );
    expect(stdout(journal)).toBe('override ${port}\n');
    expect(warnings.join('\n')).toMatch(
      /"port" ignored: the experiment's configuration does not declare it.*declared keys: host/,
    );
  });

  it('accepts the bytes type', () => {
    expect(parseVarFlag('todo:bytes=stuff')).toEqual({ key: 'todo', value: 'stuff' });
  });
});
