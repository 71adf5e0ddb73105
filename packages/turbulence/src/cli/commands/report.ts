/**
 * `turbulence report JOURNAL... [--out report.html|report.md]`: a report a person reads at a glance, from one or
 * more journals (turbulence's or Chaos Toolkit's). Several journals add a comparison.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../os/atomic.js';
import { readReportInputs } from '../../report/read.js';
import { renderReport, reportFormatOf } from '../../report/write.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('turn journals into a self-contained HTML report or a Markdown summary for pull requests')
    .argument(
      '<journal...>',
      'journal.json files (turbulence or Chaos Toolkit; several give a comparison), or monkey logs (events.jsonl or the monkey directory: a multi-day timeline)',
    )
    .option('--out <path>', 'write the report here: .html (one self-contained page) or .md (GitHub Markdown)')
    .addHelpText(
      'after',
      `
Without --out the Markdown report goes to standard output.
The HTML page needs no network: styles, the timeline (SVG) and its few lines of script are inline.
Scores: passed 100, stopped/expired 75, failed 50, not run 0 (Gremlin); probe success = tolerance checks met (Litmus).

Exit codes: 0 written; 2 a file is not a journal, is truncated, or the --out extension is unknown.

Examples:
  turbulence report journal.json --out report.html
  turbulence report runs/*.json --out comparison.html
  turbulence report journal.json --out summary.md   # paste into a PR comment (under 65,536 characters)
  turbulence report ~/.turbulence/monkey/my-schedule --out monkey.html   # a monkey's days as one timeline`,
    )
    .action(async (journals: string[], flags: { out?: string }) => {
      const format = flags.out === undefined ? 'md' : reportFormatOf(flags.out);
      const { runs, monkeys } = await readReportInputs(journals);
      const text = renderReport(runs, format, monkeys);
      for (const run of runs) for (const note of run.notes) process.stderr.write(`note: ${run.source}: ${note}\n`);
      if (flags.out === undefined) process.stdout.write(text);
      else {
        await writeFileAtomic(flags.out, text, 0o644);
        const verdicts = runs.map((r) => `${r.score.outcome} (${r.score.value})`).join(', ');
        const logs = monkeys.length ? `, ${monkeys.length} monkey log(s)` : '';
        process.stdout.write(`report: ${flags.out} (${runs.length} run(s): ${verdicts}${logs})\n`);
      }
    });
}
