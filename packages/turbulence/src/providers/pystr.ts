/**
 * Python's `str()` for JSON values, so process argv items and form fields read as they do under Chaos Toolkit:
 * `true` → `True`, `null` → `None`, objects and lists as JSON.
 *
 * @example
 * pyStr(true); // 'True'
 */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}
