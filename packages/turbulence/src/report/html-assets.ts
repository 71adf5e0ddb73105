/**
 * The report's inline CSS and script (kept apart from the markup so each stays short). The timeline's classes are
 * styled here; the dashboard imports {@link TIMELINE_CSS} so the chart looks the same in both.
 */

/** Styles of the timeline SVG (bands, hatching, probe lines, markers) for light and dark themes. */
export const TIMELINE_CSS = `
.timeline{font:12px system-ui,sans-serif;background:var(--panel);border:1px solid var(--line);border-radius:6px}
.timeline .tick{stroke:var(--line);stroke-width:1}
.timeline .tick-label,.timeline .axis-value{fill:var(--muted)}
.timeline .row-label{fill:var(--fg)}
.timeline .band-fill{fill:var(--band)}
.timeline .band-hatch{stroke:var(--band-ink);stroke-width:2.5}
.timeline .fault-band{stroke:var(--band-ink);stroke-width:1.2}
.timeline .not-reverted .fault-band{stroke-dasharray:4 3;stroke-width:2}
.timeline .band-label{fill:var(--fg);font-weight:600;paint-order:stroke;stroke:var(--panel);stroke-width:3px}
.timeline .activity{fill:var(--muted)}
.timeline .activity-rollback{fill:var(--accent)}
.timeline .probe-line{fill:none;stroke:var(--accent);stroke-width:1.5}
.timeline .probe-point{fill:var(--accent);stroke:var(--accent);stroke-width:2}
.timeline .probe-point.failed{stroke:var(--bad);stroke-width:2.5}
.timeline .tolerance-bound{stroke:var(--muted);stroke-dasharray:6 4}
.timeline .marker line{stroke:var(--bad);stroke-width:2;stroke-dasharray:2 2}
.timeline .marker text{fill:var(--bad);font-weight:600}
.timeline [tabindex]:focus{outline:2px solid var(--focus);outline-offset:1px}
.timeline .monkey-skipped{fill:var(--panel);stroke:var(--muted);stroke-width:1.5}
.timeline .monkey-pending{fill:var(--muted)}
.timeline .monkey-leashed{fill:none;stroke:var(--band-ink);stroke-width:1.5}
`;

/** Theme variables (light by default, dark by preference or by the theme switch). */
export const THEME_CSS = `
:root{--bg:#fff;--fg:#1b1f24;--muted:#5b636e;--panel:#f7f8fa;--line:#d5d9de;--band:#ffe2b8;--band-ink:#9a5b00;
--accent:#1f5fbf;--bad:#b3261e;--good:#1e7b34;--warn:#8a5a00;--focus:#6b3fd4;color-scheme:light}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#14171b;--fg:#e6e9ed;--muted:#9aa3ad;
--panel:#1c2026;--line:#333a43;--band:#4a3516;--band-ink:#f0b45a;--accent:#7fb0ff;--bad:#ff8a80;--good:#7ee29a;
--warn:#ffd27a;--focus:#c3a6ff;color-scheme:dark}}
:root[data-theme=dark]{--bg:#14171b;--fg:#e6e9ed;--muted:#9aa3ad;--panel:#1c2026;--line:#333a43;--band:#4a3516;
--band-ink:#f0b45a;--accent:#7fb0ff;--bad:#ff8a80;--good:#7ee29a;--warn:#ffd27a;--focus:#c3a6ff;color-scheme:dark}
`;

export const REPORT_CSS = `${THEME_CSS}${TIMELINE_CSS}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,sans-serif}
header,main,footer{max-width:1100px;margin:0 auto;padding:12px 20px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:12px}header h1{flex:1;font-size:1.4em;margin:8px 0}
.meta{flex-basis:100%;margin:0;color:var(--muted)}
#theme{font:inherit;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:4px 10px;cursor:pointer}
#theme:focus,a:focus{outline:2px solid var(--focus)}
a{color:var(--accent)}
.run,.comparison{border-top:2px solid var(--line);padding-top:8px;margin-top:16px}
.verdict{font-weight:700;padding:1px 8px;border-radius:4px;border:1px solid currentColor}
.verdict.passed{color:var(--good)}.verdict.failed{color:var(--bad)}.verdict.stopped{color:var(--warn)}.verdict.notrun{color:var(--muted)}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dl.summary dt{color:var(--muted)}dl.summary dd{margin:0}
figure{margin:0}figcaption,.note,.empty{color:var(--muted);font-size:.92em}.detail{min-height:1.4em;font-family:ui-monospace,monospace}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.93em}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:var(--panel)}
code{font-family:ui-monospace,monospace;font-size:.95em}code.output{word-break:break-all}
pre{margin:0;white-space:pre-wrap;font-size:.92em}
@media (max-width:800px){dl.summary{grid-template-columns:1fr}}
`;

/** Hover/focus on a timeline mark shows its `<title>` under the chart; the theme button flips the theme. */
export const REPORT_SCRIPT = `
(function(){
  function show(ev){var el=ev.target.closest&&ev.target.closest('[tabindex],rect,circle,path,text');if(!el)return;
    var t=el.querySelector(':scope > title');var fig=el.closest('figure');if(!t||!fig)return;
    var d=fig.querySelector('.detail');if(d)d.textContent=t.textContent;}
  document.addEventListener('mouseover',show);document.addEventListener('focusin',show);
  var b=document.getElementById('theme');var root=document.documentElement;
  if(b)b.addEventListener('click',function(){var dark=root.dataset.theme?root.dataset.theme==='dark':matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme=dark?'light':'dark';});
})();
`;
