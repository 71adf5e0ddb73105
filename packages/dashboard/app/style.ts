/** The dashboard's own layout (theme variables and timeline styles come from the report). */
export const APP_CSS = `
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,sans-serif}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--panel);padding:4px}
header{display:flex;flex-wrap:wrap;align-items:center;gap:12px;padding:8px 16px;border-bottom:1px solid var(--line)}
header h1{font-size:1.2em;margin:0 12px 0 0}
nav[aria-label=views]{display:flex;gap:4px;flex:1}
button{font:inherit;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:4px 10px;cursor:pointer}
button[aria-current]{border-color:var(--accent);font-weight:700;text-decoration:underline}
button:focus-visible{outline:2px solid var(--focus);outline-offset:1px}
button.danger{border-color:var(--bad);color:var(--bad);font-weight:700}
button:disabled{opacity:.6;cursor:default}
#fault-count{display:inline-block;min-width:1.4em;text-align:center;border:1px solid currentColor;border-radius:8px;font-size:.85em}
main{padding:8px 16px;max-width:1400px;margin:0 auto}
.runs{display:grid;grid-template-columns:minmax(220px,300px) 1fr;gap:16px}
#run-list ul{list-style:none;padding:0;margin:0}#run-list li{margin:2px 0}
#run-list button{width:100%;text-align:left;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#run-list button[aria-current]{border-color:var(--accent)}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left}
.empty,figcaption{color:var(--muted)}figure{margin:0}
#arena{max-width:100%;height:auto;border:1px solid var(--line);cursor:crosshair}
#shoot-buttons{display:flex;gap:8px;flex-wrap:wrap;margin-top:8px}
fieldset{display:flex;flex-wrap:wrap;gap:8px 16px;border:1px solid var(--line)}
input,select{font:inherit;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:3px;padding:2px 4px}
input:focus,select:focus{outline:2px solid var(--focus)}
#message{min-height:1.4em;font-family:ui-monospace,monospace}
@media (max-width:900px){.runs{grid-template-columns:1fr}}
`;
