/**
 * Writing a report: the format follows the file extension (`.html`/`.htm` or `.md`/`.markdown`), and `run --report`
 * writes one when the run finishes (a listener, like JUnit).
 */
import { extname } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import { writeFileAtomic } from '../os/atomic.js';
import type { RunEvents } from '../experiment/events.js';
import { buildRunModel, type RunModel } from './model.js';
import { reportHtml } from './html.js';
import { reportMarkdown } from './markdown.js';
import type { MonkeyModel } from './monkey.js';
import { monkeyMarkdown } from './monkey-render.js';

export type ReportFormat = 'html' | 'md';

/**
 * The format of a report path, from its extension.
 *
 * @example
 * reportFormatOf('out/report.md'); // 'md'
 */
export function reportFormatOf(path: string): ReportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown') return 'md';
  throw new TurbulenceError(
    ErrorCodes.USAGE,
    `cannot tell the report format of ${path} from "${ext || '(no extension)'}"`,
    {
      hint: 'end the path with .html (a self-contained page) or .md (GitHub-flavoured Markdown)',
    },
  );
}

/** The report text of `runs` (and monkey logs, drawn as multi-day timelines) in `format`. */
export function renderReport(runs: RunModel[], format: ReportFormat, monkeys: readonly MonkeyModel[] = []): string {
  if (format === 'html') return reportHtml(runs, { monkeys });
  return [...(runs.length > 0 ? [reportMarkdown(runs)] : []), ...monkeys.map(monkeyMarkdown)].join('\n');
}

/**
 * Subscribes to `events`; when the run finishes, writes its report to `path` (format from the extension, checked
 * now). `flush()` waits for the file and rethrows a write error.
 *
 * @example
 * const report = writeReportOnFinish(events, 'report.html');
 * await runExperiment(experiment, { events });
 * await report.flush();
 */
export function writeReportOnFinish(events: RunEvents, path: string, source = 'journal'): { flush(): Promise<void> } {
  const format = reportFormatOf(path);
  let written: Promise<void> = Promise.resolve();
  events.on((e) => {
    if (e.type !== 'run.finished') return;
    const run = buildRunModel(JSON.parse(JSON.stringify(e.journal)) as unknown, source);
    written = writeFileAtomic(path, renderReport([run], format), 0o644);
  });
  return { flush: () => written };
}
