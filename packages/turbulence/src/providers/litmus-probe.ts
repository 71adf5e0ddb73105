/**
 * Ours: the `litmus-probe` provider, LitmusChaos's four probe types with Litmus's criteria. A probe whose criteria
 * do not hold fails (the activity fails), which is how a modal probe (`probe-modes.ts`) counts a failed attempt.
 *
 *   httpProbe  GET or POST `url`; the status code against `responseCode` by `==`, `!=` or `oneOf`
 *   cmdProbe   `command` run as Litmus runs an inline probe: `/bin/sh -c <command>`, the user's own command,
 *              verbatim (nothing is spliced into it); trimmed stdout against the comparator; non-zero exit fails
 *   k8sProbe   list `group/version/resource` in `namespace` with `fieldSelector`/`labelSelector`
 *              (`resourceNames`): present (some), absent (none), create (the `data` manifest), delete (the matches)
 *   promProbe  `query` against `endpoint`'s Prometheus HTTP API (`/api/v1/query`); the first sample's value
 *              against the comparator
 */
import { execFile } from 'node:child_process';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { Agent, fetch } from 'undici';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, errorMessage, isTurbulenceError } from '../core/errors.js';
import { kubeClient, type KubeClient } from '../os/kube.js';
import {
  checkLitmusProbe,
  compare,
  listOf,
  litmusProbeSchema,
  type LitmusProbeProvider,
} from './litmus-probe-schema.js';
import { activityFailed, type ProviderDefinition } from './types.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

async function httpProbe(inputs: Obj, signal: AbortSignal): Promise<unknown> {
  const method = (inputs.method ?? {}) as Obj;
  const verb = method.post ? 'post' : 'get';
  const m = (method[verb] ?? {}) as Obj;
  const timeoutMs = Number(inputs.responseTimeout) > 0 ? Number(inputs.responseTimeout) : undefined;
  const dispatcher =
    inputs.insecureSkipVerify === true ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  let status: number;
  try {
    const res = await fetch(str(inputs.url), {
      method: verb.toUpperCase(),
      signal: timeoutMs ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : signal,
      ...(verb === 'post'
        ? { body: str(m.body), headers: { 'content-type': str(m.contentType) || 'application/json' } }
        : {}),
      ...(dispatcher ? { dispatcher } : {}),
    });
    status = res.status;
    await res.body?.cancel();
  } catch (err) {
    throw activityFailed(`httpProbe ${verb.toUpperCase()} ${str(inputs.url)}: ${errorMessage(err)}`, err);
  } finally {
    await dispatcher?.close();
  }
  const criteria = str(m.criteria);
  const want = str(m.responseCode);
  const ok =
    criteria === '!='
      ? String(status) !== want
      : criteria === 'oneOf'
        ? listOf(want).includes(String(status))
        : String(status) === want;
  if (!ok) throw activityFailed(`httpProbe: status ${status} does not satisfy ${criteria} ${want}`);
  return { statusCode: status };
}

function cmdProbe(inputs: Obj, signal: AbortSignal): Promise<unknown> {
  const command = str(inputs.command);
  return new Promise((resolve, reject) => {
    // The user's own command line, run by a shell exactly as Litmus runs an inline cmdProbe.
    execFile('/bin/sh', ['-c', command], { signal, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          activityFailed(`cmdProbe \`${command}\` failed: ${(stderr || err.message).trim().split('\n')[0] ?? ''}`, err),
        );
        return;
      }
      const out = stdout.trim();
      const c = (inputs.comparator ?? {}) as Obj;
      const why = compare(str(c.type) || 'string', str(c.criteria), str(c.value), out);
      if (why) reject(activityFailed(`cmdProbe: ${why}`));
      else resolve({ output: out });
    });
  });
}

/** One call to the API server with the kubeconfig's credentials; the parsed JSON body. */
async function kube(k: KubeClient, method: string, path: string, body?: unknown): Promise<{ code: number; body: Obj }> {
  const url = new URL(path, k.server);
  const opts: RequestOptions = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
  };
  await k.config.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(opts, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => {
        try {
          resolve({ code: res.statusCode ?? 0, body: (data ? JSON.parse(data) : {}) as Obj });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('the API server did not answer within 15 s')));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function k8sProbe(inputs: Obj, data: string | undefined): Promise<unknown> {
  const k = kubeClient();
  const group = str(inputs.group);
  const ns = str(inputs.namespace);
  const base = `${group ? `/apis/${group}` : '/api'}/${str(inputs.version)}${ns ? `/namespaces/${ns}` : ''}/${str(inputs.resource)}`;
  const op = str(inputs.operation);
  const what = `${str(inputs.resource)}${ns ? ` in ${ns}` : ''}`;
  if (op === 'create') {
    const manifest = parseYaml(data ?? '') as Obj;
    const res = await kube(k, 'POST', base, manifest);
    if (res.code >= 300)
      throw activityFailed(`k8sProbe create ${what}: ${str(res.body.message) || `HTTP ${res.code}`}`);
    return { created: str((res.body.metadata as Obj | undefined)?.name) };
  }
  const q = new URLSearchParams();
  if (str(inputs.fieldSelector)) q.set('fieldSelector', str(inputs.fieldSelector));
  if (str(inputs.labelSelector)) q.set('labelSelector', str(inputs.labelSelector));
  const res = await kube(k, 'GET', `${base}${q.size > 0 ? `?${q.toString()}` : ''}`);
  if (res.code >= 300) throw activityFailed(`k8sProbe list ${what}: ${str(res.body.message) || `HTTP ${res.code}`}`);
  const names = listOf(str(inputs.resourceNames));
  const items = ((res.body.items ?? []) as Obj[])
    .map((i) => str((i.metadata as Obj | undefined)?.name))
    .filter((n) => names.length === 0 || names.includes(n));
  if (op === 'present' && items.length === 0) throw activityFailed(`k8sProbe present: no ${what} matches`);
  if (op === 'absent' && items.length > 0)
    throw activityFailed(`k8sProbe absent: ${what} still has ${items.join(', ')}`);
  if (op === 'delete') {
    if (items.length === 0) throw activityFailed(`k8sProbe delete: no ${what} matches`);
    for (const name of items) {
      const del = await kube(k, 'DELETE', `${base}/${name}`);
      if (del.code >= 300 && del.code !== 404) throw activityFailed(`k8sProbe delete ${name}: HTTP ${del.code}`);
    }
  }
  return { matched: items };
}

async function promProbe(inputs: Obj, signal: AbortSignal): Promise<unknown> {
  const url = new URL('/api/v1/query', str(inputs.endpoint));
  url.searchParams.set('query', str(inputs.query));
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    const res = await fetch(url, { signal });
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw activityFailed(`promProbe ${url.origin}: ${errorMessage(err)}`, err);
  }
  if (body.status !== 'success') throw activityFailed(`promProbe: ${body.error ?? 'the query failed'}`);
  const result = body.data?.result;
  const value =
    body.data?.resultType === 'vector' || body.data?.resultType === 'matrix'
      ? ((result as { value?: unknown[] }[] | undefined)?.[0]?.value?.[1] as string | undefined)
      : ((result as unknown[] | undefined)?.[1] as string | undefined);
  if (value === undefined) throw activityFailed(`promProbe: the query "${str(inputs.query)}" returned no sample`);
  const c = (inputs.comparator ?? {}) as Obj;
  const why = compare(str(c.type) || 'float', str(c.criteria), str(c.value), String(value));
  if (why) throw activityFailed(`promProbe: ${why}`);
  return { value: Number(value) };
}

/** The `litmus-probe` provider definition. */
export const litmusProbeProvider: ProviderDefinition<LitmusProbeProvider> = {
  type: 'litmus-probe',
  schema: litmusProbeSchema,
  substitute: [],
  run: async (p, ctx) => {
    if (ctx.signal.aborted) throw activityFailed(`${p.probe} aborted`);
    switch (p.probe) {
      case 'httpProbe':
        return httpProbe(p.inputs, ctx.signal);
      case 'cmdProbe':
        return cmdProbe(p.inputs, ctx.signal);
      case 'promProbe':
        return promProbe(p.inputs, ctx.signal);
      default:
        try {
          return await k8sProbe(p.inputs, p.data);
        } catch (err) {
          if (isTurbulenceError(err, ErrorCodes.ACTIVITY_FAILED)) throw err;
          throw activityFailed(`k8sProbe: ${errorMessage(err)}`, err);
        }
    }
  },
  validate: (p) =>
    Promise.resolve(checkLitmusProbe(p.probe, p.inputs, p.data).map((x) => ({ ...x, path: ['inputs', ...x.path] }))),
  describe: (p) =>
    p.probe === 'httpProbe'
      ? `httpProbe ${str(p.inputs.url)}`
      : p.probe === 'cmdProbe'
        ? `cmdProbe sh -c ${JSON.stringify(str(p.inputs.command))}`
        : p.probe === 'promProbe'
          ? `promProbe ${str(p.inputs.query)} at ${str(p.inputs.endpoint)}`
          : `k8sProbe ${str(p.inputs.operation)} ${str(p.inputs.resource)}`,
};
