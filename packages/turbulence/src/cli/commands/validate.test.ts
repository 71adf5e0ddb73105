/**
 * `turbulence validate` end to end, through the built CLI (`npm run build` first; `npm test` does it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';

const FIXTURES = resolve(import.meta.dirname, '../../experiment/__fixtures__');
const work = mkdtempSync(join(tmpdir(), 'turb-validate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The built CLI (what ships) in `work`, with only PATH in its environment. */
const turbulence = (args: string[]) => runCli(args, { built: true, cwd: work, env: { PATH: process.env.PATH } });

describe('turbulence validate', () => {
  it('prints every problem as file:line:col: message with a hint and exits 2', async () => {
    const { code, stdout } = await turbulence(['validate', join(FIXTURES, 'invalid.json'), '--no-provider-checks']);
    expect(code).toBe(2);
    const file = join(FIXTURES, 'invalid.json');
    expect(stdout).toContain(`${file}:13:56: method[1].provider.func: required string is missing\n  hint: `);
    expect(stdout).toContain(`${file}:16:21: blast-radius.max-targets: must be > 0\n`);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`✗ ${file}: 7 problems`);
  });

  it('prints a one-line summary and exits 0 for a valid experiment', async () => {
    const { code, stdout } = await turbulence(['validate', join(FIXTURES, 'valid.yaml'), '--no-provider-checks']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `✓ ${join(FIXTURES, 'valid.yaml')}: valid experiment "Every key turbulence knows" ` +
        '(3 hypothesis probes, 3 method activities, 0 rollbacks)\n',
    );
  });

  it('applies --var and --var-file before validating', async () => {
    const experiment = join(work, 'env.yaml');
    writeFileSync(
      experiment,
      'title: t\ndescription: d\nmethod: []\nconfiguration:\n  a: {type: env, key: TURB_A}\n  b: {type: env, key: TURB_B}\n',
    );
    const missing = await turbulence(['validate', 'env.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('env.yaml:5:3: configuration.a: Configuration makes reference');
    writeFileSync(join(work, 'vars.env'), 'TURB_B=2\n');
    const given = await turbulence(['validate', 'env.yaml', '--var', 'a:int=1', '--var-file', 'vars.env']);
    expect(given.stdout).toMatch(/^✓ env\.yaml: valid experiment "t"/);
    expect(given.code).toBe(0);
  });

  it('reports a syntax error at its position, and --json gives the errors with codes', async () => {
    writeFileSync(join(work, 'broken.yaml'), 'title: t\nmethod: [\n');
    const { code, stdout } = await turbulence(['validate', 'broken.yaml', '--json']);
    expect(code).toBe(2);
    const result = JSON.parse(stdout) as { valid: boolean; errors: { code: string; location: object }[] };
    expect(result.valid).toBe(false);
    expect(result.errors[0]?.code).toBe('TURB_ERR_LOAD_FAILED');
    expect(result.errors[0]?.location).toMatchObject({ file: join(work, 'broken.yaml'), line: 3 });
  });

  it('exits 2 on a bad --var', async () => {
    const { code, stdout } = await turbulence(['validate', join(FIXTURES, 'valid.yaml'), '--var', 'port:int=x']);
    expect(code).toBe(2);
    expect(stdout).toContain('--var port: cannot convert "x" to int');
  });
});
