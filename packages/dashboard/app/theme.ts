// The report's theme variables and timeline styles: one home (src/report/html-assets.ts), shared with the report.
export {
  THEME_CSS as REPORT_CSS_VARS,
  TIMELINE_CSS as TIMELINE_STYLE,
} from '../../turbulence/src/report/html-assets.js';
