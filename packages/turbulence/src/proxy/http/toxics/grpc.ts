/**
 * gRPC toxics, on `protocol: http` proxies (gRPC runs on HTTP/2): `grpc_status` answers matching calls with a
 * gRPC status and message (a trailers-only response, as a real server that fails at once), and `grpc_delay`
 * delays them. They select calls by `service` (`helloworld.Greeter`, a glob, or a `/regex/`) and `method` (the
 * gRPC method name, `SayHello`; not the HTTP method, which is always POST), plus `header` (call metadata), and
 * only ever touch gRPC requests (`content-type: application/grpc…`, path `/package.Service/Method`).
 */
import { z } from 'zod';
import { didYouMean } from '../../../core/suggest.js';
import { int } from '../../toxics/attributes.js';
import { matches, matchShape, pattern, type RequestView } from '../match.js';
import { httpToxic } from '../toxic.js';

/** The gRPC status codes by name (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** The match attributes of gRPC toxics. */
export interface GrpcMatch {
  /** The full service name (`package.Service`): exact, a glob or a `/regex/`; empty = any. */
  service: string;
  /** The method name (`SayHello`): exact, a glob or a `/regex/`; empty = any. */
  method: string;
  /** `"Name: value-glob"` on the call metadata (as for HTTP toxics); empty = any. */
  header: string;
}

const patternAttribute = (what: string, example: string) =>
  z
    .string({ error: `${what} must be a string such as ${example}, a glob or a /regex/` })
    .superRefine((v, ctx) => {
      try {
        pattern(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `${what}: ${(err as Error).message}` });
      }
    })
    .default('');

const grpcMatchShape = {
  service: patternAttribute('service', 'helloworld.Greeter'),
  method: patternAttribute('method', 'SayHello'),
  header: matchShape.header,
};

const compiled = new WeakMap<object, (req: RequestView) => boolean>();

/** Whether `req` is a gRPC call the toxic's `service`, `method` and `header` select. */
export function matchesCall(a: GrpcMatch, req: RequestView): boolean {
  let test = compiled.get(a);
  if (!test) {
    const service = a.service === '' ? () => true : pattern(a.service);
    const method = a.method === '' ? () => true : pattern(a.method);
    const header = { method: '', path: '', query: '', header: a.header };
    test = (r) => {
      const type = r.headers['content-type'];
      if (typeof type !== 'string' || !type.startsWith('application/grpc')) return false;
      const call = /^\/([^/?]+)\/([^/?]+)$/.exec(r.url);
      if (!call) return false;
      return service(call[1] as string) && method(call[2] as string) && matches(header, r);
    };
    compiled.set(a, test);
  }
  return test(req);
}

/** `grpc-message` is percent-encoded (gRPC over HTTP/2: printable ASCII except `%` as is). */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message)) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Attributes of `grpc_status`. */
export interface GrpcStatusAttributes extends GrpcMatch {
  /** The status code, 0-16 (names such as `UNAVAILABLE` are accepted and stored as numbers); default 14. */
  code: number;
  /** The status message (default empty). */
  message: string;
}

const codeAttribute = z
  .union([z.number(), z.string()], { error: 'code must be a gRPC status code: 0-16 or a name such as UNAVAILABLE' })
  .transform((value, ctx) => {
    if (typeof value === 'number' || /^\d+$/.test(value)) {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 0 && n < GRPC_CODES.length) return n;
      ctx.addIssue({
        code: 'custom',
        message: `code must be a gRPC status code 0-16, got ${value} (e.g. 14 = UNAVAILABLE)`,
      });
      return z.NEVER;
    }
    const name = value.trim().toUpperCase().replace(/[- ]/g, '_');
    const n = (GRPC_CODES as readonly string[]).indexOf(name);
    if (n >= 0) return n;
    ctx.addIssue({
      code: 'custom',
      message: `code ${JSON.stringify(value)} is not a gRPC status code: ${didYouMean(value, GRPC_CODES)}`,
    });
    return z.NEVER;
  })
  .default(14);

/** The `grpc_status` toxic. */
export const grpcStatus = httpToxic<GrpcStatusAttributes>({
  type: 'grpc_status',
  summary: 'fail matching gRPC calls with a status code and message (trailers-only), e.g. UNAVAILABLE',
  attributes: z.object({
    code: codeAttribute,
    message: z.union([z.string(), z.number()], { error: 'message must be a string' }).transform(String).default(''),
    ...grpcMatchShape,
  }),
  plan(a, plan) {
    plan.answer ??= {
      status: 200,
      headers: {
        'content-type': 'application/grpc',
        'grpc-status': String(a.code),
        'grpc-message': encodeGrpcMessage(a.message),
      },
      body: '',
    };
  },
  matches: matchesCall,
});

/** Attributes of `grpc_delay`. */
export interface GrpcDelayAttributes extends GrpcMatch {
  /** Milliseconds before the call is forwarded. */
  delay: number;
  /** Milliseconds of uniform jitter: delay + [-jitter, jitter). */
  jitter: number;
}

/** The `grpc_delay` toxic. */
export const grpcDelay = httpToxic<GrpcDelayAttributes>({
  type: 'grpc_delay',
  summary: 'delay matching gRPC calls by delay ± jitter ms before they reach the server',
  attributes: z.object({
    delay: int('delay', 0),
    jitter: int('jitter', 0),
    ...grpcMatchShape,
  }),
  plan(a, plan, ctx) {
    plan.requestDelayMs += Math.max(0, a.delay + (a.jitter > 0 ? ctx.rng().int(2 * a.jitter) - a.jitter : 0));
  },
  matches: matchesCall,
});
