/**
 * @module The one Kubernetes client of turbulence, on the official `@kubernetes/client-node`. The kubeconfig is
 * found like kubectl finds it: `$KUBECONFIG`, else `~/.kube/config`, else the in-cluster service account. Every
 * API call goes through {@link KubeClient.call}, which turns the client's failures into errors a person can act on:
 *
 *   ECONNREFUSED / DNS / TLS   → UNAVAILABLE  "cannot reach the Kubernetes API at URL"
 *   401                        → CONFIGURATION "the cluster did not accept the credentials of context C"
 *   403                        → TARGET_REFUSED "forbidden: cannot VERB RESOURCE in namespace NS" + RBAC hint
 *   404                        → thrown as {@link KubeNotFound} (callers decide: gone is often fine)
 *   429 on an eviction         → thrown as {@link KubeTooManyRequests} (a PodDisruptionBudget said no)
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';

/** Where a target's cluster is: the kubeconfig file (absent: the default search) and context. */
export interface ClusterRef {
  kubeconfig?: string;
  context?: string;
}

/** What one API call does, for error messages: `delete pods in default`. */
export interface CallWhat {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  group?: string;
}

/** A 404 from the API server. */
export class KubeNotFound extends TurbulenceError {
  constructor(message: string) {
    super(ErrorCodes.TARGET_REFUSED, message);
  }
}

/** A 429 from the API server (for an eviction: a PodDisruptionBudget refuses it). */
export class KubeTooManyRequests extends TurbulenceError {
  constructor(message: string, hint: string) {
    super(ErrorCodes.TARGET_REFUSED, message, { hint });
  }
}

/** The merge-patch content type, for `patchNode` & co. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * A connected client: the typed APIs plus {@link KubeClient.call}.
 *
 * @example
 * const k = kubeClient();
 * const pods = await k.call({ verb: 'list', resource: 'pods', namespace: 'default' }, () =>
 *   k.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' }));
 */
export class KubeClient {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly coordination: CoordinationV1Api;
  readonly custom: CustomObjectsApi;
  readonly authz: AuthorizationV1Api;
  /** The kubeconfig file used (undefined in-cluster). */
  readonly kubeconfig: string | undefined;
  /** The API server URL. */
  readonly server: string;

  constructor(ref: ClusterRef = {}) {
    const { config, file } = loadConfig(ref);
    this.config = config;
    this.kubeconfig = file;
    this.server = config.getCurrentCluster()?.server ?? '(no cluster)';
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.policy = config.makeApiClient(PolicyV1Api);
    this.coordination = config.makeApiClient(CoordinationV1Api);
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.authz = config.makeApiClient(AuthorizationV1Api);
  }

  /** The context in use. */
  get context(): string {
    return this.config.getCurrentContext();
  }

  /** The namespace of the current context (kubectl's default), else `default`. */
  get defaultNamespace(): string {
    const ctx = this.config.getContextObject(this.config.getCurrentContext());
    return ctx?.namespace ?? 'default';
  }

  /** Where this client's targets live, for target attributes (so `recover` reaches the same cluster). */
  ref(): ClusterRef {
    return { ...(this.kubeconfig ? { kubeconfig: this.kubeconfig } : {}), context: this.context };
  }

  /** Runs one API call and maps its failure (see the module comment). */
  async call<T>(what: CallWhat, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.explain(what, err);
    }
  }

  /** Same as {@link call}, but a 404 gives `undefined`. */
  async maybe<T>(what: CallWhat, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(what, fn);
    } catch (err) {
      if (err instanceof KubeNotFound) return undefined;
      throw err;
    }
  }

  private explain(what: CallWhat, err: unknown): Error {
    const code = statusOf(err);
    const where = `${what.resource}${what.name ? ` ${what.name}` : ''}${what.namespace ? ` in namespace ${what.namespace}` : ''}`;
    const server = serverMessage(err);
    if (code === undefined) {
      return new TurbulenceError(
        ErrorCodes.UNAVAILABLE,
        `cannot reach the Kubernetes API at ${this.server}: ${errorMessage(err)}`,
        {
          hint: `is the cluster up? check with \`kubectl --context ${this.context} get nodes\`${this.kubeconfig ? ` (kubeconfig ${this.kubeconfig})` : ''}`,
          cause: err,
        },
      );
    }
    if (code === 401) {
      return new TurbulenceError(
        ErrorCodes.CONFIGURATION,
        `the cluster at ${this.server} did not accept the credentials of context ${this.context}`,
        {
          hint: 'refresh the token or client certificate in your kubeconfig',
          cause: err,
        },
      );
    }
    if (code === 403) {
      const group = what.group ? `${what.group}/` : '';
      return new TurbulenceError(
        ErrorCodes.TARGET_REFUSED,
        `forbidden: cannot ${what.verb} ${group}${what.resource}${what.namespace ? ` in namespace ${what.namespace}` : ''}${server ? ` (${server})` : ''}`,
        {
          hint: `grant the verb "${what.verb}" on "${what.resource}"${what.group ? ` (API group ${what.group})` : ''} to turbulence's service account or user, e.g. in deploy/kubernetes/rbac.yaml; \`turbulence doctor\` lists every permission it needs`,
          cause: err,
        },
      );
    }
    if (code === 404) return new KubeNotFound(`${where} not found${server ? ` (${server})` : ''}`);
    if (code === 429) {
      return new KubeTooManyRequests(
        `${what.verb} ${where} refused: ${server || 'too many requests'}`,
        'a PodDisruptionBudget allows no more disruptions now; wait until the pods it covers are ready, or choose other targets',
      );
    }
    return new TurbulenceError(
      ErrorCodes.FAULT_INJECT_FAILED,
      `${what.verb} ${where} failed with HTTP ${code}${server ? `: ${server}` : ''}`,
      { cause: err },
    );
  }
}

/** The HTTP status of a client error, or undefined when the request never got an answer. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The `message` of the Status object the API server answered with, when there is one. */
function serverMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 300);
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}

/** Loads the kubeconfig like kubectl; a missing or broken one is a CONFIGURATION error naming the file. */
function loadConfig(ref: ClusterRef): { config: KubeConfig; file: string | undefined } {
  const config = new KubeConfig();
  const file = ref.kubeconfig ?? defaultKubeconfig();
  try {
    if (file !== undefined) config.loadFromFile(file);
    else if (process.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
    else {
      throw new TurbulenceError(
        ErrorCodes.CONFIGURATION,
        'no kubeconfig: KUBECONFIG is unset, ~/.kube/config does not exist, and this is not a pod',
        {
          hint: 'set KUBECONFIG=/path/to/kubeconfig (try `npm run kube-fake -- --kubeconfig /tmp/kc` for a local fake cluster)',
        },
      );
    }
    if (ref.context !== undefined) config.setCurrentContext(ref.context);
  } catch (err) {
    if (err instanceof TurbulenceError) throw err;
    throw new TurbulenceError(
      ErrorCodes.CONFIGURATION,
      `bad kubeconfig ${file ?? '(in-cluster)'}: ${errorMessage(err)}`,
      {
        hint: 'check it with `kubectl config view`; it must name a current-context with a cluster and a user',
        cause: err,
      },
    );
  }
  if (!config.getCurrentCluster()) {
    throw new TurbulenceError(
      ErrorCodes.CONFIGURATION,
      `bad kubeconfig ${file ?? '(in-cluster)'}: the current context "${config.getCurrentContext()}" names no cluster`,
      {
        hint: 'set one with `kubectl config use-context NAME`',
      },
    );
  }
  return { config, file };
}

/** `$KUBECONFIG` (its first file), else `~/.kube/config` when it exists. */
function defaultKubeconfig(): string | undefined {
  const env = process.env.KUBECONFIG?.split(':').find((p) => p.length > 0);
  if (env) return env;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

const clients = new Map<string, KubeClient>();

/**
 * A client for a cluster, cached per kubeconfig + context.
 *
 * @example
 * const k = kubeClient(target.attributes as ClusterRef);
 */
export function kubeClient(ref: ClusterRef = {}): KubeClient {
  const key = `${ref.kubeconfig ?? process.env.KUBECONFIG ?? ''}\0${ref.context ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = new KubeClient(ref);
    clients.set(key, client);
  }
  return client;
}
