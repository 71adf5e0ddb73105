/**
 * Loading an experiment from a local file, an http(s) URL or a TS object (Chaos Toolkit format §1).
 *
 * JSON and YAML both go through the `yaml` package with a `LineCounter`, so every key path maps to a
 * `line:column` ({@link PositionIndex}); JSON values come from `JSON.parse` so JSON semantics stay exact.
 * Loading does not validate: call `validateExperiment` or `assertValid` next.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import {
  Lexer,
  LineCounter,
  isAlias,
  isCollection,
  isPair,
  parseDocument,
  type Document,
  type YAMLError,
  type YAMLWarning,
} from 'yaml';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { noPositions, positionIndex, type PositionIndex } from './positions.js';
import type { Experiment } from './types.js';
import { translateForeign, type Dialect } from './formats/detect.js';

/** How the experiment was written. `object` is a TS object given to {@link loadExperimentObject}. */
export type ExperimentFormat = 'json' | 'yaml' | 'object';

/** A parsed (not yet validated) experiment with what is needed to report errors against its source. */
export interface LoadedExperiment {
  experiment: Experiment;
  /** The path (absolute) or URL it came from, or `<object>`. */
  source: string;
  /** Directory relative module paths resolve from: the file's directory, else the cwd. */
  baseDir: string;
  format: ExperimentFormat;
  positions: PositionIndex;
  /** Which format the file was written in (absent = Chaos Toolkit); foreign ones are translated at load. */
  dialect?: Dialect;
  /** What the translation of a foreign format wants said (defaults it applied, tunables it ignored). */
  notes?: string[];
}

export interface LoadOptions {
  /** Environment for `CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN` (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Cancels a URL fetch. */
  signal?: AbortSignal;
  /** Time limit for a URL fetch in milliseconds (default 30 000). */
  timeoutMs?: number;
  /**
   * Chaos Toolkit settings `auths` by `host[:port]`: `Authorization: <type> <value>` for a URL on that host, when
   * `CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN` is not set (chaoslib/loader.py checks the variable first).
   */
  auths?: Record<string, { type: string; value: string }>;
  /** `false` (`--no-verify-tls`): accept any certificate when fetching a URL. */
  verifyTls?: boolean;
  /** Folder of LitmusChaos ChaosExperiment definitions (a ChaosHub checkout) for ChaosEngine files. */
  hub?: string;
}

/** Deeper nesting than this is refused: no experiment needs it, and it is how parsers are made to overflow. */
export const MAX_DEPTH = 100;
/** Larger files are refused (an experiment is a few kilobytes). */
export const MAX_BYTES = 4 * 1024 * 1024;
/** YAML aliases resolved per document, at most (an alias bomb expands exponentially). */
export const MAX_ALIASES = 100;

const YAML_TYPES = new Set(['application/x-yaml', 'application/yaml', 'text/yaml', 'text/x-yaml']);

/**
 * Loads an experiment from a `.json`, `.yaml` or `.yml` file or an http(s) URL.
 *
 * @example
 * const loaded = await loadExperiment('experiments/kill-one-replica.yaml');
 * const errors = await validateExperiment(loaded);
 */
export async function loadExperiment(source: string, opts: LoadOptions = {}): Promise<LoadedExperiment> {
  if (/^https?:\/\//i.test(source)) return loadUrl(source, opts);
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(source)) {
    throw loadError(`cannot load "${source}": only local paths and http(s) URLs are supported`);
  }
  return loadFile(source, opts.hub);
}

/**
 * Wraps a TS object as a loaded experiment (no positions; errors point at key paths).
 *
 * @example
 * const loaded = loadExperimentObject({ title: 't', description: 'd', method: [] });
 */
export function loadExperimentObject(
  experiment: Experiment | Record<string, unknown>,
  opts: { baseDir?: string; source?: string } = {},
): LoadedExperiment {
  const source = opts.source ?? '<object>';
  return {
    experiment: asExperiment(experiment, source, noPositions),
    source,
    baseDir: opts.baseDir ?? process.cwd(),
    format: 'object',
    positions: noPositions,
  };
}

/**
 * Parses experiment text that is already in memory.
 *
 * @example
 * const loaded = parseExperiment('title: t\ndescription: d\nmethod: []\n', 'yaml', { source: 'inline.yaml' });
 */
export function parseExperiment(
  text: string,
  format: 'json' | 'yaml',
  opts: { source?: string; baseDir?: string; hub?: string } = {},
): LoadedExperiment {
  const source = opts.source ?? `<${format}>`;
  if (text.length > MAX_BYTES) {
    throw loadError(`the experiment is larger than ${MAX_BYTES / 1024 / 1024} MiB`, {
      location: { file: source },
      hint: 'an experiment is a few kilobytes: is this the right file?',
    });
  }
  if (format === 'yaml') {
    const foreign = translateForeign(text, source, opts.hub === undefined ? {} : { hub: opts.hub });
    if (foreign) {
      const { experiment, positions, dialect, notes } = foreign;
      return { experiment, source, baseDir: opts.baseDir ?? process.cwd(), format, positions, dialect, notes };
    }
  }
  const { value, positions } = format === 'json' ? parseJson(text, source) : parseYaml(text, source);
  return {
    experiment: asExperiment(value, source, positions),
    source,
    baseDir: opts.baseDir ?? process.cwd(),
    format,
    positions,
  };
}

async function loadFile(path: string, hub?: string): Promise<LoadedExperiment> {
  const ext = extname(path).toLowerCase();
  const format = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;
  if (!format) {
    throw loadError(`cannot load "${path}": only files with json, yaml or yml extensions are supported`, {
      hint: 'rename the file to .json, .yaml or .yml',
    });
  }
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw loadError(missing ? `Path "${path}" does not exist.` : `cannot read "${path}": ${errorMessage(err)}`, {
      cause: err,
      hint: missing ? 'check the path (it is relative to the current directory)' : undefined,
    });
  }
  return parseExperiment(text, format, { source: abs, baseDir: dirname(abs), ...(hub === undefined ? {} : { hub }) });
}

async function loadUrl(url: string, opts: LoadOptions): Promise<LoadedExperiment> {
  const env = opts.env ?? process.env;
  const headers: Record<string, string> = { Accept: 'application/json, application/x-yaml' };
  const token = env.CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN;
  const auth = opts.auths?.[new URL(url).host];
  if (token) headers.Authorization = `bearer ${token}`;
  else if (auth) headers.Authorization = `${auth.type} ${auth.value}`;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    if (opts.verifyTls === false) {
      const { Agent, fetch: undiciFetch } = await import('undici');
      const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
      try {
        res = await undiciFetch(url, { headers, signal, dispatcher });
        text = await res.text();
      } finally {
        await dispatcher.close();
      }
    } else {
      res = await fetch(url, { headers, signal });
      text = await res.text();
    }
  } catch (err) {
    throw loadError(`cannot fetch "${url}": ${errorMessage(err)}`, { cause: err });
  }
  if (res.status !== 200) {
    throw loadError(`cannot fetch "${url}": the server answered HTTP ${res.status} (expected 200)`, {
      hint: res.status === 401 || res.status === 403 ? 'set CHAOSTOOLKIT_LOADER_AUTH_BEARER_TOKEN' : undefined,
    });
  }
  const mime = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const base = { source: url, baseDir: process.cwd() };
  if (mime === 'application/json' || mime.endsWith('+json')) return parseExperiment(text, 'json', base);
  if (YAML_TYPES.has(mime)) return parseExperiment(text, 'yaml', base);
  if (mime === 'text/plain' || mime === '') {
    return parseExperiment(text, looksLikeJson(text) ? 'json' : 'yaml', base);
  }
  throw loadError(`cannot load "${url}": unsupported Content-Type "${mime}"`, {
    hint: 'serve the experiment as application/json, application/x-yaml, text/yaml or text/plain',
  });
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parseJson(text: string, source: string): { value: unknown; positions: PositionIndex } {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const deep = jsonDepthExceeded(body);
  if (deep !== undefined) throw tooDeep(source, offsetPosition(body, deep));
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    const msg = errorMessage(err);
    const m = /position (\d+)/.exec(msg);
    const at = offsetPosition(body, m ? Number(m[1]) : jsonErrorOffset(body, msg));
    const what = msg.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?"[\s\S]* is not valid JSON$/, '');
    throw loadError(`invalid JSON: ${what}`, {
      location: { file: source, ...at },
      hint: 'fix the JSON syntax at that position (a missing comma, quote or bracket is the usual cause)',
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(body, { lineCounter, uniqueKeys: false });
  return { value, positions: positionIndex(doc, lineCounter) };
}

function parseYaml(text: string, source: string): { value: unknown; positions: PositionIndex } {
  const flow = jsonDepthExceeded(text, [DOUBLE_QUOTE, SINGLE_QUOTE]);
  if (flow !== undefined) throw tooDeep(source, offsetPosition(text, flow));
  const lineCounter = new LineCounter();
  // YAML 1.1 like PyYAML's safe loader (yes/no are booleans), without timestamps (they are not JSON).
  const doc = parseDocument(text, {
    lineCounter,
    version: '1.1',
    uniqueKeys: false,
    prettyErrors: false,
    customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
  });
  const deep = yamlDepthExceeded(doc);
  if (deep !== undefined) {
    const { line, col } = lineCounter.linePos(deep);
    throw tooDeep(source, { line, column: col });
  }
  const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tag && doc.errors.length === 0) throw unsafeTag(tag, text, source, lineCounter);
  if (doc.errors.length > 0) {
    const [first, ...rest] = doc.errors.map((e) => yamlError(e, source, lineCounter, text));
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, (first as TurbulenceError).message, {
      location: (first as TurbulenceError).location,
      hint: 'fix the YAML syntax there (indentation and a missing ":" or quote are the usual causes)',
      details: rest,
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    const alias = firstAlias(doc);
    const { line, col } = lineCounter.linePos(alias ?? 0);
    throw loadError(`YAML aliases expand too far (${errorMessage(err)})`, {
      location: { file: source, line, column: col },
      hint: `at most ${MAX_ALIASES} alias expansions are allowed: repeat the value instead of nesting aliases`,
      cause: err,
    });
  }
  return { value, positions: positionIndex(doc, lineCounter) };
}

function tooDeep(source: string, at: { line: number; column: number }): TurbulenceError {
  return loadError(`nesting deeper than ${MAX_DEPTH} levels`, {
    location: { file: source, ...at },
    hint: 'an experiment nests a few levels; flatten this value',
  });
}

/**
 * The offset where bracket nesting (outside quoted strings) first goes deeper than {@link MAX_DEPTH}, if it does.
 * Exact for JSON; for YAML a cheap first look at flow collections (block nesting is checked on the parsed tree).
 */
function jsonDepthExceeded(text: string, quotes: readonly number[] = [DOUBLE_QUOTE]): number | undefined {
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      // A backslash escapes the next character in double quotes only.
      if (c === BACKSLASH && quote === DOUBLE_QUOTE) i++;
      else if (c === quote) quote = 0;
    } else if (quotes.includes(c)) quote = c;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return undefined;
}

const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;

/** The offset of the first YAML node deeper than {@link MAX_DEPTH}, if any (walked without recursion). */
function yamlDepthExceeded(doc: Document): number | undefined {
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (isPair(node)) {
      stack.push([node.key, depth], [node.value, depth]);
    } else if (isCollection(node)) {
      if (depth > MAX_DEPTH) return node.range?.[0] ?? 0;
      for (const item of node.items) stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

function firstAlias(doc: Document): number | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node.range?.[0];
    if (isPair(node)) stack.push(node.value, node.key);
    else if (isCollection(node)) stack.push(...[...node.items].reverse());
  }
  return undefined;
}

/**
 * Where invalid JSON breaks when V8 does not say: for "Unexpected token 'X'", the first X (outside strings) where a
 * value was expected (a trailing comma, a missing value); else where a YAML parser stops; else the end.
 */
function jsonErrorOffset(text: string, message: string): number {
  const token = /^Unexpected token '(.)'/.exec(message)?.[1];
  if (token) {
    let inString = false;
    let previous = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === token && ',:[{'.includes(previous)) return i;
      if (c === '"') inString = true;
      if (!/\s/.test(c)) previous = c;
    }
  }
  const doc = parseDocument(text, { uniqueKeys: false });
  return doc.errors[0]?.pos[0] ?? text.length;
}

/**
 * A tag the safe loader cannot resolve. `!!python/...` tags are how PyYAML's full loader runs code; Chaos Toolkit
 * loads experiments with the safe loader (chaoslib/loader.py `yaml.safe_load`), which refuses them, and so do we.
 */
function unsafeTag(warning: YAMLWarning, text: string, source: string, lineCounter: LineCounter): TurbulenceError {
  const { line, col } = lineCounter.linePos(warning.pos[0]);
  const written = /^!\S*/.exec(text.slice(warning.pos[0]))?.[0] ?? warning.message.split(' ')[2] ?? '?';
  const python = /python\//.test(written);
  return new TurbulenceError(
    ErrorCodes.LOAD_FAILED,
    python
      ? `unsafe YAML tag ${written}: Python object tags run code when loaded and are refused (Chaos Toolkit's yaml.safe_load refuses them too)`
      : `unknown YAML tag ${written}: only the standard tags of a safe loader are accepted`,
    { location: { file: source, line, column: col }, hint: 'remove the tag and write the plain value' },
  );
}

/** Offset of the opening quote of a quoted scalar that never closes (the parser reports the end of the file). */
function unclosedQuote(text: string): number | undefined {
  let offset = 0;
  let found: number | undefined;
  for (const token of new Lexer().lex(text)) {
    // the lexer's own markers (document start, scalar start) take no room in the source
    if (token.length === 1 && token.charCodeAt(0) < 0x20 && !'\n\r\t'.includes(token)) continue;
    const q = token[0];
    if ((q === '"' || q === "'") && (token.trimEnd().length < 2 || !token.trimEnd().endsWith(q))) found = offset;
    offset += token.length;
  }
  return found;
}

function yamlError(err: YAMLError, source: string, lineCounter: LineCounter, text = ''): TurbulenceError {
  const quote = err.code === 'MISSING_CHAR' && /quote/.test(err.message) ? unclosedQuote(text) : undefined;
  const { line, col } = lineCounter.linePos(quote ?? err.pos[0]);
  const raw = err.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  const message = /Maximum call stack/.test(raw) ? `nesting deeper than the parser can follow` : raw;
  return new TurbulenceError(ErrorCodes.LOAD_FAILED, `invalid YAML: ${message}`, {
    location: { file: source, line, column: col },
  });
}

function asExperiment(value: unknown, source: string, positions: PositionIndex): Experiment {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    return value as Experiment;
  }
  const empty = value === null || value === undefined || (typeof value === 'object' && !Array.isArray(value));
  throw new TurbulenceError(
    ErrorCodes.EXPERIMENT_INVALID,
    empty ? 'an empty experiment is not an experiment' : 'an experiment must be an object of keys',
    {
      location: { file: source, ...positions.locate([]) },
      hint: 'an experiment needs at least "title", "description" and "method"',
    },
  );
}

function offsetPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function loadError(
  message: string,
  opts: { cause?: unknown; hint?: string | undefined; location?: TurbulenceError['location'] } = {},
): TurbulenceError {
  return new TurbulenceError(ErrorCodes.LOAD_FAILED, message, {
    ...(opts.hint ? { hint: opts.hint } : {}),
    ...(opts.location ? { location: opts.location } : {}),
    ...(opts.cause === undefined ? {} : { cause: opts.cause }),
  });
}
