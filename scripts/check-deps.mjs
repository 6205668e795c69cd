// Checks the import graph of agent/ manager/ cli/ shared/ proto/ against docs/design/dependencies.md:
// no cycles, components import only the components below them, folders are entered through their
// index.ts, and production code never reaches test code. Exits 1 and prints every violation.
//
// Usage: node scripts/check-deps.mjs [--root DIR] [--quiet]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Top-level components and the components each may import (itself included). */
export const componentRules = {
  shared: ['shared'],
  proto: ['proto', 'shared'],
  agent: ['agent', 'shared', 'proto'],
  manager: ['manager', 'shared', 'proto'],
  cli: ['cli', 'shared', 'agent', 'manager'],
};

/**
 * Known violations, each with the reason it is tolerated. A key is `rule from -> to` for an edge
 * (paths relative to the root) or `cycle a | b | ...` (the cycle's files, sorted). Entries that no
 * longer match anything are reported as stale (a note, not a failure, so that the change removing a
 * violation and the change removing its entry may land in either order).
 */
export const allowlist = new Map([]);

const generatedDirs = ['proto/gen/'];

/** True for code that only tests run: test files, contract suites, fixtures and fakes' data. */
export function isTestOnly(file) {
  const base = posix.basename(file);
  return (
    /\.(test|spec|contract)\.ts$/.test(base) ||
    /(^|[-.])fixtures?(\.|-|$)/.test(base) ||
    file.split('/').includes('fixtures') ||
    file.startsWith('test/')
  );
}

function listTsFiles(root, dir, out) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return out;
  for (const name of readdirSync(abs).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = dir ? `${dir}/${name}` : name;
    const st = statSync(join(root, rel));
    if (st.isDirectory()) listTsFiles(root, rel, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Every module specifier a file names: static imports/exports, `import()`, `import('x').T`. */
export function importsOf(fileName, text) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const isExport = ts.isExportDeclaration(node);
      found.push({
        spec: node.moduleSpecifier.text,
        reexport: isExport,
        star: isExport && !node.exportClause,
      });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, dynamic: true });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ spec: node.argument.literal.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Resolves a relative specifier (`./x.js`) to a repository file, or undefined when outside. */
function resolveSpec(root, from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base,
    `${base}.ts`,
    `${base}/index.ts`,
  ];
  return candidates.find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile());
}

const componentOf = (file) => file.split('/')[0];

/**
 * The folder an import must enter through: going from the common ancestor of both files down to
 * the target, the first folder that has an index.ts. Undefined when no folder on the way has one
 * (then the folder declares no surface and any file may be named).
 */
function frontDoor(root, from, to) {
  const a = posix.dirname(from).split('/');
  const b = posix.dirname(to).split('/');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  for (let depth = common + 1; depth <= b.length; depth++) {
    const folder = b.slice(0, depth).join('/');
    if (existsSync(join(root, folder, 'index.ts'))) return folder;
  }
  return undefined;
}

/** Builds the graph and returns every violation as `{ rule, key, message }`. */
export function checkDeps(root, components = Object.keys(componentRules)) {
  const files = components.flatMap((c) => listTsFiles(root, c, []));
  const graph = new Map();
  const violations = [];
  const report = (rule, from, to, message) =>
    violations.push({ rule, key: `${rule} ${from} -> ${to}`, message });

  for (const from of files) {
    const text = readFileSync(join(root, from), 'utf8');
    const edges = [];
    for (const imp of importsOf(from, text)) {
      const to = resolveSpec(root, from, imp.spec);
      if (!to) continue;
      edges.push(to);
      if (generatedDirs.some((g) => from.startsWith(g))) continue;
      const fromC = componentOf(from);
      const toC = componentOf(to);
      if (componentRules[fromC] && !componentRules[fromC].includes(toC) && toC !== 'test') {
        report(
          'layer',
          from,
          to,
          `${from} imports ${to}: ${fromC}/ may import only ${componentRules[fromC].join(', ')}`,
        );
        continue;
      }
      const fromTest = isTestOnly(from);
      if (!fromTest && isTestOnly(to)) {
        const what = posix.basename(from) === 'index.ts' ? 'exports' : 'imports';
        report('test-code', from, to, `${from} ${what} test code ${to} (production must not)`);
        continue;
      }
      // Tests are white-box: they may reach the internals they check, and fixtures belong to no
      // public surface. They still obey the layers, and cycles through them still count.
      if (fromTest) continue;
      // Across components only the component's own front door will do; inside one, any folder's
      // index.ts on the way is a door (a stage such as agent/image/snapshot declares its surface).
      const door = frontDoor(root, from, to);
      const through = fromC === toC ? posix.basename(to) === 'index.ts' : to === `${door}/index.ts`;
      if (door && !through) {
        report(
          'deep',
          from,
          to,
          `${from} imports ${to}: enter ${door}/ through ${door}/index.ts (export what is needed there)`,
        );
      }
      if (imp.star && posix.basename(from) === 'index.ts') {
        report('export-star', from, to, `${from}: \`export *\` from ${to}; name each export`);
      }
    }
    graph.set(from, edges);
  }

  for (const cycle of findCycles(graph)) {
    const key = `cycle ${[...cycle].sort().join(' | ')}`;
    violations.push({ rule: 'cycle', key, message: `cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  }
  return { files: files.length, violations };
}

/** One cycle per strongly connected component of more than one file (or a self-import). */
export function findCycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const sccs = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) sccs.push(scc);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  // Shortest cycle through the component's first file, found breadth-first inside the component.
  return sccs.map((scc) => {
    const members = new Set(scc);
    const start = [...scc].sort()[0];
    const prev = new Map([[start, undefined]]);
    const queue = [start];
    while (queue.length) {
      const v = queue.shift();
      for (const w of graph.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          const path = [];
          for (let u = v; u !== undefined; u = prev.get(u)) path.unshift(u);
          return path;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start];
  });
}

function main(argv) {
  const rootArg = argv.indexOf('--root');
  const root =
    rootArg >= 0
      ? resolve(argv[rootArg + 1])
      : resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { files, violations } = checkDeps(root);
  const allowed = violations.filter((v) => allowlist.has(v.key));
  const failing = violations.filter((v) => !allowlist.has(v.key));
  const used = new Set(allowed.map((v) => v.key));
  for (const v of failing) console.error(`${v.rule}: ${v.message}`);
  for (const [key] of allowlist) {
    if (!used.has(key)) console.log(`note: allowlist entry no longer needed: ${key}`);
  }
  const summary = `check-deps: ${files} files, ${failing.length} violation(s), ${allowed.length} allowed`;
  if (failing.length) {
    console.error(summary);
    return 1;
  }
  if (!argv.includes('--quiet')) console.log(summary);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
