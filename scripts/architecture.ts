/**
 * The allowed dependencies between the project's parts (docs/ARCHITECTURE.md), as rules over the import
 * graph, and the checker that test/unit/architecture.test.ts runs on the tree.
 *
 *   npx tsx scripts/architecture.ts     prints every import that breaks a rule; exits 1 if any
 *
 * An import is any `import … from`, `export … from`, `import type`, `import()` or `require()` with a
 * relative or package specifier. Type-only imports count: a type shared across a boundary is a dependency
 * too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';

export type Rule = {
  name: string;
  /** Why the rule exists: shown with each violation. */
  why: string;
  /** The importing file (path from the repository root, '/' separators). */
  from: RegExp;
  /** Files or packages it may not import: a repository path for relative imports, the package name otherwise. */
  to: RegExp;
  /** Importers the rule does not apply to (composition roots). */
  except?: RegExp;
};

export const RULES: readonly Rule[] = [
  {
    name: 'protocol-stands-alone',
    why: 'protocol/ is the MQTT contract imported by kiosk, broker and backend; it depends on none of them',
    from: /^protocol\//,
    to: /^(face|terminal|broker|backend|lib|admin-ui|prisma)\//,
  },
  {
    name: 'lib-stands-alone',
    why: 'lib/ holds what every process shares (logging, start and stop, the database client); it imports no part but the generated Prisma clients',
    from: /^lib\//,
    to: /^(protocol|face|terminal|broker|backend|admin-ui)\/|^prisma\/(?!generated\/)/,
  },
  {
    name: 'face-independent',
    why: 'the face engine serves the kiosk and the server enrollment; it depends on neither',
    from: /^face\//,
    to: /^(terminal|broker|backend|admin-ui|prisma|protocol)\//,
  },
  {
    name: 'terminal-not-server',
    why: 'the kiosk runs on its own device: it talks to the server over MQTT and HTTP only',
    from: /^terminal\//,
    to: /^(broker|backend|admin-ui|prisma)\/|^(@prisma\/|express$|aedes$|pg$)/,
  },
  {
    name: 'broker-not-backend',
    why: 'the broker runs alone (npm run broker); the backend composes it, never the other way round',
    from: /^broker\//,
    to: /^(backend|terminal|face|admin-ui)\//,
  },
  {
    name: 'server-not-kiosk',
    why: 'the backend enrolls with face/, and talks to kiosks over MQTT only',
    from: /^backend\//,
    to: /^(terminal|admin-ui)\//,
  },
  {
    name: 'domain-is-pure',
    why: 'backend/domain holds the rules as pure functions: no I/O, no framework, no other backend layer but the error catalogue',
    from: /^backend\/domain\//,
    to: /^(backend\/(?!domain\/|errors\.ts$)|face|terminal|broker|protocol|prisma)|^(node:(fs|net|http|https|child_process|worker_threads)|express|@prisma\/|better-sqlite3|pg|mqtt|aedes|node-cron|pino)/,
  },
  {
    name: 'routes-call-services',
    why: 'REST handlers call services; queries live in repositories behind them',
    from: /^backend\/api\//,
    to: /(\.repository\.ts$|^backend\/(db|repositories)\/|^prisma\/|^@prisma\/)/,
  },
  {
    name: 'services-not-transport',
    why: 'services and repositories are reached from REST, MQTT and cron alike: they import no transport',
    from: /^backend\/(?!api\/|server\.ts$|main\.ts$).*\.ts$/,
    to: /^backend\/api\/|^express$/,
  },
  {
    name: 'nothing-imports-tools',
    why: 'benchmarks, tests and scripts are leaves: product code never imports them',
    from: /^(protocol|lib|face|terminal|broker|backend|admin-ui)\//,
    to: /^(bench|test|scripts)\//,
  },
];

export type Violation = { file: string; line: number; target: string; rule: Rule };

/** The import specifiers of one source text, with their 1-based lines. */
export function importsOf(fileName: string, text: string): { spec: string; line: number }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: { spec: string; line: number }[] = [];
  const add = (node: ts.Node, lit: ts.Expression | undefined) => {
    if (lit && ts.isStringLiteralLike(lit)) {
      out.push({ spec: lit.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** A specifier as the rules see it: a repository path for relative imports, else the package name. */
export function resolveTarget(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return normalize(join(dirname(file), spec))
    .split('\\')
    .join('/');
}

/** Every rule that `file` importing `spec` breaks. */
export function check(files: ReadonlyMap<string, string>, rules: readonly Rule[] = RULES): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    for (const { spec, line } of importsOf(file, text)) {
      const target = resolveTarget(file, spec);
      for (const rule of rules) {
        if (!rule.from.test(file) || rule.except?.test(file)) continue;
        if (rule.to.test(target)) out.push({ file, line, target, rule });
      }
    }
  }
  return out;
}

/** The tracked source files of the repository at `root` (generated code excluded). */
export function sourceFiles(root: string): Map<string, string> {
  const names = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.tsx', '*.mjs'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f && !f.startsWith('prisma/generated/') && !f.includes('node_modules/'));
  return new Map(names.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} imports ${v.target}: breaks ${v.rule.name} (${v.rule.why})`;
}

if (process.argv[1] === import.meta.filename) {
  const found = check(sourceFiles(join(import.meta.dirname, '..')));
  for (const v of found) console.log(formatViolation(v));
  console.log(
    found.length === 0 ? 'architecture: no violations' : `architecture: ${found.length} violations`,
  );
  process.exitCode = found.length === 0 ? 0 : 1;
}
