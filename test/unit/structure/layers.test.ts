import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Layers point one way: cli -> fleet -> run -> {extractors, processor, hubspot, load, limits, progress, verify, sim}
 * -> {db, clock}. This walks every relative import of src/, extractors/ and config/ (static `import`,
 * `import type`, `export ... from`, and dynamic `import()`) with a regex, no compiler, and checks it against
 * the folder graph declared once below.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCANNED = ['src', 'extractors', 'config'];

/** Top-level files of src/ that everything may use: no imports of their own but each other. */
const LEAVES = ['src/clock', 'src/exit-codes', 'src/secrets', 'src/log', 'src/request-log-entry'];
/** The bottom layer. `config/` is in it because it imports nothing from src/ (checked below). */
const BOTTOM = ['src/db', 'config', ...LEAVES];

/**
 * What each folder (or top-level file of src/) may import, besides itself. Within the middle layer the
 * few edges that exist point one way too: extractors and hubspot call the processor, the processor spends
 * the limits, progress draws the processor's events, the verify command drives the simulator. Nothing but
 * tests and benchmarks imports the seed library (src/limits/library/).
 */
const ALLOWED: Record<string, readonly string[]> = {
  'src/cli': ['src/fleet', 'src/run', 'src/verify', 'src/sim', 'src/limits', ...BOTTOM],
  // Many portals on many workers: each job is one run of `src/run/`.
  'src/fleet': ['src/run', 'extractors', 'src/limits', ...BOTTOM],
  'src/run': ['extractors', 'src/processor', 'src/hubspot', 'src/load', 'src/limits', 'src/progress', 'src/verify', 'src/sim', ...BOTTOM],
  extractors: ['src/hubspot', 'src/load', 'src/processor', ...BOTTOM],
  'src/hubspot': ['src/processor', ...BOTTOM],
  'src/progress': ['src/processor', ...BOTTOM],
  'src/processor': ['src/limits', ...BOTTOM],
  'src/verify': ['src/sim', 'src/limits', ...BOTTOM],
  'src/load': [...BOTTOM],
  'src/limits': [...BOTTOM],
  'src/limits/library': ['src/limits', ...BOTTOM],
  'src/sim': [...BOTTOM],
  'src/db': [...LEAVES],
  config: [],
  'src/log': ['src/secrets'],
  'src/clock': [],
  'src/exit-codes': [],
  'src/secrets': [],
  'src/request-log-entry': [],
};

/** Never imported from src/, extractors/ or config/: they are entry points over the code, not part of it. */
const OUTSIDE = ['scripts', 'bench', 'test'];

interface ImportEdge {
  from: string;
  to: string;
  /** The importing file and its specifier, for the failure message. */
  where: string;
}

/** File to file, for the cycle check between files (type-only imports included: they tie two files as much). */
type FileEdge = [string, string];

/** Relative specifiers of every import and re-export in `source`, comments ignored. */
export function importSpecifiers(source: string): string[] {
  // Block comments, then line comments (not the `//` of a URL such as https://).
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\w])\/\/.*$/gm, '$1');
  const specifiers: string[] = [];
  // `import ... from '.'`, `import type ... from`, `export {...} from`, `export * from` (across lines),
  // a bare `import '.'`, and `import('.')` (also inside `typeof import('.')`).
  const pattern = /\bfrom\s*(['"])(\.{1,2}\/[^'"]+)\1|\bimport\s*\(\s*(['"])(\.{1,2}\/[^'"]+)\3\s*\)|\bimport\s+(['"])(\.{1,2}\/[^'"]+)\5/g;
  for (const match of code.matchAll(pattern)) specifiers.push(match[2] ?? match[4] ?? match[6]);
  return specifiers;
}

/** The node of the graph a file belongs to: its folder under src/ (the library apart), a top-level file of src/, or a root folder. */
function nodeOf(relativePath: string): string {
  const parts = relativePath.split('/');
  if (parts[0] === 'src' && parts[1] === 'limits' && parts[2] === 'library') return 'src/limits/library';
  if (parts[0] === 'src') return parts.length === 2 ? relativePath.replace(/\.ts$/, '') : `src/${parts[1]}`;
  return parts[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function collectEdges(): { edges: ImportEdge[]; fileEdges: FileEdge[]; files: string[] } {
  const files = SCANNED.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).map((f) => path.relative(ROOT, f).split(path.sep).join('/'));
  const edges: ImportEdge[] = [];
  const fileEdges: FileEdge[] = [];
  for (const file of files) {
    for (const specifier of importSpecifiers(readFileSync(path.join(ROOT, file), 'utf8'))) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
      fileEdges.push([file, target]);
      const from = nodeOf(file);
      const to = nodeOf(target);
      if (from !== to) edges.push({ from, to, where: `${file} imports '${specifier}'` });
    }
  }
  return { edges, fileEdges, files };
}

/** Every cycle's nodes (strongly connected components of more than one node), by Tarjan's algorithm. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

function graphOf(pairs: Iterable<[string, string]>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of pairs) {
    if (!graph.has(from)) graph.set(from, new Set());
    if (!graph.has(to)) graph.set(to, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

describe('layers point one way', () => {
  const { edges, fileEdges, files } = collectEdges();

  it('finds the imports it is meant to check (static, type-only, re-exports, dynamic; not comments)', () => {
    const source = [
      "import { a } from './a.js';",
      "import type {\n  B,\n  C,\n} from '../b/c.js';",
      "export { d } from './d.js';",
      "export type * from './e.js';",
      "import './side-effect.js';",
      "const f = await import('../f.js');",
      "let g: typeof import('./g.js');",
      "import pg from 'pg';",
      "// import { h } from './commented.js';",
      "/* import('./also-commented.js') */",
      "const url = 'https://example.com'; import { i } from './i.js';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.js', '../b/c.js', './d.js', './e.js', './side-effect.js', '../f.js', './g.js', './i.js']);
    expect(files.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from === 'src/run' && e.to === 'extractors')).toBe(true);
  });

  it('the declared graph itself has no cycle', () => {
    const declared = Object.entries(ALLOWED).flatMap(([from, tos]) => tos.map((to): [string, string] => [from, to]));
    expect(cycles(graphOf(declared))).toEqual([]);
  });

  it('no import cycle between folders', () => {
    expect(cycles(graphOf(edges.map((e): [string, string] => [e.from, e.to])))).toEqual([]);
  });

  it('no import cycle between files either', () => {
    expect(cycles(graphOf(fileEdges))).toEqual([]);
  });

  it('nothing imports scripts/, bench/ or test/', () => {
    expect(edges.filter((e) => OUTSIDE.includes(e.to)).map((e) => e.where)).toEqual([]);
  });

  it('every folder is declared, and every import follows the declared graph', () => {
    const undeclared = [...new Set(files.map(nodeOf))].filter((node) => !(node in ALLOWED));
    expect(undeclared).toEqual([]);
    const against = edges.filter((e) => !OUTSIDE.includes(e.to) && !(ALLOWED[e.from] ?? []).includes(e.to)).map((e) => `${e.from} -> ${e.to}: ${e.where}`);
    expect(against).toEqual([]);
  });
});
