/**
 * The verdicts of foreign formats where people look: a LitmusChaos engine's ChaosResult-style verdicts (verdict,
 * probeSuccessPercentage, failStep, probe statuses) and resilience score, and a PowerfulSeal policy's scenario
 * runs, as JUnit test cases and as a section of the HTML and Markdown reports. Read from the journal (`litmus`
 * written by `turbulence run` for a ChaosEngine; `run[]` records of the `powerfulseal` provider).
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One row of the foreign verdicts of a run. */
export interface ForeignVerdict {
  /** `litmus` (one fault of the engine), `litmus-probe` (one probe), `powerfulseal` (one scenario run). */
  source: 'litmus' | 'litmus-probe' | 'powerfulseal';
  name: string;
  /** Pass, Fail, Stopped, Error (Litmus); Passed, Failed, N/A (probes); passed, failed (PowerfulSeal). */
  verdict: string;
  ok: boolean;
  detail: string;
}

/** The foreign verdicts of a run and the Litmus resilience score, when the journal has any. */
export interface ForeignVerdicts {
  rows: ForeignVerdict[];
  /** The engine's resilience score (percent), for a Litmus run. */
  resilienceScore: number | null;
}

/** Reads them from a journal (any JSON value; what it lacks is skipped). */
export function foreignVerdicts(journal: unknown): ForeignVerdicts {
  const rows: ForeignVerdict[] = [];
  let resilienceScore: number | null = null;
  if (!isObj(journal)) return { rows, resilienceScore };
  const litmus = journal.litmus;
  if (isObj(litmus)) {
    resilienceScore = typeof litmus.resilienceScore === 'number' ? litmus.resilienceScore : null;
    for (const r of Array.isArray(litmus.results) ? litmus.results : []) {
      if (!isObj(r)) continue;
      rows.push({
        source: 'litmus',
        name: s(r.fault),
        verdict: s(r.verdict),
        ok: r.verdict === 'Pass',
        detail: `probeSuccessPercentage ${s(r.probeSuccessPercentage)}; failStep ${s(r.failStep)}`,
      });
      for (const p of Array.isArray(r.probeStatuses) ? r.probeStatuses : []) {
        if (!isObj(p)) continue;
        const phases = isObj(p.status) ? Object.entries(p.status).map(([k, v]) => `${k}: ${s(v)}`) : [];
        rows.push({
          source: 'litmus-probe',
          name: `${s(r.fault)} / ${s(p.name)} (${s(p.type)}, ${s(p.mode)})`,
          verdict: p.passed === true ? 'Passed' : 'Failed',
          ok: p.passed === true,
          detail: [phases.join(', '), s(p.failure)].filter(Boolean).join('; '),
        });
      }
    }
  }
  for (const rec of Array.isArray(journal.run) ? journal.run : []) {
    if (!isObj(rec) || !isObj(rec.activity) || !isObj(rec.activity.provider)) continue;
    if (rec.activity.provider.type !== 'powerfulseal') continue;
    const out = isObj(rec.output) ? rec.output : {};
    const steps = Array.isArray(out.steps) ? out.steps.filter(isObj) : [];
    const killed = steps.reduce((n, st) => n + (Array.isArray(st.killed) ? st.killed.length : 0), 0);
    const ok = rec.status === 'succeeded';
    rows.push({
      source: 'powerfulseal',
      name: `scenario ${s(out.scenario) || s(rec.activity.name)}`,
      verdict: ok ? 'passed' : 'failed',
      ok,
      detail: ok
        ? `${steps.length} step(s), ${killed} pod(s) killed`
        : (Array.isArray(rec.exception) ? rec.exception.map(s).join('') : '').trim() || 'the scenario failed',
    });
  }
  return { rows, resilienceScore };
}

/** JUnit test cases (one per Litmus fault, probe and PowerfulSeal scenario run), for `report/junit.ts`. */
export function verdictCases(
  journal: unknown,
  title: string,
): { name: string; classname: string; time: number; failure?: string }[] {
  const v = foreignVerdicts(journal);
  const cases = v.rows.map((r) => ({
    name: `${r.source === 'powerfulseal' ? '' : 'litmus '}${r.name}: ${r.verdict}`,
    classname: `${title}.${r.source}`,
    time: 0,
    ...(r.ok ? {} : { failure: r.detail }),
  }));
  if (v.resilienceScore !== null) {
    cases.push({
      name: `litmus resilience score: ${v.resilienceScore}%`,
      classname: `${title}.litmus`,
      time: 0,
      ...(v.resilienceScore === 100 ? {} : { failure: `resilience score ${v.resilienceScore}% (below 100%)` }),
    });
  }
  return cases;
}

const esc = (t: string) =>
  t.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The HTML section (empty when the run has no foreign verdicts), for `report/html.ts`. */
export function verdictsHtml(v: ForeignVerdicts | undefined): string {
  if (!v || v.rows.length === 0) return '';
  const score =
    v.resilienceScore === null ? '' : `<p>Litmus resilience score: <strong>${v.resilienceScore}%</strong></p>`;
  const rows = v.rows
    .map(
      (r) =>
        `<tr><td>${esc(r.source)}</td><td>${esc(r.name)}</td><td>${r.ok ? '✔' : '✘'} ${esc(r.verdict)}</td><td>${esc(r.detail)}</td></tr>`,
    )
    .join('');
  return (
    `<h3>Verdicts (Litmus / PowerfulSeal)</h3>${score}<div class="scroll"><table><thead><tr>` +
    `<th scope="col">From</th><th scope="col">Name</th><th scope="col">Verdict</th><th scope="col">Detail</th>` +
    `</tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

/** The Markdown lines (none when the run has no foreign verdicts), for `report/markdown.ts`. */
export function verdictsMarkdown(v: ForeignVerdicts | undefined): string[] {
  if (!v || v.rows.length === 0) return [];
  const cell = (t: string) =>
    t
      .replace(/\s+/g, ' ')
      .replace(/\|/g, '\\|')
      .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
  return [
    '',
    `**Verdicts (Litmus / PowerfulSeal)**${v.resilienceScore === null ? '' : ` · Litmus resilience score ${v.resilienceScore}%`}`,
    '',
    '| From | Name | Verdict | Detail |',
    '| --- | --- | --- | --- |',
    ...v.rows.map((r) => `| ${r.source} | ${cell(r.name)} | ${r.ok ? '✔' : '✘'} ${r.verdict} | ${cell(r.detail)} |`),
  ];
}
