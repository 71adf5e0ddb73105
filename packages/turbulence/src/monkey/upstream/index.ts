/**
 * @module Upstream configs, unchanged: a kube-monkey `config.toml` (with its `KUBEMONKEY_*` environment overrides
 * and the opt-in labels of its victims' manifests) or a Chaos Monkey `chaosmonkey.toml` (with the per-app JSON
 * Spinnaker holds), mapped onto a turbulence schedule document. What upstream refuses is refused with upstream's
 * reason; what has no turbulence meaning is reported as a warning, never silently dropped.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { ErrorCodes, TurbulenceError } from '../../core/errors.js';
export type { UpstreamOptions } from './common.js';
import type { UpstreamOptions } from './common.js';
import { fromChaosMonkey } from './chaosmonkey.js';
import { fromKubeMonkey } from './kube-monkey.js';

/** A mapped schedule document and what did not map. */
export interface UpstreamSchedule {
  doc: Record<string, unknown>;
  warnings: string[];
  flavour: 'kube-monkey' | 'chaosmonkey';
}

/**
 * Reads an upstream TOML config as a schedule document (validated afterwards like any schedule).
 *
 * @example
 * const { doc, warnings } = await fromUpstreamToml(text, 'config.toml', { labels: ['deploy.yaml'] });
 */
export async function fromUpstreamToml(text: string, source: string, opts: UpstreamOptions): Promise<UpstreamSchedule> {
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(text);
  } catch (err) {
    const e = err as TomlError;
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `invalid TOML: ${e.message.split('\n')[0]}`, {
      location: { file: source, ...(e instanceof TomlError ? { line: e.line, column: e.column } : {}) },
      cause: err,
    });
  }
  if ('chaosmonkey' in toml) return { flavour: 'chaosmonkey', ...(await fromChaosMonkey(toml, source, opts)) };
  if ('kubemonkey' in toml || /config\.toml$/.test(source)) {
    return { flavour: 'kube-monkey', ...(await fromKubeMonkey(toml, source, opts)) };
  }
  throw new TurbulenceError(
    ErrorCodes.SCHEDULE_INVALID,
    'this TOML file is neither a kube-monkey nor a Chaos Monkey config',
    {
      location: { file: source },
      hint: 'kube-monkey configs have a [kubemonkey] table, Chaos Monkey configs a [chaosmonkey] table',
    },
  );
}
