/**
 * Errors of the proxy API. Each carries the HTTP status Toxiproxy uses and serialises as `{error, status}`;
 * the messages are Toxiproxy's own where clients or tests may match on them.
 */

import { ControlError } from '../control/errors.js';

/** An API error with its HTTP status (the control layer's error mapper answers it as `{error, status}`). */
export class ApiError extends ControlError {
  constructor(message: string, status: number) {
    super(message, status);
    this.name = 'ApiError';
  }
}

/** A 400 `bad request body: ...` error. */
export function badBody(reason: string): ApiError {
  return new ApiError(`bad request body: ${reason}`, 400);
}

/** 404 `proxy not found`. */
export const proxyNotFound = (): ApiError => new ApiError('proxy not found', 404);
/** 409 `proxy already exists`. */
export const proxyExists = (): ApiError => new ApiError('proxy already exists', 409);
/** 404 `toxic not found`. */
export const toxicNotFound = (): ApiError => new ApiError('toxic not found', 404);
/** 409 `toxic already exists` (names are unique across both directions). */
export const toxicExists = (): ApiError => new ApiError('toxic already exists', 409);
/** 400 `invalid toxic type`. */
export const invalidToxicType = (): ApiError => new ApiError('invalid toxic type', 400);
/** 400 for a stream other than upstream/downstream. */
export const invalidStream = (): ApiError =>
  new ApiError('stream was invalid, can be either upstream or downstream', 400);
