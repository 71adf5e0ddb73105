/**
 * The one protobuf body kubectl sends to this fake: a SelfSubjectAccessReview (`kubectl auth can-i` speaks
 * protobuf to built-in types). Decodes the Kubernetes envelope (`k8s\0` + runtime.Unknown) and the fields of the
 * review's resource attributes; every other protobuf body is refused with 415.
 */
import { KubeError } from './errors.js';

type Fields = Map<number, Array<Buffer | number>>;

function varint(buf: Buffer, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    if (b === undefined) throw new KubeError(400, 'BadRequest', 'truncated protobuf body');
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [v, at];
  }
}

/** Top-level fields of a protobuf message: varints as numbers, length-delimited as buffers. */
export function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    at = next;
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) [value, at] = varint(buf, at);
    else if (wire === 2) {
      const [len, start] = varint(buf, at);
      value = buf.subarray(start, start + len);
      at = start + len;
    } else if (wire === 1) {
      value = 0;
      at += 8;
    } else if (wire === 5) {
      value = 0;
      at += 4;
    } else throw new KubeError(400, 'BadRequest', `unsupported protobuf wire type ${wire}`);
    out.set(no, [...(out.get(no) ?? []), value]);
  }
  return out;
}

const str = (f: Fields, no: number): string => {
  const v = f.get(no)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : '';
};
const msg = (f: Fields, no: number): Fields => {
  const v = f.get(no)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : (new Map() as Fields);
};

/** Decodes a protobuf SelfSubjectAccessReview into its JSON form; other kinds are a 415. */
export function decodeProtobuf(body: Buffer): unknown {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0')
    throw new KubeError(400, 'BadRequest', 'protobuf body without the k8s envelope');
  const unknown = fields(body.subarray(4));
  const typeMeta = msg(unknown, 1);
  const kind = str(typeMeta, 2);
  if (kind !== 'SelfSubjectAccessReview')
    throw new KubeError(
      415,
      'UnsupportedMediaType',
      `kube-fake: protobuf bodies are only understood for SelfSubjectAccessReview (got ${kind || 'unknown kind'}); send application/json`,
    );
  const review = msg(unknown, 2);
  const spec = msg(review, 2);
  const ra = spec.has(1) ? msg(spec, 1) : undefined;
  const nra = spec.has(2) ? msg(spec, 2) : undefined;
  return {
    apiVersion: str(typeMeta, 1),
    kind,
    spec: {
      ...(ra
        ? {
            resourceAttributes: {
              namespace: str(ra, 1),
              verb: str(ra, 2),
              group: str(ra, 3),
              version: str(ra, 4),
              resource: str(ra, 5),
              subresource: str(ra, 6),
              name: str(ra, 7),
            },
          }
        : {}),
      ...(nra ? { nonResourceAttributes: { path: str(nra, 1), verb: str(nra, 2) } } : {}),
    },
  };
}
