// `node --import ./record-imports.mjs ...`: appends the URL of every module the program loads (ESM and CommonJS
// through import) to the file named by TURBULENCE_RECORD_IMPORTS. Used by cli-start.test.ts.
import { register } from 'node:module';

const file = process.env.TURBULENCE_RECORD_IMPORTS;
if (file) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    let out;
    export function initialize(data) { out = data.file; }
    export async function load(url, context, next) {
      appendFileSync(out, url + '\\n');
      return next(url, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file } });
}
