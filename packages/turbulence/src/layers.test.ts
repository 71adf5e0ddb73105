/**
 * The layers hold: no import cycle between modules (counting `import type` and `import()`, which the lint rule
 * `import-x/no-cycle` does not see), and the floor (`os/`, `core/`) imports nothing above it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Module → the modules of this package it imports (static, type-only, re-exports and dynamic). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = info.importedFiles
      .map((f) => f.fileName)
      .filter((spec) => spec.startsWith('.') && spec.endsWith('.js'))
      .map((spec) => relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

/** Every cycle found by a depth-first search, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

/** `file → dep` for every import between top-level folders that `forbidden(layer, depLayer)` rejects. */
function offenders(graph: Map<string, string[]>, forbidden: (layer: string, dep: string) => boolean): string[] {
  return [...graph].flatMap(([file, deps]) => {
    const layer = file.split('/')[0] ?? '';
    return deps.filter((d) => forbidden(layer, d.split('/')[0] ?? '')).map((d) => `${file} → ${d}`);
  });
}

describe('layers', () => {
  const graph = importGraph();

  it('has no import cycle, type-only and dynamic imports included', () => {
    expect(cycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('keeps the floor at the floor: core imports only core, os only os and core', () => {
    const allowed: Record<string, string[]> = { core: ['core'], os: ['os', 'core'] };
    expect(offenders(graph, (layer, dep) => allowed[layer] !== undefined && !allowed[layer].includes(dep))).toEqual([]);
  });

  it('keeps faults above what it acts through: targets, lab, supervisor, dns and proxy never import faults', () => {
    const below = ['targets', 'lab', 'supervisor', 'dns', 'proxy', 'os', 'core'];
    expect(offenders(graph, (layer, dep) => below.includes(layer) && dep === 'faults')).toEqual([]);
  });
});
