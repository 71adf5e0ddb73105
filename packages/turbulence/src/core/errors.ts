/**
 * One error class for the whole toolkit. Every error carries a stable code (part of the public contract:
 * scripts and the HTTP edge match on it), a message that says what is wrong, an optional location
 * (`file:line:col` or a field path) and a hint that says what to do about it.
 *
 * The CLI maps codes to exit codes with {@link exitCodeFor}; nothing else branches on messages.
 */

/** Stable error codes. Append only; never rename. */
export const ErrorCodes = {
  /** A file or object is not a valid experiment (schema, semantics). */
  EXPERIMENT_INVALID: 'TURB_ERR_EXPERIMENT_INVALID',
  /** A file could not be read, fetched or parsed. */
  LOAD_FAILED: 'TURB_ERR_LOAD_FAILED',
  /** Command-line usage error (unknown flag, bad value). */
  USAGE: 'TURB_ERR_USAGE',
  /** A configuration or secret could not be resolved. */
  CONFIGURATION: 'TURB_ERR_CONFIGURATION',
  /** A provider call failed (the activity fails, the run goes on). */
  ACTIVITY_FAILED: 'TURB_ERR_ACTIVITY_FAILED',
  /** A fault kind is unknown to the registry. */
  FAULT_UNKNOWN_KIND: 'TURB_ERR_FAULT_UNKNOWN_KIND',
  /** Parameters of a fault do not match its kind's schema. */
  FAULT_INVALID_PARAMS: 'TURB_ERR_FAULT_INVALID_PARAMS',
  /** A fault could not be injected. */
  FAULT_INJECT_FAILED: 'TURB_ERR_FAULT_INJECT_FAILED',
  /** A fault could not be reverted. */
  FAULT_REVERT_FAILED: 'TURB_ERR_FAULT_REVERT_FAILED',
  /** A fault cannot run on this machine (missing root, kernel feature, tool). */
  FAULT_UNSUPPORTED: 'TURB_ERR_FAULT_UNSUPPORTED',
  /** A selector matched no target, or a target is forbidden (PID 1, ourselves). */
  TARGET_REFUSED: 'TURB_ERR_TARGET_REFUSED',
  /** A run would exceed its blast radius. */
  BLAST_RADIUS: 'TURB_ERR_BLAST_RADIUS',
  /** The ledger file is unreadable or could not be written. */
  LEDGER: 'TURB_ERR_LEDGER',
  /** The run was interrupted (SIGINT, SIGTERM, a control). */
  INTERRUPTED: 'TURB_ERR_INTERRUPTED',
  /** A timeout elapsed. */
  TIMEOUT: 'TURB_ERR_TIMEOUT',
  /** An operation that needs something missing here (python3, a module, a binary). */
  UNAVAILABLE: 'TURB_ERR_UNAVAILABLE',
  /** A bug: an invariant did not hold. */
  INTERNAL: 'TURB_ERR_INTERNAL',
  /** A monkey schedule (or a kube-monkey / Chaos Monkey config read as one) is not valid. */
  SCHEDULE_INVALID: 'TURB_ERR_SCHEDULE_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Where an error points: a file position and/or a path of keys inside a document. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Path of keys from the document root, e.g. `['method', 2, 'provider', 'url']`. */
  path?: readonly (string | number)[];
}

export interface TurbulenceErrorOptions {
  location?: ErrorLocation;
  hint?: string;
  cause?: unknown;
  /** More errors of the same kind (validation reports all of them). */
  details?: readonly TurbulenceError[];
}

/**
 * The base error of turbulence.
 *
 * @example
 * throw new TurbulenceError(ErrorCodes.USAGE, '--seed must be an integer', { hint: 'pass e.g. --seed 42' });
 */
export class TurbulenceError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation | undefined;
  readonly hint: string | undefined;
  readonly details: readonly TurbulenceError[];

  constructor(code: ErrorCode, message: string, options: TurbulenceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TurbulenceError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  /** `file:line:col` (or the key path) followed by the message and hint, one line each. */
  format(): string {
    const where = formatLocation(this.location);
    const head = where ? `${where}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      location: this.location,
      hint: this.hint,
      details: this.details.map((d) => d.toJSON()),
    };
  }
}

/** Renders a location as `file:line:col (at a.b[2])`, or `''` when there is nothing to say. */
export function formatLocation(location: ErrorLocation | undefined): string {
  if (!location) return '';
  let out = location.file ?? '';
  if (location.line !== undefined) out += `${out ? ':' : 'line '}${location.line}`;
  if (location.line !== undefined && location.column !== undefined) out += `:${location.column}`;
  if (location.path && location.path.length > 0) {
    const p = formatPath(location.path);
    out = out ? `${out} (at ${p})` : p;
  }
  return out;
}

/** `['method', 2, 'provider']` → `method[2].provider`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** True when `err` is a {@link TurbulenceError}, optionally with the given code. */
export function isTurbulenceError(err: unknown, code?: ErrorCode): err is TurbulenceError {
  return err instanceof TurbulenceError && (code === undefined || err.code === code);
}

/** Process exit codes of the CLI. */
export const ExitCodes = {
  OK: 0,
  /** Deviated, failed or aborted. */
  FAILED: 1,
  /** Invalid experiment or usage. */
  INVALID: 2,
  /** Interrupted by a signal (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

/** The exit code the CLI uses for an error that escaped a command. */
export function exitCodeFor(err: unknown): number {
  if (!isTurbulenceError(err)) return ExitCodes.FAILED;
  switch (err.code) {
    case ErrorCodes.EXPERIMENT_INVALID:
    case ErrorCodes.LOAD_FAILED:
    case ErrorCodes.USAGE:
    case ErrorCodes.CONFIGURATION:
    case ErrorCodes.FAULT_UNKNOWN_KIND:
    case ErrorCodes.FAULT_INVALID_PARAMS:
    case ErrorCodes.SCHEDULE_INVALID:
      return ExitCodes.INVALID;
    case ErrorCodes.INTERRUPTED:
      return ExitCodes.INTERRUPTED;
    default:
      return ExitCodes.FAILED;
  }
}

/** Message of any thrown value, for places that must not throw while reporting. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
