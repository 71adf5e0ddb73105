/**
 * Pieces both HTTP front ends (HTTP/1.1 in `front.ts`, HTTP/2 in `h2-front.ts`) use to carry out a {@link Plan}:
 * flat header lists and their edits, body reads and edits, delays that die with their connection or stream, and
 * cutting a body after some bytes.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { BodyEdit, HeaderEdit, Plan } from './toxic.js';

/** Largest request body an `http_body` toxic on the request side buffers; larger requests get a 413. */
export const MAX_EDITED_BODY = 16 * 1024 * 1024;

/** Connection-scoped headers a proxy never forwards. */
export const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'http2-settings']);

/** Something that closes: a socket (HTTP/1.1) or a stream (HTTP/2). */
export interface Closable {
  readonly destroyed: boolean;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** Runs `fn` after `ms` (at once when 0), unless `socket` closed meanwhile. */
export function later(socket: Closable, ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  const timer = setTimeout(() => {
    socket.off('close', cancel);
    if (!socket.destroyed) fn();
  }, ms);
  const cancel = (): void => clearTimeout(timer);
  socket.once('close', cancel);
}

/** Raw headers, flat: name, value, name, value, ... */
export type Flat = string[];

/** Raw headers minus hop-by-hop ones (and those the Connection header names); `framing` drops Transfer-Encoding too. */
export function strip(raw: readonly string[], framing: boolean): Flat {
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'connection') {
      named ??= new Set();
      for (const token of (raw[i + 1] as string).split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: Flat = [];
  for (let i = 0; i < raw.length; i += 2) {
    const key = (raw[i] as string).toLowerCase();
    if (HOP.has(key) || named?.has(key) || (framing && key === 'transfer-encoding')) continue;
    out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

/** A header object as a flat list (arrays give one entry per value). */
export function flatten(headers: OutgoingHttpHeaders): Flat {
  const out: Flat = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(k, String(one));
  }
  return out;
}

/** Applies header edits to a flat raw-header list. */
export function editHeaders(headers: Flat, edits: readonly HeaderEdit[]): Flat {
  let out = headers;
  for (const edit of edits) {
    const present = out.some((v, i) => i % 2 === 0 && v.toLowerCase() === edit.name);
    if (edit.action === 'add') {
      out = [...out, edit.name, edit.value];
      continue;
    }
    if (edit.action === 'set' && edit.onlyIfPresent && !present) continue;
    const kept: Flat = [];
    for (let i = 0; i < out.length; i += 2) {
      if ((out[i] as string).toLowerCase() !== edit.name) kept.push(out[i] as string, out[i + 1] as string);
    }
    if (edit.action === 'set') kept.push(edit.name, edit.value);
    out = kept;
  }
  return out;
}

/** Headers for a body of known length: Content-Length set, chunked framing (and Expect, when asked) dropped. */
export function withBody(headers: Flat, length: number, dropExpect: boolean): Flat {
  const out: Flat = [];
  for (let i = 0; i < headers.length; i += 2) {
    const key = (headers[i] as string).toLowerCase();
    if (key === 'content-length' || key === 'transfer-encoding' || (dropExpect && key === 'expect')) continue;
    out.push(headers[i] as string, headers[i + 1] as string);
  }
  out.push('content-length', String(length));
  return out;
}

/**
 * A plan's edits of a response, before anything is sent: its header edits applied to `headers`, the replacement
 * body (content-length set to its size), the byte `limit` after which the body stops (abortAfter, or the truncate
 * size, whichever is smaller) and whether the stream is then reset (abortAfter) rather than ended.
 */
export function responseEdits(
  headers: Flat,
  plan: Pick<Plan, 'responseHeaders' | 'responseBody' | 'abortAfter'>,
): { headers: Flat; replacement: Buffer | undefined; limit: number | undefined; reset: boolean } {
  if (plan.responseHeaders.length > 0) headers = editHeaders(headers, plan.responseHeaders);
  const edit = plan.responseBody;
  let replacement: Buffer | undefined;
  if (edit?.action === 'replace') {
    replacement = edit.body;
    headers = withBody(headers, replacement.length, false);
  }
  let limit = plan.abortAfter;
  const reset = plan.abortAfter !== undefined;
  if (edit?.action === 'truncate') limit = Math.min(limit ?? Infinity, edit.bytes);
  return { headers, replacement, limit, reset };
}

/** The body after an `http_body` edit. */
export function editBody(body: Buffer, edit: BodyEdit): Buffer {
  return edit.action === 'replace' ? edit.body : body.subarray(0, edit.bytes);
}

/** Reads a whole body up to `max` bytes (rejects and destroys `req` beyond). */
export function readBody(req: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.destroy();
        reject(new Error('request body too large to edit'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends the first `limit` bytes of the body (the upstream's, or `replacement`), then calls `cut`. */
export function cutAfter(
  up: Readable,
  res: Writable,
  replacement: Buffer | undefined,
  limit: number,
  cut: () => void,
): void {
  let sent = 0;
  let done = false;
  // Cut once the last bytes were handed to the kernel (a reset before that would drop them).
  const finish = (last?: Buffer): void => {
    if (done) return;
    done = true;
    up.off('data', onData);
    up.resume();
    if (last && last.length > 0) res.write(last, () => setImmediate(cut));
    else setImmediate(cut);
  };
  const onData = (chunk: Buffer): void => {
    const room = limit - sent;
    if (chunk.length >= room) return finish(chunk.subarray(0, room));
    sent += chunk.length;
    res.write(chunk);
  };
  if (replacement !== undefined) return finish(replacement.subarray(0, limit));
  if (limit <= 0) return finish();
  up.on('data', onData);
  up.once('end', () => finish());
}

/** The header that carries a verified client certificate to the upstream (Envoy's name and format). */
export const CLIENT_CERT_HEADER = 'x-forwarded-client-cert';

/**
 * mTLS pass-through for HTTP: drops any `x-forwarded-client-cert` the client sent (it could be forged) and,
 * when the client's certificate verified, adds one: `Hash=<sha-256 of the DER>;Subject="CN=…"`.
 */
export function withClientCert(headers: Flat, socket: unknown): Flat {
  const out: Flat = [];
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).toLowerCase() !== CLIENT_CERT_HEADER)
      out.push(headers[i] as string, headers[i + 1] as string);
  }
  const tls = socket as Partial<TLSSocket> | undefined;
  if (!tls?.encrypted || !tls.authorized || !tls.getPeerCertificate) return out;
  const cert = tls.getPeerCertificate();
  if (!cert?.fingerprint256) return out;
  const hash = cert.fingerprint256.replaceAll(':', '').toLowerCase();
  const subject = Object.entries(cert.subject ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',')
    .replace(/["\\\r\n]/g, '');
  out.push(CLIENT_CERT_HEADER, `Hash=${hash};Subject="${subject}"`);
  return out;
}
