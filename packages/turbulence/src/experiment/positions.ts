/**
 * Where each key of a loaded experiment sits in its file, so every error can say `file:line:col`.
 *
 * JSON and YAML files are both parsed with the `yaml` package (JSON is YAML 1.2), keeping node ranges and a
 * `LineCounter`; `locate(path)` walks the node tree along a key path:
 *
 *   ['method', 2, 'provider', 'url']
 *     root map ─▶ pair "method" ─▶ seq item 2 ─▶ pair "provider" ─▶ pair "url" (missing)
 *                                                      ▲ deepest existing node: its key's line:col
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** Maps key paths of a document to positions in its source text. */
export interface PositionIndex {
  /**
   * The position of the deepest node that exists along `path`: a map entry points at its key, a list item at
   * the item. `undefined` when the document has no positions (a TS object).
   *
   * @example
   * loaded.positions.locate(['method', 0, 'provider', 'url']); // { line: 12, column: 9 }
   */
  locate(path: readonly (string | number)[]): Position | undefined;
}

/** The index of an experiment that has no source text. */
export const noPositions: PositionIndex = { locate: () => undefined };

/** Builds the index of a parsed `yaml` document. */
export function positionIndex(doc: Document, lineCounter: LineCounter): PositionIndex {
  const at = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    locate(path) {
      let node = deref(doc, doc.contents);
      let offset = node?.range?.[0];
      for (const key of path) {
        const step = child(doc, node, key);
        if (!step) break;
        offset = step.offset ?? offset;
        node = step.node;
      }
      return at(offset);
    },
  };
}

/** One step down the tree: the child node and the offset that stands for it. */
function child(
  doc: Document,
  node: Node | null | undefined,
  key: string | number,
): { node: Node | null | undefined; offset: number | undefined } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key;
      if (isScalar(k) && String(k.value) === String(key)) {
        const value = deref(doc, pair.value as Node | null);
        return { node: value, offset: k.range?.[0] };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof key === 'number') {
    const item = deref(doc, node.items[key] as Node | null | undefined);
    return item ? { node: item, offset: item.range?.[0] } : undefined;
  }
  return undefined;
}

function deref(doc: Document, node: Node | null | undefined): Node | null | undefined {
  return isAlias(node) ? node.resolve(doc) : node;
}
