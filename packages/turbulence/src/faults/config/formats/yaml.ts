/**
 * @module YAML through the `yaml` Document API: edits change only the value's node, so comments, key order, blank
 * lines, anchors and quoting stay. Re-serialising may still normalise spacing inside flow collections and
 * indentation of the whole document to its dominant width. Multi-document files are refused.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { keyNotFound, type KeySegment } from '../key-path.js';
import { notParseable, type ConfigFormat } from './types.js';

function parse(file: string, text: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const e = doc.errors[0];
  if (e) {
    const pos = e.linePos?.[0];
    throw notParseable(file, 'YAML', e.message.split('\n')[0] ?? e.code, pos?.line, pos?.col);
  }
  return doc;
}

function render(doc: Document, original: string): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: /[[{] [^\]}]/.test(original) });
}

/** Checks every step of `path` exists (the last one too unless `create`). */
function walk(file: string, doc: Document, path: readonly KeySegment[], create: boolean): void {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i += 1) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const has = node.has(seg) || node.has(String(seg));
      if (!has && !(last && create)) {
        const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
        throw keyNotFound(file, path, i, keys);
      }
      node = node.get(node.has(seg) ? seg : String(seg), true);
    } else if (isSeq(node)) {
      const ok = typeof seg === 'number' && (seg < node.items.length || (last && create && seg === node.items.length));
      if (!ok) throw keyNotFound(file, path, i, { length: node.items.length });
      node = node.get(seg, true);
    } else {
      throw keyNotFound(file, path, i, 'scalar');
    }
  }
}

export const yamlFormat: ConfigFormat = {
  name: 'yaml',
  keeps: 'comments, key order, blank lines, anchors and quoting (the yaml Document API edits one node)',
  check(file, text) {
    parse(file, text);
  },
  get(file, text, path) {
    const doc = parse(file, text);
    walk(file, doc, path, false);
    return doc.getIn(path);
  },
  set(file, text, path, value, create) {
    const doc = parse(file, text);
    walk(file, doc, path, create);
    const node = doc.getIn(path, true);
    if (isScalar(node) && (value === null || typeof value !== 'object')) node.value = value;
    else doc.setIn(path, doc.createNode(value));
    return render(doc, text);
  },
  remove(file, text, path) {
    const doc = parse(file, text);
    walk(file, doc, path, false);
    doc.deleteIn(path);
    return render(doc, text);
  },
  breakSyntax(text) {
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}turbulence: [unclosed\n`;
  },
};
