/** The HTTP toxic types (proxies with `protocol: http`), in documentation order. */
import type { HttpToxicType } from '../toxic.js';
import { httpAbort } from './abort.js';
import { httpBody } from './body.js';
import { httpDelay } from './delay.js';
import { httpHeader } from './header.js';
import { grpcDelay, grpcStatus } from './grpc.js';
import { httpStatus } from './status.js';

/** Every HTTP toxic (the gRPC ones too: gRPC runs on an http proxy's HTTP/2). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each toxic has its own attribute type
export const httpToxics: readonly HttpToxicType<any>[] = [
  httpStatus,
  httpAbort,
  httpDelay,
  httpHeader,
  httpBody,
  grpcStatus,
  grpcDelay,
];
