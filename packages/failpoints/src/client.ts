/**
 * @module A client for the control endpoint, for drivers and tests: node:http only, TCP or unix socket.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { FailpointInfo } from './registry.js';
import type { RuleInfo } from './rules-backend.js';

/** An error answer of the endpoint (or a transport failure, with status 0 and the socket error as cause). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ControlError';
  }
}

/** What a process writes to its announce file. */
export interface Announcement {
  pid: number;
  address: string;
}

/**
 * Reads an announce file written by a process started with `TURBULENCE_FAILPOINTS_ANNOUNCE`.
 *
 * @example
 * const { address } = readAnnouncement('/tmp/app.failpoints.json');
 */
export function readAnnouncement(file: string): Announcement {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<Announcement>;
  if (typeof data.address !== 'string' || typeof data.pid !== 'number') {
    throw new Error(`${file}: not a failpoints announce file (expected { pid, address })`);
  }
  return { pid: data.pid, address: data.address };
}

/**
 * Talks to one process's control endpoint.
 *
 * @example
 * const fp = new FailpointsClient('http://127.0.0.1:43210');
 * await fp.set('db.commit', '1*panic');
 * await fp.remove('db.commit');
 */
export class FailpointsClient {
  constructor(
    readonly address: string,
    private readonly token?: string,
    private readonly timeoutMs = 5000,
  ) {}

  /** `{ pid, seed, rules }` of the process. */
  health(): Promise<{ pid: number; seed: number; rules: boolean }> {
    return this.call('GET', '/health');
  }

  async list(): Promise<FailpointInfo[]> {
    return (await this.call<{ failpoints: FailpointInfo[] }>('GET', '/failpoints')).failpoints;
  }

  /** One failpoint, or undefined when it is neither configured nor tracked. */
  get(name: string): Promise<FailpointInfo | undefined> {
    return this.orUndefined(this.call('GET', `/failpoints/${encodeURIComponent(name)}`));
  }

  set(name: string, actions: string): Promise<FailpointInfo> {
    return this.call('PUT', `/failpoints/${encodeURIComponent(name)}`, { actions });
  }

  async remove(name: string): Promise<boolean> {
    return (await this.call<{ removed: boolean }>('DELETE', `/failpoints/${encodeURIComponent(name)}`)).removed;
  }

  async listRules(): Promise<RuleInfo[]> {
    return (await this.call<{ rules: RuleInfo[] }>('GET', '/rules')).rules;
  }

  getRule(name: string): Promise<RuleInfo | undefined> {
    return this.orUndefined(this.call('GET', `/rules/${encodeURIComponent(name)}`));
  }

  setRule(name: string, rule: object): Promise<RuleInfo> {
    return this.call('PUT', `/rules/${encodeURIComponent(name)}`, rule);
  }

  async removeRule(name: string): Promise<boolean> {
    return (await this.call<{ removed: boolean }>('DELETE', `/rules/${encodeURIComponent(name)}`)).removed;
  }

  private async orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ControlError && err.status === 404) return undefined;
      throw err;
    }
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const unix = this.address.startsWith('unix:') ? this.address.slice(5) : undefined;
    const base = unix ? new URL('http://localhost') : new URL(this.address);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          method,
          path,
          headers,
          timeout: this.timeoutMs,
          ...(unix ? { socketPath: unix } : { host: base.hostname, port: base.port }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let data: unknown;
            try {
              data = JSON.parse(text);
            } catch {
              return reject(
                new ControlError(res.statusCode ?? 0, `${method} ${path}: not JSON: ${text.slice(0, 200)}`),
              );
            }
            if ((res.statusCode ?? 0) >= 400) {
              const msg = (data as { error?: string }).error ?? text;
              return reject(new ControlError(res.statusCode ?? 0, `${method} ${path}: ${msg}`));
            }
            resolve(data as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      req.on('error', (err) =>
        reject(new ControlError(0, `${method} ${this.address}${path}: ${err.message}`, { cause: err })),
      );
      req.end(payload);
    });
  }
}
