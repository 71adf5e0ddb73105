/**
 * The one error mapper of the control APIs: whatever a handler or fastify throws becomes `{error, status}` (the
 * shape Toxiproxy's clients parse) with the right HTTP status, plus `code`, `hint` and `details` for turbulence's
 * own errors.
 */
import { ErrorCodes, isTurbulenceError, type ErrorCode } from '../core/errors.js';

/** An error with the HTTP status it answers with (and an optional hint, sent as `hint`). */
export class ControlError extends Error {
  readonly status: number;
  readonly hint: string | undefined;
  constructor(message: string, status: number, hint?: string) {
    super(message);
    this.name = 'ControlError';
    this.status = status;
    this.hint = hint;
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: string;
  status: number;
  code?: string;
  hint?: string;
  details?: string[];
}

/** HTTP status of each turbulence error code a handler may throw; anything else is a 500. */
const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.USAGE]: 400,
  [ErrorCodes.EXPERIMENT_INVALID]: 400,
  [ErrorCodes.CONFIGURATION]: 400,
  [ErrorCodes.FAULT_UNKNOWN_KIND]: 400,
  [ErrorCodes.FAULT_INVALID_PARAMS]: 400,
  [ErrorCodes.FAULT_UNSUPPORTED]: 400,
  [ErrorCodes.TARGET_REFUSED]: 403,
  [ErrorCodes.BLAST_RADIUS]: 403,
  [ErrorCodes.TIMEOUT]: 504,
  [ErrorCodes.UNAVAILABLE]: 503,
};

/** Messages of fastify's own errors, worded for an API user (fastify's `code` is kept). */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request body too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content type: send application/json',
  FST_ERR_BAD_URL: 'malformed URL: a % escape in the path is not valid',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad request body: EOF',
};

/**
 * Maps any thrown value to a status and an `{error, status}` body.
 *
 * @example
 * const { status, body } = errorReply(new ControlError('proxy not found', 404));
 * // status 404, body { error: 'proxy not found', status: 404 }
 */
export function errorReply(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ControlError) {
    const answer = reply(err.status, err.message);
    if (err.hint) answer.body.hint = err.hint;
    return answer;
  }
  if (isTurbulenceError(err)) {
    const status = STATUS_OF_CODE[err.code] ?? 500;
    const body: ErrorBody = { error: err.message, status, code: err.code };
    if (err.hint) body.hint = err.hint;
    if (err.details.length > 0) body.details = err.details.map((d) => d.format());
    return { status, body };
  }
  const fastify = err as { statusCode?: unknown; code?: unknown; message?: unknown; validation?: unknown };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 600) {
    const code = typeof fastify.code === 'string' ? fastify.code : undefined;
    const message = (code && FASTIFY_MESSAGES[code]) ?? String(fastify.message);
    const body = reply(fastify.statusCode, fastify.validation ? `invalid request: ${message}` : message).body;
    if (code) body.code = code;
    return { status: fastify.statusCode, body };
  }
  return reply(500, err instanceof Error ? err.message : String(err));
}

function reply(status: number, error: string): { status: number; body: ErrorBody } {
  return { status, body: { error, status } };
}
