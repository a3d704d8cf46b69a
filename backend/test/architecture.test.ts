import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');
const REPO = path.resolve(import.meta.dirname, '../..');
const CONTRACT = path.join(REPO, 'packages/contract/src');
const FRONTEND = path.join(REPO, 'frontend');

/** The HTTP edge: only it, the routes and the files that assemble the server may import from http/. */
const EDGE = ['http/', 'routes/', 'app.ts', 'server.ts'];

/** Every module of src (tests apart) with the modules of src it imports, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.split(path.sep).join('/'));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(SRC, file), 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'))
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle of the graph, once each, as the path that closes it (Tarjan's strongly connected components). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
    }
    if (low.get(v) !== order.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

/** Imports into http/ from outside the edge, as "from -> to". */
function importsIntoEdge(graph: Map<string, string[]>): string[] {
  return [...graph]
    .filter(([file]) => !EDGE.some((e) => file === e || file.startsWith(e)))
    .flatMap(([file, targets]) => targets.filter((t) => t.startsWith('http/')).map((t) => `${file} -> ${t}`));
}

/** Every import specifier of every TypeScript file under dir (tests and dependencies included, builds left out), as [file, specifier]. */
function specifiers(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => /\.tsx?$/.test(f) && !/(^|\/)(node_modules|\.next[^/]*|dist)\//.test(f))
    .flatMap((f) =>
      ts.preProcessFile(readFileSync(path.join(dir, f), 'utf8'), true, true).importedFiles.map((i): [string, string] => [f, i.fileName]),
    );
}

/** The contract's imports of anything but zod and its own files, as "file -> specifier". */
function contractLeaks(imports: [string, string][]): string[] {
  return imports
    .filter(([file, spec]) => {
      if (spec === 'zod') return false;
      if (!spec.startsWith('.')) return true;
      return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).startsWith('..');
    })
    .map(([file, spec]) => `${file} -> ${spec}`);
}

/** Imports that reach into another package of the workspace by path (not through its package name), as "file -> specifier". */
function crossings(imports: [string, string][], others: readonly string[]): string[] {
  return imports
    .filter(([, spec]) => spec.startsWith('.') && others.some((o) => spec.split('/').includes(o)))
    .map(([file, spec]) => `${file} -> ${spec}`);
}

describe('the contract between backend and dashboard', () => {
  const contract = specifiers(CONTRACT);
  const backend = specifiers(path.resolve(SRC, '..'));
  const dashboard = specifiers(FRONTEND);

  it('is read: both sides import @ouroboros/contract', () => {
    expect(contract.length).toBeGreaterThan(5);
    expect(backend.some(([f, spec]) => f.startsWith('src/routes/') && spec === '@ouroboros/contract')).toBe(true);
    expect(dashboard.some(([f, spec]) => f === 'lib/api.ts' && spec === '@ouroboros/contract')).toBe(true);
  });

  it('imports neither side: only zod and its own files', () => {
    expect(contractLeaks(contract)).toEqual([]);
  });

  it('is the only way across: the backend and the dashboard never import each other, nor the contract, by path', () => {
    expect(crossings(backend, ['frontend', 'packages'])).toEqual([]);
    expect(crossings(dashboard, ['backend', 'packages'])).toEqual([]);
  });

  it('finds a leak and a crossing when there is one', () => {
    expect(contractLeaks([['vitals.ts', '../../../backend/src/domain.js'], ['index.ts', 'fastify'], ['index.ts', './vitals.ts']])).toEqual([
      'vitals.ts -> ../../../backend/src/domain.js',
      'index.ts -> fastify',
    ]);
    expect(crossings([['lib/api.ts', '../../backend/src/domain'], ['lib/api.ts', './token']], ['backend', 'packages'])).toEqual([
      'lib/api.ts -> ../../backend/src/domain',
    ]);
  });
});

describe('architecture', () => {
  const graph = importGraph();

  it('reads the whole source tree', () => {
    // A broken reader would make every rule below pass: it must see the supervisor importing its parts.
    expect(graph.get('watcher/supervisor.ts')).toContain('watcher/after-run.ts');
    expect(graph.size).toBeGreaterThan(100);
  });

  it('keeps the domain out of the HTTP edge: nothing outside it imports from http/', () => {
    expect(importsIntoEdge(graph)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle and an import into http/ when there is one', () => {
    const broken = new Map(graph);
    broken.set('genome/store.ts', [...(graph.get('genome/store.ts') ?? []), 'http/errors.ts']);
    expect(importsIntoEdge(broken)).toEqual(['genome/store.ts -> http/errors.ts']);
    // http/errors.ts imports genome/store.ts: the added import closes a cycle.
    expect(cycles(broken).some((c) => c.includes('genome/store.ts') && c.includes('http/errors.ts'))).toBe(true);
  });
});
