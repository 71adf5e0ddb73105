/**
 * @module The target queries of every target type, as pure schemas (zod only, no I/O): the resolvers in this
 * folder parse with them, and the fault families' schemas (`faults/<family>/schema.ts`) publish them for validation
 * and the JSON Schema, so `turbulence validate` checks a target without loading what resolves it.
 */
import { z } from 'zod';

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const oneOrManyList = oneOrMany.transform((v) => [v].flat());

/** Process targets (`process.*`, resource faults): all given fields must match. */
export const processQuerySchema = z
  .object({
    pid: z.coerce.number().int().positive().optional(),
    /** Exact `comm` (the executable name as `ps -o comm` shows it, at most 15 characters). */
    name: z.string().min(1).optional(),
    /** A regular expression searched in the command line (arguments joined by spaces). */
    cmdline: z.string().min(1).optional(),
    /** A file holding a pid. */
    pidfile: z.string().min(1).optional(),
    /** A process turbulence supervises, by name. */
    managed: z.string().min(1).optional(),
    /** A lab service's process: `lab`, `host` and `service` together. */
    lab: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
  })
  .strict()
  .refine((q) => Object.values(q).some((v) => v !== undefined), {
    message: 'give at least one of pid, name, cmdline, pidfile, managed, or lab + host + service',
  })
  .refine((q) => [q.lab, q.host, q.service].every((v) => v === undefined) || (q.lab && q.host && q.service), {
    message: 'a lab service is named by lab, host and service together',
  });

/** Lab services as targets of resource faults: `{ lab, host?, service? }` (all services of the lab without them). */
export const labServiceQuerySchema = z
  .object({ lab: z.string().min(1), host: z.string().min(1).optional(), service: z.string().min(1).optional() })
  .strict();

/** Network targets (`network.*`, `stress.*`): a lab's hosts, named namespaces, or this machine. */
export const networkQuerySchema = z
  .object({
    lab: z.string().min(1).optional(),
    hosts: oneOrManyList.optional(),
    netns: oneOrManyList.optional(),
    host: z.literal(true).optional(),
    /** Network device for netns/host targets (default: the device of the default route, else the first non-lo). */
    device: z.string().min(1).optional(),
  })
  .strict()
  .refine((q) => [q.lab, q.netns, q.host].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of lab (with optional hosts), netns, host: true',
  });

/** Default proxy server: Toxiproxy's port on loopback. */
export const DEFAULT_PROXY_URL = 'http://127.0.0.1:8474';

/** Proxies on a Toxiproxy-compatible server (`proxy.*`). */
export const proxyQuerySchema = z
  .object({
    /** Proxy name, or names; omitted = every proxy on the server. */
    proxy: oneOrMany.optional(),
    /** Server URL (default http://127.0.0.1:8474). */
    url: z.string().min(1).default(DEFAULT_PROXY_URL),
  })
  .strict();

/** Failpoint endpoints of processes (`failpoint.*`). */
export const failpointQuerySchema = z
  .object({ address: oneOrMany.optional(), announce: oneOrMany.optional(), token: z.string().min(1).optional() })
  .strict()
  .refine((q) => q.address !== undefined || q.announce !== undefined, {
    message: 'name the process: "announce" (its announce file) or "address" (http://host:port or unix:/path)',
  });

/** Chaos DNS servers (`dns.*`): a control API, or a running lab with a `dns:` block. */
export const dnsApiQuerySchema = z.union([
  z.object({ api: z.union([z.url(), z.array(z.url()).min(1)]) }).strict(),
  z.object({ lab: z.string().min(1) }).strict(),
]);

/** A libfaketime clock file (`time.skew` of processes started under libfaketime with that file). */
export const clockQuerySchema = z.object({ clockFile: z.string().min(1) }).strict();

/** The opt-in label or annotation a Kubernetes object needs before turbulence acts on it (PowerfulSeal style). */
export const KUBE_OPT_IN = 'turbulence.io/enabled';

/** Fields every Kubernetes target query shares: which cluster, and the safety switches. */
const kubeCommon = {
  /** Namespace (default: the kubeconfig context's namespace, else `default`); `*` = every allowed namespace. */
  namespace: z.string().min(1).optional(),
  /** Label selector, kubectl syntax: `app=web,tier!=db,env in (a,b)`. Applied by the API server. */
  selector: z.string().min(1).optional(),
  /** Field selector, kubectl syntax: `status.phase=Running`. Applied by the API server. */
  field: z.string().min(1).optional(),
  /** Require the `turbulence.io/enabled=true` label or annotation on every target (default true). */
  optIn: z.boolean().default(true),
  /** Namespaces turbulence may act in (default: any but kube-system, kube-public and the agent's namespace). */
  allowNamespaces: oneOrManyList.optional(),
  /** Kubeconfig file (default `$KUBECONFIG`, `~/.kube/config`, or the in-cluster service account). */
  kubeconfig: z.string().min(1).optional(),
  /** Kubeconfig context (default: its current-context). */
  context: z.string().min(1).optional(),
};

/** Pods (`pod.*`): `--target namespace=NS --target selector=app=web --target node=N --target owner=deployment/web`. */
export const podQuerySchema = z
  .object({
    ...kubeCommon,
    /** A pod name. */
    name: z.string().min(1).optional(),
    /** Only pods scheduled on this node (`spec.nodeName`, server-side). */
    node: z.string().min(1).optional(),
    /** Only pods owned (through their ReplicaSet) by this workload: `deployment/web`, `statefulset/db`, `daemonset/x`. */
    owner: z
      .string()
      .regex(/^(deployment|statefulset|replicaset|daemonset|job)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i, {
        message: 'an owner is KIND/NAME with KIND one of deployment, statefulset, replicaset, daemonset, job',
      })
      .optional(),
  })
  .strict()
  .refine(
    (q) =>
      q.name !== undefined ||
      q.selector !== undefined ||
      q.field !== undefined ||
      q.node !== undefined ||
      q.owner !== undefined,
    {
      message: 'name the pods: give at least one of name, selector, field, node, owner',
    },
  );

/** Nodes (`node.*`): `--target name=node-1`, or `--target selector=pool=blue`. */
export const nodeQuerySchema = z
  .object({
    name: oneOrManyList.optional(),
    selector: kubeCommon.selector,
    field: kubeCommon.field,
    optIn: kubeCommon.optIn,
    kubeconfig: kubeCommon.kubeconfig,
    context: kubeCommon.context,
  })
  .strict()
  .refine((q) => q.name !== undefined || q.selector !== undefined || q.field !== undefined, {
    message: 'name the nodes: give name, selector or field',
  });

/** Workloads (`workload.*`): `--target name=deployment/web` (or `name=web --target kind=statefulset`), or a selector. */
export const workloadQuerySchema = z
  .object({
    ...kubeCommon,
    /** `web`, or `deployment/web`. */
    name: z.string().min(1).optional(),
    kind: z.enum(['deployment', 'statefulset', 'replicaset']).default('deployment'),
  })
  .strict()
  .refine((q) => q.name !== undefined || q.selector !== undefined || q.field !== undefined, {
    message: 'name the workload: give name (e.g. deployment/web) or selector',
  });
/**
 * A file (`config.*`): `{ path: FILE }`. A symlink is followed only when the file it leads to lies in the link's own
 * directory or under one of `allow` (directories); anything else is refused.
 */
export const fileQuerySchema = z.object({ path: z.string().min(1), allow: oneOrManyList.optional() }).strict();

/** A network endpoint a load is sent to (`load.*`): an HTTP(S) URL, or a raw TCP `host:port`. */
export const endpointQuerySchema = z.union([
  z.object({ url: z.url() }).strict(),
  z.object({ tcp: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'write host:port') }).strict(),
]);
/** `--target id=1234` reads as a number; a name or id prefix is text. */
const numberAsText = (v: unknown): unknown => (typeof v === 'number' ? String(v) : v);
const HEX_ID = /^[0-9a-f]{4,64}$/;
const ID_MESSAGE = 'a container id prefix is 4 to 64 lowercase hex digits';

/** `key=value` or `key` (present with any value): one Docker label filter. */
const LABEL = /^[^=,\s]+(=[^,]*)?$/;
const labelList = oneOrMany.transform((v, ctx) => {
  const out = [v]
    .flat()
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const l of out) {
    if (!LABEL.test(l)) ctx.addIssue({ code: 'custom', message: `label ${JSON.stringify(l)} is not key=value or key` });
  }
  return out;
});

/**
 * Docker containers (`container.*`): every given field must match (labels ANDed). `name` is an exact name, or
 * `re2:REGEX` searched in the name (Pumba's syntax); `id` is an id prefix. Containers labelled
 * `turbulence.skip=true` (or Pumba's `com.gaiaadm.pumba.skip`) and the runner's own container are never targets.
 *
 * @example
 * containerQuerySchema.parse({ label: 'app=web,tier=front', project: 'shop' });
 */
export const containerQuerySchema = z
  .object({
    /** Exact container name(s) (a leading `/` is ignored), or one `re2:REGEX`. */
    name: z.preprocess(numberAsText, oneOrManyList).optional(),
    /** Container id prefix(es), at least 4 hex digits. */
    id: z
      .preprocess(
        numberAsText,
        z.union([z.string().regex(HEX_ID, ID_MESSAGE), z.array(z.string().regex(HEX_ID, ID_MESSAGE)).min(1)]),
      )
      .transform((v) => [v].flat())
      .optional(),
    /** `key=value` labels (several, or comma-separated), all of which must match. */
    label: labelList.optional(),
    /** Docker Compose project (`com.docker.compose.project`). */
    project: z.string().min(1).optional(),
    /** Docker Compose service (`com.docker.compose.service`). */
    service: z.string().min(1).optional(),
    /** Also stopped containers (default: running and paused ones). */
    all: z.boolean().default(false),
  })
  .strict()
  .refine((q) => [q.name, q.id, q.label, q.project, q.service].some((v) => v !== undefined), {
    message: 'give at least one of name, id, label, project, service',
  });

/** A parsed container query. */
export type ContainerQuery = z.output<typeof containerQuerySchema>;

/**
 * A whole cgroup (`limit.cpu`, `limit.memory`, `limit.pids` write their limit on it in place, and put the previous
 * value back on revert): its path as `/proc/<pid>/cgroup` shows it, e.g. a container's
 * `/kubepods.slice/kubepods-pod1.slice/cri-containerd-4f1c….scope` (the Kubernetes agent passes these).
 */
export const cgroupQuerySchema = z
  .object({
    cgroup: z
      .string()
      .regex(/^\/./, { message: 'a cgroup path starting with / (not the root cgroup itself)' })
      .refine((p) => !p.split('/').includes('..'), { message: 'a cgroup path without ..' }),
  })
  .strict();
