/**
 * The fake's RBAC: everything is allowed except what `forbid` rules name. Requests and
 * SelfSubjectAccessReviews ask the same function, so `kubectl auth can-i` and a 403 always agree.
 */
import { KubeError } from './errors.js';

/** A denied permission: `verb` (or '*') on `resource` (`pods`, `pods/eviction`, `deployments/scale`, or '*'). */
export interface ForbidRule {
  verb: string;
  /** API group ('' for core); omitted: any group. */
  group?: string;
  resource: string;
  /** Only in this namespace; omitted: everywhere (cluster scope included). */
  namespace?: string;
}

/** What a request asks to do. */
export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** The user the fake's kubeconfig authenticates as. */
export const FAKE_USER = 'kube-fake:tester';

/** The rule denying `a`, if any. */
export function denying(rules: readonly ForbidRule[], a: Attributes): ForbidRule | undefined {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rules.find(
    (r) =>
      (r.verb === '*' || r.verb === a.verb) &&
      (r.group === undefined || r.group === '*' || r.group === a.group) &&
      (r.resource === '*' || r.resource === resource) &&
      (r.namespace === undefined || r.namespace === a.namespace),
  );
}

/** The 403 the API server answers for a denied request. */
export function forbidden(a: Attributes): KubeError {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.name
    ? `${a.group ? `${a.resource}.${a.group}` : a.resource} "${a.name}"`
    : a.group
      ? `${a.resource}.${a.group}`
      : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return new KubeError(
    403,
    'Forbidden',
    `${what} is forbidden: User "${FAKE_USER}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`,
    { ...(a.name ? { name: a.name } : {}), group: a.group, kind: a.resource },
  );
}
