/**
 * @module Command lines that are safe to store: the ledger records who injected a fault (`owner.cmd`), and a
 * `--var db_password=hunter2` must not end up in plain text under `~/.turbulence`.
 */

/** Flags whose value is secret as a whole. */
const WHOLE = new Set(['--var-file', '--api-token', '--token']);
/** Flags whose value is `key=value`: the key stays, the value goes. */
const KEYED = new Set(['--var']);
const MASK = '***';

const maskKeyed = (value: string): string => {
  const eq = value.indexOf('=');
  return eq < 0 ? MASK : `${value.slice(0, eq)}=${MASK}`;
};

/**
 * Replaces the values of `--var` (keeping the key), `--var-file`, `--api-token` and `--token` with `***`, in both
 * the `--flag value` and the `--flag=value` forms.
 *
 * @example
 * redactArgv(['node', 'turbulence', 'run', 'x.yaml', '--var', 'db_password=hunter2']);
 * // ['node', 'turbulence', 'run', 'x.yaml', '--var', 'db_password=***']
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (eq > 0 && (WHOLE.has(flag) || KEYED.has(flag))) {
      out.push(`${flag}=${WHOLE.has(flag) ? MASK : maskKeyed(arg.slice(eq + 1))}`);
    } else if ((WHOLE.has(arg) || KEYED.has(arg)) && i + 1 < argv.length) {
      out.push(arg, WHOLE.has(arg) ? MASK : maskKeyed(argv[i + 1] as string));
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
