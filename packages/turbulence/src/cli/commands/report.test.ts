/**
 * `turbulence report` and `run --report` end to end, through the built CLI (`npm run build` first).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliTimeout, runCli } from '../../../test/support/cli.js';

const FIXTURES = resolve(import.meta.dirname, '../../report/__fixtures__');
const work = mkdtempSync(join(tmpdir(), 'turb-report-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const turbulence = (args: string[]) =>
  runCli(args, { built: true, cwd: work, env: { PATH: process.env.PATH, TURBULENCE_HOME: join(work, 'home') } });

describe('turbulence report', () => {
  it(
    'writes HTML and Markdown from journals, and Markdown to stdout without --out',
    { timeout: cliTimeout(3) },
    async () => {
      copyFileSync(join(FIXTURES, 'turbulence-journal.json'), join(work, 'ours.json'));
      copyFileSync(join(FIXTURES, 'chaostoolkit-journal.json'), join(work, 'ctk.json'));
      const html = await turbulence(['report', 'ours.json', 'ctk.json', '--out', 'r.html']);
      expect(html.stdout).toBe('report: r.html (2 run(s): stopped (75), failed (50))\n');
      expect(html.code).toBe(0);
      expect(readFileSync(join(work, 'r.html'), 'utf8')).toContain('Comparison of 2 runs');
      const md = await turbulence(['report', 'ctk.json']);
      expect(md.code).toBe(0);
      expect(md.stdout.split('\n')[0]).toBe(
        '## ✘ DEVIATED: What is the impact of an expired certificate on our application chain?',
      );
      const bad = await turbulence(['report', 'ours.json', '--out', 'r.pdf']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('cannot tell the report format of r.pdf');
    },
  );

  it(
    'refuses a truncated journal and a file that is not a journal, exit 2, nothing written',
    { timeout: cliTimeout(2) },
    async () => {
      writeFileSync(
        join(work, 'cut.json'),
        readFileSync(join(FIXTURES, 'turbulence-journal.json'), 'utf8').slice(0, 300),
      );
      const cut = await turbulence(['report', 'cut.json', '--out', 'cut.html']);
      expect(cut.code).toBe(2);
      expect(cut.stderr).toMatch(/cut\.json:\d+:\d+: truncated JSON/);
      writeFileSync(join(work, 'exp.json'), '{"title": "t", "method": []}');
      const notJournal = await turbulence(['report', 'exp.json', '--out', 'exp.html']);
      expect(notJournal.code).toBe(2);
      expect(notJournal.stderr).toContain('exp.json: not a journal: it has no experiment, start, run');
      expect(() => readFileSync(join(work, 'exp.html'))).toThrow();
    },
  );

  it('run --report writes the report when the run ends', { timeout: cliTimeout(1) }, async () => {
    writeFileSync(
      join(work, 'exp.yaml'),
      [
        'title: node starts',
        'description: the smallest run',
        'steady-state-hypothesis:',
        '  title: node runs',
        '  probes:',
        '    - {type: probe, name: node-exits-0, tolerance: 0, provider: {type: process, path: node, arguments: ["-e", "0"]}}',
        'method:',
        '  - {type: probe, name: node-version, provider: {type: process, path: node, arguments: ["--version"]}}',
        '',
      ].join('\n'),
    );
    const run = await turbulence(['run', 'exp.yaml', '--report', 'run.md', '--seed', '5']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('journal: ./journal.json, report: run.md');
    const md = readFileSync(join(work, 'run.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('## ✔ PASSED: node starts');
    expect(md).toContain('replay: `turbulence run EXPERIMENT --seed 5`');
  });
});
