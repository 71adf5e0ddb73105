/** The control-API layer: one fastify-based HTTP edge with one set of auth, origin, body and error rules. */
export { createControlServer, listenControl, sendError, pathOf, DEFAULT_BODY_LIMIT } from './server.js';
export type { ControlServerOptions } from './server.js';
export { ControlError, errorReply } from './errors.js';
export type { ErrorBody } from './errors.js';
export { checkRequest, crossSiteReason, tokenMatches, isJson, hasBody, hostnameOf } from './guard.js';
export type { GuardOptions } from './guard.js';
export { isLoopbackHost } from './loopback.js';
