/**
 * @module ESM loader hooks (registered by the register hook with `module.register`) that wrap the exported
 * functions of selected application modules. A selected module `file:///app/src/store.js` is served as a facade:
 *
 *   import * as o from 'file:///app/src/store.js?turbulence-original';
 *   export * from 'file:///app/src/store.js?turbulence-original';
 *   export const commit = wrapExport('src/store.js', 'commit', o.commit);
 *
 * Only ES modules under the working directory and outside node_modules are considered; CommonJS modules are not.
 */
import { globMatch } from './glob.js';
import { scanExports } from './exports-scan.js';

/** What the register hook passes to the loader thread. */
export interface LoaderData {
  /** `file:///app/` (with the trailing slash). */
  cwdUrl: string;
  /** Globs of module paths relative to the working directory, e.g. `src/**`. */
  modules: string[];
  /** URL of app-exports.js. */
  runtimeUrl: string;
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

const MARK = 'turbulence-original';
let data: LoaderData = { cwdUrl: 'file:///nowhere/', modules: [], runtimeUrl: '' };

/** Receives {@link LoaderData} from `module.register`. */
export function initialize(d: LoaderData): void {
  data = d;
}

function selected(url: string): string | undefined {
  if (!url.startsWith(data.cwdUrl) || url.includes('/node_modules/') || url.includes(MARK)) return undefined;
  const rel = decodeURIComponent((url.slice(data.cwdUrl.length).split('?')[0] ?? '').split('#')[0] ?? '');
  return data.modules.some((g) => globMatch(g.replace(/^\.\//, ''), rel)) ? rel : undefined;
}

/** Serves the facade for selected modules; everything else loads as usual. */
export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const rel = selected(url);
  if (rel === undefined) return nextLoad(url, context);
  const loaded = await nextLoad(url, context);
  if (loaded.format !== 'module' || loaded.source == null) return loaded;
  const source =
    typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString('utf8');
  const { names, hasDefault } = scanExports(source);
  const original = JSON.stringify(`${url}${url.includes('?') ? '&' : '?'}${MARK}`);
  const lines = [
    `import * as __o from ${original};`,
    `import { wrapExport as __w } from ${JSON.stringify(data.runtimeUrl)};`,
    `export * from ${original};`,
    ...names.map((n) => `export const ${n} = __w(${JSON.stringify(rel)}, ${JSON.stringify(n)}, __o.${n});`),
  ];
  if (hasDefault) lines.push(`export default __w(${JSON.stringify(rel)}, 'default', __o.default);`);
  return { format: 'module', source: lines.join('\n'), shortCircuit: true };
}
