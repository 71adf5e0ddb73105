/**
 * @module The target layer: one resolver per target type, one line each. A fault driver declares the types it
 * accepts (`targets: ['process']`) and resolves through them; the fault manager guards what comes back
 * (`./guard.ts`). A new target type (a Docker container, a Kubernetes pod) is one resolver file plus one line here.
 *
 *   target query ──resolver──▶ Target { id, type, name, attributes } ──guard (fault manager)──▶ select ──▶ driver
 */
import { resolveCgroups } from './cgroup.js';
import { resolveClocks } from './clock.js';
import { resolveContainers } from './container.js';
import { resolveDnsApis } from './dns.js';
import { resolveEndpoints } from './endpoint.js';
import { resolveFailpointTargets } from './failpoint.js';
import { resolveNodes, resolvePods, resolveWorkloads } from './kubernetes.js';
import { resolveFiles } from './file.js';
import { resolveProcessTargets } from './lab-service.js';
import { resolveNetworkTargets } from './netns.js';
import { resolveProxies } from './proxy.js';
import type { TargetResolver } from './types.js';

export type { TargetQuery, TargetResolver } from './types.js';

/** Every target type, one line each. */
export const resolvers: readonly TargetResolver[] = [
  {
    type: 'process',
    summary: 'a process on this machine, by /proc, or a service of a lab that is up',
    keys: ['pid', 'name', 'cmdline', 'pidfile', 'managed', 'lab', 'host', 'service'],
    resolve: resolveProcessTargets,
  },
  {
    type: 'cgroup',
    summary: 'one cgroup, by its path (limit.* write their limit on it in place; the Kubernetes agent uses it)',
    keys: ['cgroup'],
    resolve: resolveCgroups,
  },
  {
    type: 'netns',
    summary: 'a network namespace: a lab host, a named namespace, or this machine',
    keys: ['lab', 'hosts', 'netns', 'host', 'device'],
    resolve: resolveNetworkTargets,
  },
  {
    type: 'proxy',
    summary: 'a proxy on a Toxiproxy-compatible server',
    keys: ['proxy', 'url'],
    resolve: resolveProxies,
  },
  {
    type: 'failpoint',
    summary: 'the failpoints control endpoint of a process embedding @turbulence/failpoints',
    keys: ['announce', 'address', 'token'],
    resolve: resolveFailpointTargets,
  },
  {
    type: 'dns-server',
    summary: 'the control API of a chaos DNS server, or of a lab that has one',
    keys: ['api', 'lab'],
    resolve: resolveDnsApis,
  },
  {
    type: 'clock',
    summary: 'the offset file of a process started under libfaketime',
    keys: ['clockFile'],
    resolve: resolveClocks,
  },
  {
    type: 'pod',
    summary: 'Kubernetes pods by namespace, label/field selector, name, node or owner (opted in, allowed namespaces)',
    keys: [
      'namespace',
      'selector',
      'field',
      'name',
      'node',
      'owner',
      'optIn',
      'allowNamespaces',
      'kubeconfig',
      'context',
    ],
    resolve: resolvePods,
  },
  {
    type: 'node',
    summary: 'Kubernetes nodes by name or label/field selector (opted in)',
    keys: ['name', 'selector', 'field', 'optIn', 'kubeconfig', 'context'],
    resolve: resolveNodes,
  },
  {
    type: 'workload',
    summary: 'a Deployment, StatefulSet or ReplicaSet by name (deployment/web) or selector',
    keys: ['namespace', 'name', 'kind', 'selector', 'field', 'optIn', 'allowNamespaces', 'kubeconfig', 'context'],
    resolve: resolveWorkloads,
  },
  {
    type: 'file',
    summary: 'a text file (configuration: YAML, JSON, TOML, INI, .env), by path',
    keys: ['path', 'allow'],
    resolve: resolveFiles,
  },
  {
    type: 'endpoint',
    summary: 'a network endpoint a load is sent to: an HTTP(S) URL or a TCP host:port',
    keys: ['url', 'tcp'],
    resolve: resolveEndpoints,
  },
  {
    type: 'container',
    summary: 'a Docker container, by name, re2:REGEX, id prefix, labels or compose project/service',
    keys: ['name', 'id', 'label', 'project', 'service', 'all'],
    resolve: resolveContainers,
  },
];

/** The resolver of a target type, or undefined. */
export function getResolver(type: string): TargetResolver | undefined {
  return resolvers.find((r) => r.type === type);
}
