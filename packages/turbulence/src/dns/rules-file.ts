/**
 * Rules files for `turbulence dns serve --rules FILE`: YAML or JSON, either a list of rules or `{ rules: [...] }`.
 * Errors point at the file, line and column of the rule that is wrong.
 *
 * ```yaml
 * rules:
 *   - name: svc.example.test
 *     action: truncate
 *   - name: "*.flaky.test"
 *     action: servfail
 *     probability: 0.2
 * ```
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ErrorCodes, TurbulenceError, errorMessage } from '../core/errors.js';
import { parseRule, type DnsRule } from './rule.js';

/**
 * Reads and validates a rules file.
 *
 * @example
 * const rules = await loadRulesFile('rules.yaml');
 * createDnsServer({ listen: '127.0.0.1:5354', upstream: '127.0.0.1:5353', rules });
 */
export async function loadRulesFile(file: string): Promise<DnsRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, `cannot read DNS rules file: ${errorMessage(err)}`, {
      location: { file },
      cause: err,
    });
  }
  return parseRulesText(text, file);
}

/** Parses the text of a rules file (see {@link loadRulesFile}). */
export function parseRulesText(text: string, file = '<rules>'): DnsRule[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new TurbulenceError(
      ErrorCodes.LOAD_FAILED,
      `DNS rules file is not valid YAML/JSON: ${e.message.split('\n')[0]}`,
      {
        location: { file, line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col },
      },
    );
  }
  let list: Node | null | undefined = doc.contents;
  let prefix: string[] = [];
  if (isMap(list)) {
    list = list.get('rules', true);
    prefix = ['rules'];
  }
  if (!isSeq(list)) {
    throw new TurbulenceError(ErrorCodes.LOAD_FAILED, 'a DNS rules file holds a list of rules, or { rules: [...] }', {
      location: { file },
      hint: 'write e.g.\nrules:\n  - name: svc.example.test\n    action: truncate',
    });
  }
  return list.items.map((item, i) => {
    const at = (item as Node).range?.[0];
    const pos = at === undefined ? undefined : lines.linePos(at);
    return parseRule((item as Node).toJSON(), { file, line: pos?.line, column: pos?.col, path: [...prefix, i] });
  });
}
