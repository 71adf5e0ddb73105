/**
 * Raw storage of the Kubernetes API fake: objects by resource type, namespace and name, one global
 * resourceVersion counter, and a bounded log of changes that watches replay from.
 *
 * Objects are stored as written and never mutated afterwards (a write replaces the object), so readers may
 * serialize them without copying; callers that hand objects out to tests clone them.
 */

/** `metadata` of a stored object (fields the fake uses; others pass through). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [k: string]: unknown;
}

/** An owner reference, as the controller and the garbage collector use it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A stored object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

/** A change, as watches see it. */
export interface Change {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Storage key of the resource type (`group/plural`). */
  key: string;
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED change (watches with selectors turn it into ADDED/DELETED). */
  old?: KubeObject;
}

/** Objects of one resource type, indexed by namespace ('' for cluster-scoped). */
class Table {
  readonly byNs = new Map<string, Map<string, KubeObject>>();
  private sorted = new Map<string, KubeObject[]>();
  size = 0;

  get(ns: string, name: string): KubeObject | undefined {
    return this.byNs.get(ns)?.get(name);
  }

  set(ns: string, name: string, obj: KubeObject): void {
    let m = this.byNs.get(ns);
    if (!m) this.byNs.set(ns, (m = new Map()));
    if (!m.has(name)) this.size++;
    m.set(name, obj);
    this.sorted.delete(ns);
  }

  delete(ns: string, name: string): void {
    const m = this.byNs.get(ns);
    if (m?.delete(name)) {
      this.size--;
      this.sorted.delete(ns);
      if (m.size === 0) this.byNs.delete(ns);
    }
  }

  /** Objects of one namespace (or all, namespace undefined) sorted by namespace then name; cached per namespace. */
  ordered(ns: string | undefined): KubeObject[] {
    if (ns !== undefined) return this.orderedNs(ns);
    const out: KubeObject[] = [];
    for (const n of [...this.byNs.keys()].sort()) for (const o of this.orderedNs(n)) out.push(o);
    return out;
  }

  private orderedNs(ns: string): KubeObject[] {
    let list = this.sorted.get(ns);
    if (!list) {
      const m = this.byNs.get(ns);
      list = m ? [...m.keys()].sort().map((k) => m.get(k)!) : [];
      this.sorted.set(ns, list);
    }
    return list;
  }
}

/** How many changes watches can replay; older resourceVersions get 410 Gone. */
export const LOG_CAPACITY = 20_000;

/** The store: tables, the resourceVersion counter and the change log. */
export class Store {
  private readonly tables = new Map<string, Table>();
  private readonly log: Change[] = [];
  private readonly listeners = new Set<(c: Change) => void>();
  rv = 1;

  private table(key: string): Table {
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = new Table()));
    return t;
  }

  get(key: string, ns: string, name: string): KubeObject | undefined {
    return this.tables.get(key)?.get(ns, name);
  }

  /** Stored objects of a type, sorted by namespace/name, in one namespace or all. Not copies: do not mutate. */
  list(key: string, ns?: string): KubeObject[] {
    return this.tables.get(key)?.ordered(ns) ?? [];
  }

  count(key: string): number {
    return this.tables.get(key)?.size ?? 0;
  }

  /** Namespaces that hold objects of a type. */
  namespacesOf(key: string): string[] {
    return [...(this.tables.get(key)?.byNs.keys() ?? [])];
  }

  /** Stores `obj` (stamping the next resourceVersion) and tells watchers. */
  write(key: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    const rv = ++this.rv;
    obj.metadata.resourceVersion = String(rv);
    const t = this.table(key);
    const old = t.get(obj.metadata.namespace ?? '', obj.metadata.name);
    t.set(obj.metadata.namespace ?? '', obj.metadata.name, obj);
    this.emit(old ? { type, key, rv, object: obj, old } : { type, key, rv, object: obj });
    return obj;
  }

  /** Removes an object; the DELETED event carries it with a fresh resourceVersion, as Kubernetes does. */
  remove(key: string, obj: KubeObject): KubeObject {
    const rv = ++this.rv;
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    this.table(key).delete(obj.metadata.namespace ?? '', obj.metadata.name);
    this.emit({ type: 'DELETED', key, rv, object: gone });
    return gone;
  }

  /** Drops every object of a type (a deleted CRD), with DELETED events. */
  dropAll(key: string): void {
    for (const o of this.list(key)) this.remove(key, o);
    this.tables.delete(key);
  }

  private emit(c: Change): void {
    this.log.push(c);
    if (this.log.length > LOG_CAPACITY) this.log.splice(0, this.log.length - LOG_CAPACITY);
    for (const l of this.listeners) l(c);
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Changes after `rv`, or undefined when the log no longer reaches back that far (410 Gone). */
  since(rv: number): Change[] | undefined {
    const first = this.log[0];
    if (rv >= this.rv) return [];
    if (!first || first.rv > rv + 1) return undefined;
    // The log is sorted by rv: binary search for the first change after rv.
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }
}
