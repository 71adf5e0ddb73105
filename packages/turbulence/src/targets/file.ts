/**
 * @module Files as targets (type `file`, for `config.*`): `{ path: FILE, allow?: DIRS }`. The id is `file:<real
 * path>`; the attributes record what the file was when it was resolved (sha256, size, mode, owner), so the ledger
 * holds them before a fault changes anything.
 *
 * Refused: a missing path, anything but a regular file, a file over {@link MAX_FILE_BYTES}, a binary file (a NUL
 * byte, or not UTF-8), and a symlink whose real file lies outside the link's directory and every `allow` directory.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ErrorCodes, TurbulenceError } from '../core/errors.js';
import type { Target } from '../core/fault.js';
import type { JsonObject } from '../core/json.js';
import { fileQuerySchema } from './queries.js';

/** Largest file a file target may be (16 MiB). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Hex sha256 of some bytes. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const refuse = (file: string, message: string, hint: string): TurbulenceError =>
  new TurbulenceError(ErrorCodes.TARGET_REFUSED, message, { location: { file }, hint });

const inside = (dir: string, file: string): boolean => {
  const rel = relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

/** Throws unless `bytes` look like text: no NUL byte, valid UTF-8. */
export function assertText(file: string, bytes: Uint8Array): void {
  const nul = bytes.indexOf(0);
  let utf8 = true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    utf8 = false;
  }
  if (nul >= 0 || !utf8) {
    throw refuse(
      file,
      `${file} is a binary file (${nul >= 0 ? `a NUL byte at offset ${nul}` : 'not valid UTF-8'}); config faults edit text files only`,
      'name the configuration file itself (YAML, JSON, TOML, INI or .env)',
    );
  }
}

/**
 * The real path of a file query's `path`, following a symlink only into the link's directory or an `allow` dir.
 *
 * @example
 * await realFile({ path: 'config.yaml' }); // '/srv/app/config.yaml'
 */
export async function realFile(query: { path: string; allow?: string[] | undefined }): Promise<string> {
  const given = resolve(query.path);
  const st = await lstat(given).catch(() => undefined);
  if (!st) {
    const dirOk = await stat(dirname(given)).catch(() => undefined);
    throw refuse(
      given,
      dirOk ? `${given} does not exist` : `${given}: directory ${dirname(given)} does not exist`,
      'check the path for a typo (relative paths are relative to the directory turbulence runs in)',
    );
  }
  if (!st.isSymbolicLink()) return given;
  const real = await realpath(given).catch(() => undefined);
  if (!real) throw refuse(given, `${given} is a symlink that leads nowhere`, 'name the file itself');
  const roots = [dirname(given), ...(query.allow ?? [])];
  for (const root of roots) {
    const r = await realpath(resolve(root)).catch(() => undefined);
    if (r && inside(r, real)) return real;
  }
  throw refuse(
    given,
    `${given} is a symlink to ${real}, outside ${dirname(given)}${query.allow ? ` and ${query.allow.join(', ')}` : ''}; refusing to follow it`,
    `name ${real} directly, or allow its directory: --target allow=${dirname(real)}`,
  );
}

/**
 * The file a query names, with its sha256, size, mode and owner.
 *
 * @example
 * const [t] = await resolveFiles({ path: './config.yaml' }); // t.id = 'file:/abs/config.yaml'
 */
export async function resolveFiles(query: JsonObject | undefined): Promise<Target[]> {
  const parsed = fileQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    throw new TurbulenceError(ErrorCodes.FAULT_INVALID_PARAMS, 'a file target is { path: FILE }', {
      location: { path: ['target'] },
      hint: 'e.g. --target path=./config.yaml',
    });
  }
  const file = await realFile(parsed.data);
  const st = await stat(file);
  if (!st.isFile()) throw refuse(file, `${file} is not a regular file`, 'name a configuration file');
  if (st.size > MAX_FILE_BYTES) {
    throw refuse(
      file,
      `${file} is ${st.size} bytes, over the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit of file targets`,
      'config faults are for configuration files, not data',
    );
  }
  const bytes = await readFile(file);
  assertText(file, bytes);
  const attributes: JsonObject = {
    path: file,
    sha256: sha256(bytes),
    size: bytes.length,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
  };
  return [{ id: `file:${file}`, type: 'file', name: file, attributes }];
}
