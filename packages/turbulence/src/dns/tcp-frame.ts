/**
 * DNS over TCP framing (RFC 1035 §4.2.2): every message is preceded by its length as two bytes. A reader that
 * collects pipelined messages from a stream, and a one-shot exchange used by clients and the forwarder.
 */
import { connect } from 'node:net';

/** Prefixes a message with its 2-byte length. */
export function frame(msg: Buffer): Buffer {
  const out = Buffer.allocUnsafe(msg.length + 2);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
}

/** Splits a byte stream into length-prefixed messages. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the complete messages now available (a zero length prefix yields an empty buffer). */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    while (this.buf.length >= 2) {
      const len = this.buf.readUInt16BE(0);
      if (this.buf.length < len + 2) break;
      out.push(Buffer.from(this.buf.subarray(2, len + 2)));
      this.buf = this.buf.subarray(len + 2);
    }
    return out;
  }

  /** Bytes received but not yet part of a complete message. */
  get pending(): number {
    return this.buf.length;
  }
}

/**
 * Sends one message over a new TCP connection and resolves with the first framed reply.
 * Rejects on connection errors, a closed connection without reply, or the timeout.
 */
export function tcpExchange(
  host: string,
  port: number,
  msg: Buffer,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const reader = new FrameReader();
    const done = (err: Error | undefined, reply?: Buffer) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply as Buffer);
    };
    const onAbort = () => done(new Error('aborted'));
    const timer = setTimeout(
      () => done(new Error(`no TCP answer from ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(frame(msg)));
    socket.on('data', (chunk: Buffer) => {
      const [reply] = reader.push(chunk);
      if (reply) done(undefined, reply);
    });
    socket.on('error', (err) => done(err));
    socket.on('close', () => done(new Error(`TCP connection to ${host}:${port} closed without an answer`)));
  });
}
