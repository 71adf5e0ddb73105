/**
 * The `http` provider, as Chaos Toolkit's (§7.2 of the format spec): one request, output
 * `{ status, headers, body }`. 4xx and 5xx are answers, not errors; only a connection error or a timeout fails
 * the activity.
 *
 *   GET     arguments ─▶ query string
 *   other   arguments ─▶ JSON body   when headers["Content-Type"] is exactly "application/json",
 *                                    with Python's separators: {"a": 1, "b": [1, 2]} (requests' json=)
 *                     ─▶ form body   otherwise
 *
 * The response body is parsed as JSON only when the response's Content-Type is exactly `application/json`
 * (chaoslib/provider/http.py: `r.headers.get("Content-Type") == "application/json"`); `application/json;
 * charset=utf-8` stays text, so a regex tolerance on `body` matches it. In strict mode (`--strict`,
 * `runtime.strict`) a charset is accepted too. Header names are kept as the server spelled them
 * (`dict(**r.headers)`), so `$.headers["Content-Type"]` works. A URL that cannot be parsed is not a failed
 * activity but a broken experiment: the method aborts, as requests' `MissingSchema`/`InvalidURL` do.
 *
 * Timeouts are seconds: one number for both connect and read, or `[connect, read]`; read is the longest silence
 * between bytes (as in Python requests), not a total. `max_retries` retries failed connections only.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import type { HttpProvider } from '../experiment/types.js';
import { httpSchema } from './schemas.js';
import { pyJsonDumps, pyStr } from './pystr.js';
import { activityFailed, type ProviderContext, type ProviderDefinition } from './types.js';

/** Output of the `http` provider. */
export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response's Content-Type is exactly `application/json` (strict: any charset), else text. */
  body: unknown;
}

interface Prepared {
  /** The URL as the experiment wrote it (for messages). */
  display: string;
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  connectMs: number | undefined;
  readMs: number | undefined;
  verifyTls: boolean;
}

/** Kind of failure, so retries only happen for connections that never opened. */
class ConnectFailure extends Error {}

const TIMEOUT_MESSAGE = 'activity took too long to complete';

/** `arguments` as `key=value&...`, repeating a key for each item of a list value (Python requests' `params`). */
export function formEncode(args: unknown): string {
  if (args === undefined || args === null) return '';
  if (typeof args === 'string') return args;
  const out = new URLSearchParams();
  const entries: [unknown, unknown][] = Array.isArray(args)
    ? (args as unknown[]).map((item) => (Array.isArray(item) ? [item[0], item[1]] : [item, '']))
    : Object.entries(args as Record<string, unknown>);
  for (const [key, value] of entries) {
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (v !== null && v !== undefined) out.append(pyStr(key), pyStr(v));
    }
  }
  return out.toString();
}

/**
 * Builds the request a provider object describes (method, URL with query, body, headers, timeouts).
 *
 * @example
 * prepareHttp({ type: 'http', url: 'http://127.0.0.1:8080/q', arguments: { a: 1 } }).url.search; // '?a=1'
 */
export function prepareHttp(p: HttpProvider): Prepared {
  let url: URL;
  try {
    url = new URL(p.url);
  } catch {
    // requests raises MissingSchema / InvalidURL, which chaoslib does not turn into ActivityFailed: aborted.
    throw new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, `url ${JSON.stringify(p.url)} is not a valid URL`, {
      hint: 'write an absolute http:// or https:// URL; check that every ${...} in it is defined',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // requests: InvalidSchema "No connection adapters were found" -- not ActivityFailed, the method aborts.
    throw new TurbulenceError(ErrorCodes.EXPERIMENT_INVALID, `url ${JSON.stringify(p.url)} is not an http(s) URL`, {
      hint: 'write an absolute http:// or https:// URL',
    });
  }
  const method = (p.method ?? 'GET').toUpperCase();
  const headers = { ...(p.headers ?? {}) };
  let body: string | undefined;
  const hasArgs = p.arguments !== undefined && p.arguments !== null;
  if (method === 'GET') {
    const query = formEncode(p.arguments);
    if (query) url.search = url.search ? `${url.search}&${query}` : query;
  } else if (hasArgs && headers['Content-Type'] === 'application/json') {
    body = pyJsonDumps(p.arguments);
  } else if (hasArgs) {
    body = formEncode(p.arguments);
    if (typeof p.arguments !== 'string' && !hasHeader(headers, 'content-type')) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
  }
  const single = p.timeout === undefined ? undefined : Number(p.timeout);
  const [connect, read] = Array.isArray(p.timeout) ? p.timeout : [single, single];
  return {
    display: p.url,
    url,
    method,
    headers,
    body,
    connectMs: connect === undefined ? undefined : connect * 1000,
    readMs: read === undefined ? undefined : read * 1000,
    verifyTls: p.verify_tls ?? true,
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/**
 * Whether a response body is parsed as JSON. Chaos Toolkit: only a Content-Type of exactly `application/json`.
 * `lenient` (strict mode) also accepts any case, spaces and parameters (`application/json; charset=utf-8`).
 *
 * @example
 * isJsonContentType('application/json; charset=utf-8');       // false
 * isJsonContentType('application/json; charset=utf-8', true); // true
 */
export function isJsonContentType(value: string | undefined, lenient = false): boolean {
  if (value === undefined) return false;
  return lenient ? /^application\/json\s*(;.*)?$/i.test(value.trim()) : value === 'application/json';
}

function decodeBody(res: IncomingMessage, raw: Buffer, lenient: boolean): unknown {
  const type = res.headers['content-type'];
  const charset = /charset=([^;\s]+)/i.exec(type ?? '')?.[1]?.replace(/"/g, '');
  let text: string;
  try {
    text = new TextDecoder(charset ?? 'utf-8').decode(raw);
  } catch {
    text = raw.toString('utf8');
  }
  if (!isJsonContentType(type, lenient)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Response headers with the names as the server spelled them; repeated headers joined with `, ` (urllib3). */
export function flattenHeaders(res: Pick<IncomingMessage, 'rawHeaders'>): Record<string, string> {
  const out: Record<string, string> = {};
  const spelled = new Map<string, string>();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!;
    const value = res.rawHeaders[i + 1]!;
    const key = spelled.get(name.toLowerCase());
    if (key === undefined) {
      spelled.set(name.toLowerCase(), name);
      out[name] = value;
    } else out[key] = `${out[key]}, ${value}`;
  }
  return out;
}

/** One attempt: resolves with the output, rejects with ConnectFailure (retryable) or an activityFailed. */
function attempt(req: Prepared, signal: AbortSignal, lenient: boolean): Promise<HttpOutput> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(activityFailed(`http ${req.method} ${req.url.href} was aborted`));
    const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(req.url, { method: req.method, headers: req.headers, rejectUnauthorized: req.verifyTls });
    let connected = false;
    let settled = false;
    const done = (err: Error | undefined, out?: HttpOutput): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      signal.removeEventListener('abort', onAbort);
      r.destroy();
      if (err) reject(err);
      else resolve(out as HttpOutput);
    };
    const onAbort = (): void => done(activityFailed(`http ${req.method} ${req.url.href} was aborted`));
    const connectTimer =
      req.connectMs === undefined ? undefined : setTimeout(() => done(activityFailed(TIMEOUT_MESSAGE)), req.connectMs);
    signal.addEventListener('abort', onAbort, { once: true });
    r.on('socket', (socket) => {
      const onConnect = (): void => {
        connected = true;
        clearTimeout(connectTimer);
      };
      if (!socket.connecting) onConnect();
      else socket.once(req.url.protocol === 'https:' ? 'secureConnect' : 'connect', onConnect);
    });
    if (req.readMs !== undefined) r.setTimeout(req.readMs, () => done(activityFailed(TIMEOUT_MESSAGE)));
    r.on('error', (err) =>
      // Like Python requests: a connection that breaks before the answer is a connection error too.
      done(
        connected
          ? activityFailed(`failed to connect to ${req.display}: ${errorMessage(err)}`, err)
          : new ConnectFailure(errorMessage(err)),
      ),
    );
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => done(activityFailed(readFailed(req, err), err)));
      res.on('end', () =>
        done(undefined, {
          status: res.statusCode ?? 0,
          headers: flattenHeaders(res),
          body: decodeBody(res, Buffer.concat(chunks), lenient),
        }),
      );
    });
    r.end(req.body);
  });
}

function readFailed(req: Prepared, err: unknown): string {
  return `http ${req.method} ${req.url.href} failed: ${errorMessage(err)}`;
}

/**
 * Sends the request, retrying failed connections `max_retries` times; honours `expected_status` in strict mode.
 *
 * @example
 * const out = await runHttp({ type: 'http', url: 'http://127.0.0.1:8080/health', timeout: 2 }, ctx);
 * out.status; // 200
 */
export async function runHttp(p: HttpProvider, ctx: Pick<ProviderContext, 'signal' | 'strict'>): Promise<HttpOutput> {
  const req = prepareHttp(p);
  const tries = 1 + (p.max_retries ?? 0);
  let out: HttpOutput | undefined;
  for (let i = 1; out === undefined; i++) {
    try {
      out = await attempt(req, ctx.signal, ctx.strict);
    } catch (err) {
      if (!(err instanceof ConnectFailure)) throw err;
      if (i >= tries || ctx.signal.aborted) throw activityFailed(`failed to connect to ${p.url}: ${err.message}`, err);
    }
  }
  checkExpectedStatus(p, out, ctx.strict);
  return out;
}

function checkExpectedStatus(p: HttpProvider, out: HttpOutput, strict: boolean): void {
  if (!strict || p.expected_status === undefined) return;
  const expected = Array.isArray(p.expected_status) ? p.expected_status : [p.expected_status];
  if (!expected.includes(out.status)) {
    throw activityFailed(`status ${out.status} not in expected_status [${expected.join(', ')}]`);
  }
}

/** The `http` provider definition. */
export const httpProvider: ProviderDefinition<HttpProvider> = {
  type: 'http',
  schema: httpSchema,
  substitute: ['url', 'headers', 'timeout', 'arguments'],
  run: runHttp,
  describe: (p) => `${(p.method ?? 'GET').toUpperCase()} ${p.url}`,
};
