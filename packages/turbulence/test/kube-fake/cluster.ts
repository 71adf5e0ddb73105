/**
 * The Kubernetes API semantics of the fake, over the raw {@link Store}: create/update/patch/delete with defaults,
 * validation, resourceVersion conflicts, status and scale subresources, dry runs, grace periods, finalizers,
 * garbage collection by owner reference, and CustomResourceDefinitions registering new types.
 *
 * Both the HTTP layer and the controller go through here. Tests reach it as `fake.cluster`: `get`/`list`/`put`/
 * `delete` take a resource name (`pods`, `deployments`, `deployments.apps`, `chaosengines.litmuschaos.io`) and
 * hand out copies.
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, KubeError, notFound } from './errors.js';
import { applyDefaults, crdResource, crdStatus, validate } from './kinds.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { apiVersionOf, keyOf, Registry, type ResourceDef } from './resources.js';
import {
  matchesFields,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
  type FieldTerm,
  type Requirement,
} from './selectors.js';
import { Store, type KubeObject, type ObjectMeta } from './store.js';

export type { KubeObject } from './store.js';

/** An object as tests write it: `metadata.name` required, the rest filled in like the API server does. */
export interface NewObject {
  apiVersion?: string;
  kind?: string;
  metadata: Partial<ObjectMeta> & { name: string };
  [k: string]: unknown;
}

/** Selection of a list or watch. */
export interface Selection {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** Options of a write. */
export interface WriteOptions {
  dryRun?: boolean;
  /** Write through the `status` subresource: only `status` changes. */
  status?: boolean;
}

/** Options of a delete (the `DeleteOptions` body and query). */
export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Patch content types. */
export type PatchType = 'merge' | 'strategic' | 'json';

/** Now as Kubernetes writes timestamps (RFC 3339, seconds). */
export const timestamp = (at = Date.now()): string => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
/** `n` random characters from the alphabet Kubernetes uses for generated names. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

const withoutMetaStatus = (o: KubeObject): string => {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
};

/** A compiled selection. */
interface Compiled {
  ns: string | undefined;
  labels: Requirement[];
  fields: FieldTerm[];
}

/** The cluster state with the API server's semantics. */
export class Cluster {
  readonly registry = new Registry();
  readonly store = new Store();
  /** Longest time a terminating pod stays before it is removed, ms (grace periods are shortened to this). */
  terminationMs = 200;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** The resource type named `name` (see the class doc); throws when unknown. */
  def(name: string): ResourceDef {
    return this.registry.resolve(name);
  }

  // ---- test-facing, copying --------------------------------------------------------------------------------

  /** A copy of one object, or undefined. */
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const d = this.def(resource);
    const o = this.store.get(keyOf(d), d.namespaced ? (namespace ?? 'default') : '', name);
    return o && structuredClone(o);
  }

  /** Copies of the matching objects, sorted by namespace/name. */
  list(resource: string, selection: Selection = {}): KubeObject[] {
    return this.select(this.def(resource), selection).map((o) => structuredClone(o));
  }

  /** Creates or replaces an object as given (defaults applied, no conflict check); returns a copy. */
  put(resource: string, object: NewObject): KubeObject {
    const d = this.def(resource);
    const ns = d.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const body = structuredClone(object) as KubeObject;
    const existing = this.store.get(keyOf(d), ns ?? '', body.metadata.name);
    if (!existing) return structuredClone(this.create(d, ns, body, {}, true));
    body.metadata.resourceVersion = existing.metadata.resourceVersion;
    return structuredClone(this.update(d, ns, body.metadata.name, body, {}, true));
  }

  /** Deletes an object now (no grace period); true when it existed. */
  delete(resource: string, namespace: string | undefined, name: string): boolean {
    try {
      this.remove(this.def(resource), namespace, name, { gracePeriodSeconds: 0 });
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.code === 404) return false;
      throw e;
    }
  }

  // ---- API semantics (stored objects, not copies) -----------------------------------------------------------

  /** Compiles a selection for this type; bad selectors are a 400. */
  compile(def: ResourceDef, s: Selection): Compiled {
    return {
      ns: def.namespaced ? s.namespace || undefined : undefined,
      labels: s.labelSelector ? parseLabelSelector(s.labelSelector) : [],
      fields: s.fieldSelector ? parseFieldSelector(s.fieldSelector, keyOf(def)) : [],
    };
  }

  /** Does a stored object match a compiled selection? */
  matches(c: Compiled, o: KubeObject): boolean {
    if (c.ns !== undefined && o.metadata.namespace !== c.ns) return false;
    return matchesRequirements(c.labels, o.metadata.labels) && matchesFields(c.fields, o);
  }

  /** Stored objects matching a selection (not copies: serialize, do not mutate). */
  select(def: ResourceDef, s: Selection): KubeObject[] {
    const c = this.compile(def, s);
    const all = this.store.list(keyOf(def), c.ns);
    if (c.labels.length === 0 && c.fields.length === 0) return all;
    return all.filter((o) => this.matches(c, o));
  }

  /** A stored object or a 404. */
  must(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.store.get(keyOf(def), def.namespaced ? (ns ?? '') : '', name);
    if (!o) throw notFound(def.plural, def.group, name);
    return o;
  }

  private checkNamespace(def: ResourceDef, ns: string | undefined): void {
    if (!def.namespaced) return;
    if (!ns) throw badRequest('the server could not find the requested resource: a namespace is required');
    if (!this.store.get('/namespaces', '', ns)) throw notFound('namespaces', '', ns);
  }

  /** POST: creates an object (`internal` skips the status reset, for the controller and tests). */
  create(def: ResourceDef, ns: string | undefined, body: KubeObject, opts: WriteOptions, internal = false): KubeObject {
    this.checkNamespace(def, ns);
    const meta = { ...(body.metadata ?? {}) };
    if (def.namespaced) {
      if (meta.namespace && meta.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = ns!;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!meta.name)
      throw new KubeError(
        422,
        'Invalid',
        `${def.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        {
          kind: def.kind,
          group: def.group,
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: name or generateName is required',
              field: 'metadata.name',
            },
          ],
        },
      );
    if (this.store.get(keyOf(def), ns ?? '', meta.name)) throw alreadyExists(def.plural, def.group, meta.name);
    const { status, ...rest } = body;
    const o: KubeObject = {
      ...rest,
      apiVersion: apiVersionOf(def.group, def.versions[0]!),
      kind: def.kind,
      metadata: { ...meta, uid: randomUUID(), resourceVersion: '', creationTimestamp: timestamp(), generation: 1 },
    };
    delete o.metadata.deletionTimestamp;
    if (status !== undefined && (internal || !def.subresources.status)) o.status = status;
    applyDefaults(def, o, !internal || status === undefined);
    validate(def, o);
    if (def.plural === 'customresourcedefinitions') o.status = crdStatus(o);
    if (opts.dryRun) return { ...o, metadata: { ...o.metadata, resourceVersion: String(this.store.rv) } };
    const stored = this.store.write(keyOf(def), o, 'ADDED');
    if (def.plural === 'customresourcedefinitions') this.registry.add(crdResource(stored));
    return stored;
  }

  /** PUT: replaces an object; a stale `metadata.resourceVersion` is a 409. */
  update(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: KubeObject,
    opts: WriteOptions,
    internal = false,
  ): KubeObject {
    const old = this.must(def, ns, name);
    const meta = body.metadata ?? {};
    if (meta.name && meta.name !== name)
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(def.plural, def.group, name);
    let o: KubeObject;
    if (opts.status) o = { ...old, status: body.status };
    else {
      o = {
        ...body,
        apiVersion: old.apiVersion,
        kind: old.kind,
        metadata: {
          ...meta,
          name,
          uid: old.metadata.uid,
          resourceVersion: old.metadata.resourceVersion,
          creationTimestamp: old.metadata.creationTimestamp,
          generation: old.metadata.generation ?? 1,
        },
      };
      if (def.namespaced) o.metadata.namespace = old.metadata.namespace!;
      if (old.metadata.deletionTimestamp) o.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined)
        o.metadata.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (def.subresources.status && !internal) {
        if (old.status === undefined) delete o.status;
        else o.status = old.status;
      }
      applyDefaults(def, o, false);
      validate(def, o);
      if (withoutMetaStatus(o) !== withoutMetaStatus(old)) o.metadata.generation = (old.metadata.generation ?? 1) + 1;
    }
    if (def.plural === 'customresourcedefinitions') o.status = crdStatus(o);
    if (opts.dryRun) return o;
    if (o.metadata.deletionTimestamp && !(o.metadata.finalizers?.length ?? 0) && def.plural !== 'pods')
      return this.store.remove(keyOf(def), o);
    const stored = this.store.write(keyOf(def), o, 'MODIFIED');
    if (def.plural === 'customresourcedefinitions') this.registry.add(crdResource(stored));
    return stored;
  }

  /** PATCH in one of the three formats; `metadata.resourceVersion` in a merge patch is a precondition. */
  patch(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions,
  ): KubeObject {
    const old = this.must(def, ns, name);
    const next = this.patched(old, type, patch);
    return this.update(def, ns, name, next, opts);
  }

  /** The object `old` with `patch` applied (not stored). */
  patched(old: KubeObject, type: PatchType, patch: unknown): KubeObject {
    const base = structuredClone(old);
    let next: unknown;
    if (type === 'json') next = jsonPatch(base, patch);
    else if (type === 'strategic') next = strategicMergePatch(base, patch);
    else next = mergePatch(base, patch);
    if (typeof next !== 'object' || next === null) throw badRequest('the patch did not produce an object');
    const out = next as KubeObject;
    const rv = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
    if (type === 'json' || !rv) out.metadata = { ...out.metadata, resourceVersion: '' };
    return out;
  }

  /**
   * DELETE: pods with a grace period go Terminating first (shortened to {@link terminationMs}), objects with
   * finalizers wait for them, dependents are deleted (Background, Foreground) or released (Orphan).
   */
  remove(def: ResourceDef, ns: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const o = this.must(def, ns, name);
    const pre = opts.preconditions;
    if (
      (pre?.uid && pre.uid !== o.metadata.uid) ||
      (pre?.resourceVersion && pre.resourceVersion !== o.metadata.resourceVersion)
    )
      throw conflict(def.plural, def.group, name);
    if (opts.dryRun) return o;
    const key = keyOf(def);
    if (def.group === '' && def.plural === 'pods') {
      const spec = o.spec as { terminationGracePeriodSeconds?: number; nodeName?: string } | undefined;
      const grace = opts.gracePeriodSeconds ?? spec?.terminationGracePeriodSeconds ?? 30;
      if (grace > 0 && spec?.nodeName) {
        if (o.metadata.deletionTimestamp) return o;
        const terminating = this.store.write(
          key,
          {
            ...o,
            metadata: {
              ...o.metadata,
              deletionTimestamp: timestamp(Date.now() + grace * 1000),
              deletionGracePeriodSeconds: grace,
            },
          },
          'MODIFIED',
        );
        this.later(Math.min(grace * 1000, this.terminationMs), () => {
          const cur = this.store.get(key, o.metadata.namespace ?? '', name);
          if (cur?.metadata.uid === o.metadata.uid) this.store.remove(key, cur);
        });
        return terminating;
      }
    }
    if (o.metadata.finalizers?.length) {
      if (o.metadata.deletionTimestamp) return o;
      return this.store.write(key, { ...o, metadata: { ...o.metadata, deletionTimestamp: timestamp() } }, 'MODIFIED');
    }
    const policy = opts.propagationPolicy ?? 'Background';
    if (policy === 'Foreground') this.collect(o, 'delete');
    const gone = this.store.remove(key, o);
    if (policy === 'Orphan') this.collect(o, 'orphan');
    else if (policy === 'Background') this.later(0, () => this.collect(o, 'delete'));
    this.afterRemove(def, o);
    return gone;
  }

  private afterRemove(def: ResourceDef, o: KubeObject): void {
    if (def.plural === 'customresourcedefinitions') {
      const crd = crdResource(o);
      this.store.dropAll(keyOf(crd));
      this.registry.remove(keyOf(crd));
    }
    if (def.plural === 'namespaces' && def.group === '') {
      for (const d of this.registry.all())
        if (d.namespaced) for (const x of this.store.list(keyOf(d), o.metadata.name)) this.store.remove(keyOf(d), x);
    }
  }

  /** The garbage collector: deletes or releases objects owned by `owner`. */
  private collect(owner: KubeObject, how: 'delete' | 'orphan'): void {
    for (const d of this.registry.all()) {
      const key = keyOf(d);
      const scope = d.namespaced ? owner.metadata.namespace : undefined;
      if (d.namespaced && scope === undefined) continue;
      for (const x of this.store.list(key, scope)) {
        const refs = x.metadata.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === owner.metadata.uid)) continue;
        if (how === 'orphan') {
          const left = refs.filter((r) => r.uid !== owner.metadata.uid);
          const { ownerReferences: _, ...meta } = x.metadata;
          this.store.write(
            key,
            { ...x, metadata: left.length ? { ...meta, ownerReferences: left } : meta },
            'MODIFIED',
          );
        } else if (this.store.get(key, x.metadata.namespace ?? '', x.metadata.name)) {
          this.remove(d, x.metadata.namespace, x.metadata.name, { propagationPolicy: 'Background' });
        }
      }
    }
  }

  /** Runs `fn` after `ms` unless the cluster is closed; errors of `fn` are ignored (the object moved on). */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch {
        // the object changed meanwhile; the controller converges on its next pass
      }
    }, ms);
    this.timers.add(t);
  }

  /** Cancels pending timers. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
