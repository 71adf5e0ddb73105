/**
 * Ours: the schema of the `k8s` provider, apart from its implementation so the experiment schema can be assembled
 * without loading the Kubernetes client.
 */
import { z } from 'zod';
import { strictObject } from '../experiment/strict.js';

/**
 * `{type: "k8s", probe, ...}`: `pods-ready` (count of Ready pods for `selector`), `deployment-available`
 * (`status.availableReplicas` of Deployment `name`), `field` (a field of any object by a kubectl-style jsonpath).
 */
export const k8sObject = strictObject(
  {
    type: z.literal('k8s'),
    probe: z.enum(['pods-ready', 'deployment-available', 'field'], {
      error: 'probe must be pods-ready, deployment-available or field',
    }),
    /** Namespace (default: the kubeconfig context's, else `default`). */
    namespace: z.string().min(1).optional(),
    /** Label selector (`pods-ready`). */
    selector: z.string().min(1).optional(),
    /** Object name (`deployment-available`, `field`). */
    name: z.string().min(1).optional(),
    /** `field`: the object's apiVersion and kind, e.g. `apps/v1` + `Deployment`, `v1` + `Node`. */
    apiVersion: z.string().min(1).optional(),
    kind: z.string().min(1).optional(),
    /** `field`: a kubectl-style jsonpath, e.g. `{.status.readyReplicas}` or `.spec.unschedulable`. */
    jsonpath: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
  },
  'the k8s provider',
)
  .refine((p) => p.probe !== 'pods-ready' || p.selector !== undefined, {
    message: 'pods-ready needs a selector, e.g. selector: app=web',
    path: ['selector'],
  })
  .refine((p) => p.probe === 'pods-ready' || p.name !== undefined, {
    message: 'this probe needs the object name',
    path: ['name'],
  })
  .refine((p) => p.probe !== 'field' || (p.apiVersion && p.kind && p.jsonpath), {
    message: 'a field probe needs apiVersion, kind and jsonpath',
    path: ['jsonpath'],
  });

/** Ours: `{type: "k8s", ...}`: read-only measurements of a Kubernetes cluster. */
export type K8sProvider = z.output<typeof k8sObject>;

/** Schema of the `k8s` provider. */
export const k8sSchema: z.ZodType<K8sProvider> = k8sObject;
