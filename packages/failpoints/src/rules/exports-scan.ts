/**
 * @module Finds the export names of an ES module's source without a parser (the package has no dependencies).
 * It understands `export function|class|const|let|var NAME`, `export { a, b as c }` (with or without `from`) and
 * `export default`. It does not see `export * from`, destructured exports (`export const { a } = o`) or names
 * inside strings that look like exports: such exports are passed through unwrapped.
 */

/** Export names found in `source`, and whether it has a default export. */
export interface ScannedExports {
  names: string[];
  hasDefault: boolean;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

/**
 * @example
 * scanExports('export async function commit() {}\nexport { a as b }'); // { names: ['commit', 'b'], hasDefault: false }
 */
export function scanExports(source: string): ScannedExports {
  const text = stripComments(source);
  const names = new Set<string>();
  for (const m of text.matchAll(/\bexport\s+(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/g))
    names.add(m[1] as string);
  for (const m of text.matchAll(/\bexport\s+(?:const|let|var|class)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1] as string);
  for (const m of text.matchAll(/\bexport\s*\{([^}]*)\}/g)) {
    for (const part of (m[1] as string).split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name && /^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
    }
  }
  const hasDefault = /\bexport\s+default\b/.test(text) || names.has('default');
  names.delete('default');
  return { names: [...names], hasDefault };
}
