/**
 * @module The edits of `config.set`, `config.delete` and `config.corrupt` (pure: bytes in, bytes out; the RNG of
 * mode `bytes` comes from the run, so a seed replays the same corruption).
 */
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { EditFn } from './file-driver.js';
import { formatKeyPath, parseKeyPath } from './key-path.js';
import type { corruptParams, deleteParams, setParams } from './schema.js';
import type { z } from 'zod';

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const asJson = (v: unknown): JsonValue =>
  v === undefined
    ? null
    : (JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? x.toISOString() : x))) as JsonValue);

/** `config.set`: the value at a key path. */
export const setEdit: EditFn<z.output<typeof setParams>> = ({ file, text: t, format, params }) => {
  const path = parseKeyPath(params.key);
  let before: unknown;
  try {
    before = format.get(file, t, path);
  } catch (err) {
    if (!params.create) throw err;
  }
  const out = format.set(file, t, path, params.value, params.create);
  return {
    bytes: text(out),
    detail: { key: formatKeyPath(path), before: asJson(before), after: asJson(params.value) },
  };
};

/** `config.delete`: removes a key. */
export const deleteEdit: EditFn<z.output<typeof deleteParams>> = ({ file, text: t, format, params }) => {
  const path = parseKeyPath(params.key);
  const before = format.get(file, t, path);
  return { bytes: text(format.remove(file, t, path)), detail: { key: formatKeyPath(path), before: asJson(before) } };
};

/**
 * A value of another type than `v`: numbers and booleans become words, words become a number, maps and lists
 * become words. In INI and .env (no types) the shape changes the same way.
 */
export function wrongType(v: unknown): { value: unknown; was: string } {
  if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())))
    return { value: 'not-a-number', was: 'number' };
  if (typeof v === 'boolean' || (typeof v === 'string' && /^(true|false|yes|no|on|off)$/i.test(v.trim())))
    return { value: 'not-a-boolean', was: 'boolean' };
  if (Array.isArray(v)) return { value: 'not-a-list', was: 'list' };
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) return { value: 'not-a-map', was: 'map' };
  if (v === null) return { value: 'not-null', was: 'null' };
  return { value: 12345, was: 'string' };
}

type CorruptParams = z.output<typeof corruptParams>;

/** `config.corrupt`: truncate, break the syntax, give a key the wrong type, or overwrite random bytes. */
export const corruptEdit: EditFn<CorruptParams> = ({ file, bytes, text: t, format, params, ctx }) => {
  const detail: JsonObject = { mode: params.mode };
  if (bytes.length === 0 && (params.mode === 'truncate' || params.mode === 'bytes')) {
    throw new TurbulenceError(
      ErrorCodes.TARGET_REFUSED,
      `${file} is empty: nothing to ${params.mode === 'bytes' ? 'overwrite' : 'truncate'}`,
      {
        location: { file },
        hint: 'use --param mode=syntax to make an empty file invalid',
      },
    );
  }
  switch (params.mode) {
    case 'truncate': {
      const keep = Math.floor(bytes.length * params.keep);
      return { bytes: bytes.subarray(0, keep), detail: { ...detail, bytesBefore: bytes.length, bytesAfter: keep } };
    }
    case 'syntax': {
      const out = format.breakSyntax(t);
      try {
        format.check(file, out);
      } catch {
        return { bytes: text(out), detail };
      }
      throw new TurbulenceError(ErrorCodes.INTERNAL, `could not make ${file} invalid ${format.name}`);
    }
    case 'type': {
      const path = parseKeyPath(params.key ?? '');
      const before = format.get(file, t, path);
      const { value, was } = wrongType(before);
      const out = format.set(file, t, path, value, false);
      return {
        bytes: text(out),
        detail: { ...detail, key: formatKeyPath(path), was, before: asJson(before), after: asJson(value) },
      };
    }
    case 'bytes': {
      const out = Buffer.from(bytes);
      const count = Math.min(params.count, out.length);
      const offsets: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const at = ctx.rng.int(out.length);
        out[at] = (out[at]! ^ (1 + ctx.rng.int(255))) & 0xff; // never the byte that was there
        offsets.push(at);
      }
      return { bytes: out, detail: { ...detail, offsets: offsets.slice(0, 64) } };
    }
  }
};
