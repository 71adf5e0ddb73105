/**
 * Messages for Chaos Toolkit files (issue 15, "Messages"):
 *
 * - an undefined `${name}` in an http URL is a validate error naming the variable and the keys that exist (Chaos
 *   Toolkit's string.Template.safe_substitute leaves it in the URL, and requests fails at run time);
 * - a YAML syntax error points at the real place (the opening quote of a string that never closes, not the end of
 *   the file);
 * - an unsafe YAML tag (`!!python/object/apply:...`) is named as such: chaoslib/loader.py parses YAML with
 *   `yaml.safe_load`, which refuses it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurbulenceError } from '../../src/core/errors.js';
import { loadExperiment, loadExperimentObject } from '../../src/experiment/load.js';
import { validateExperiment } from '../../src/experiment/validate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'turb-ctk-msg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(name: string, text: string): Promise<TurbulenceError> {
  const path = join(dir, name);
  await writeFile(path, text);
  return loadExperiment(path).then(
    () => {
      throw new Error('loaded');
    },
    (e: unknown) => e as TurbulenceError,
  );
}

describe('messages', () => {
  it('report an undefined ${name} in an http url at validation, with the keys that exist', async () => {
    const loaded = loadExperimentObject({
      title: 't',
      description: 'd',
      configuration: { base_url: 'http://127.0.0.1:1', timeout: 1 },
      method: [{ type: 'probe', name: 'p', provider: { type: 'http', url: '${base_ur}/health' } }],
    });
    const errors = await validateExperiment(loaded, { checkProviders: false });
    const msg = errors.map((e) => `${e.message} | ${e.hint ?? ''}`).join('\n');
    expect(msg).toContain('${base_ur} is not defined: the configuration and secrets have "base_url", "timeout"');
    expect(msg).toContain('did you mean "base_url"?');
  });

  it('point a YAML string that never closes at its opening quote', async () => {
    const err = await loadError(
      'quote.yaml',
      'title: t\ndescription: d\nmethod:\n  - type: action\n    name: "x\n    provider: {type: process, path: "true"}\n',
    );
    expect(err.location).toMatchObject({ line: 5, column: 11 });
  });

  it('name an unsafe !!python tag as such', async () => {
    const err = await loadError(
      'unsafe.yaml',
      'title: t\ndescription: !!python/object/apply:os.system ["id"]\nmethod: []\n',
    );
    expect(err.message).toMatch(/^unsafe YAML tag !!python\/object\/apply:os.system: /);
    expect(err.location).toMatchObject({ line: 2, column: 14 });
  });
});
