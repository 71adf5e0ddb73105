/**
 * Python's `str()` and `json.dumps()` for JSON values, so text built from values reads as it does under Chaos
 * Toolkit: process argv items (`str(p)`, chaoslib/provider/process.py), form fields, `${...}` substituted inside
 * a longer string (`string.Template` calls `str()`), and JSON request bodies (requests' `json=`).
 */

/**
 * Python `repr()` of a float given as a JS number that is not an integer: shortest digits, exponent form when the
 * decimal exponent is below -4 or at least 16 (`1e-05`, `1e+16`), `inf`, `nan`.
 *
 * @example
 * pyFloat(0.00001); // '1e-05'
 */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const sign = e < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  // JavaScript prints fixed notation for exponents -6..20, so -4..15 reads the same in both.
  return Number.isInteger(n) ? `${String(n)}.0` : String(n);
}

/** Python `repr()` of a str: single quotes unless the text holds a `'` and no `"`. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function pyReprValue(v: unknown): string {
  if (typeof v === 'string') return pyRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyReprValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyRepr(k)}: ${pyReprValue(x)}`)
      .join(', ')}}`;
  }
  return pyStr(v);
}

/**
 * Python's `str()` of a JSON value: `True`, `False`, `None`, dicts and lists as Python prints them
 * (`{'a': 1, 'b': [True, None]}`), non-integer numbers as Python floats (`0.5`, `1e-05`).
 *
 * A whole number is printed as an int (`2`): after JSON or YAML parsing JavaScript cannot tell `2.0` from `2`,
 * so a float that happens to be whole reads `2` where Python says `2.0` (see docs/running.md "Differences").
 *
 * @example
 * pyStr({ a: 1, b: [true, null] }); // "{'a': 1, 'b': [True, None]}"
 */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  // JSON writes whole numbers below 1e21 without an exponent, so Python reads them as ints.
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : pyFloat(v);
  return pyReprValue(v);
}

/**
 * Python `json.dumps(value)` with its defaults, as requests sends a `json=` body: `", "` and `": "` separators,
 * non-ASCII characters escaped as `\uXXXX`.
 *
 * @example
 * pyJsonDumps({ a: 1, b: 'é' }); // '{"a": 1, "b": "\\u00e9"}'
 */
export function pyJsonDumps(v: unknown): string {
  const ascii = (s: string): string =>
    JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const enc = (x: unknown): string => {
    if (typeof x === 'string') return ascii(x);
    if (Array.isArray(x)) return `[${x.map(enc).join(', ')}]`;
    if (x !== null && typeof x === 'object') {
      return `{${Object.entries(x as Record<string, unknown>)
        .filter(([, val]) => val !== undefined)
        .map(([k, val]) => `${ascii(k)}: ${enc(val)}`)
        .join(', ')}}`;
    }
    if (typeof x === 'number' && !Number.isInteger(x)) return pyFloat(x);
    return JSON.stringify(x ?? null);
  };
  return enc(v);
}
