/**
 * The three patch formats of the Kubernetes API: JSON merge patch (RFC 7386), strategic merge patch (merge patch
 * plus merge keys for the lists the fake's users touch) and JSON patch (RFC 6902). Pure functions over plain JSON.
 */
import { KubeError } from './errors.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge, `null` removes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Merge keys of the lists that strategic merge patch merges instead of replacing (field name → key), after the
 * `patchMergeKey` tags of the Kubernetes types. Lists not named here are replaced, as for atomic lists.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  taints: 'key',
  conditions: 'type',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  addresses: 'type',
  containerStatuses: 'name',
};
/** Lists of scalars merged as sets. */
const MERGE_SETS = new Set(['finalizers']);

/** Strategic merge patch for the fields the fake's users patch (see {@link MERGE_KEYS}). */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v) && MERGE_KEYS[k] && Array.isArray(out[k])) out[k] = mergeList(out[k], v, MERGE_KEYS[k]);
    else if (Array.isArray(v) && MERGE_SETS.has(k) && Array.isArray(out[k]))
      out[k] = [...new Set([...(out[k] as Json[]), ...v])];
    else if (isObject(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = structuredClone(v);
  }
  return out;
}

function mergeList(target: Json[], patch: Json[], key: string): Json[] {
  const out = [...target];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = out.findIndex((t) => isObject(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMergePatch(out[at], item);
    else out.push(strategicMergePatch({}, item));
  }
  return out;
}

const invalidPatch = (message: string): KubeError => new KubeError(422, 'Invalid', message);

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw invalidPatch(`json patch: path "${path}" does not start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: JsonObject | Json[]; last: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw invalidPatch(`json patch: path "${path}" does not exist`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw invalidPatch(`json patch: path "${path}" does not exist`);
  return { parent: cur, last: parts[parts.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw invalidPatch(`json patch: path "${path}" does not exist`);
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw invalidPatch(`json patch: index "${path}" out of range`);
    return parent.splice(i, 1)[0];
  }
  if (!(last in parent)) throw invalidPatch(`json patch: path "${path}" does not exist`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length) || (replace && i >= parent.length))
      throw invalidPatch(`json patch: index "${path}" out of range`);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else {
    if (replace && !(last in parent)) throw invalidPatch(`json patch: path "${path}" does not exist`);
    parent[last] = structuredClone(value);
  }
  return doc;
}

/** RFC 6902 operations; a failed `test` or a missing path is a 422. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new KubeError(400, 'BadRequest', 'json patch: the patch is not a list of operations');
  let doc = structuredClone(target);
  for (const raw of ops) {
    const op = raw as { op?: string; path?: string; from?: string; value?: Json };
    const path = op.path ?? '';
    switch (op.op) {
      case 'add':
        doc = addAt(doc, path, op.value, false);
        break;
      case 'replace':
        doc = addAt(doc, path, op.value, true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move':
        doc = addAt(doc, path, removeAt(doc, op.from ?? ''), false);
        break;
      case 'copy':
        doc = addAt(doc, path, getAt(doc, op.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value))
          throw invalidPatch(`json patch: test operation for path "${path}" failed`);
        break;
      default:
        throw new KubeError(400, 'BadRequest', `json patch: unknown operation "${String(op.op)}"`);
    }
  }
  return doc;
}
