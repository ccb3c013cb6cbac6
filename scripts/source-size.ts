/**
 * Measures source files and functions against the house limits: a file at most 500 lines, a
 * function (anything with a body: declaration, expression, arrow, method, accessor, constructor)
 * at most 150, from the line it starts on to the line it ends on. One exemption: a callback passed
 * directly to `describe`, `describe.each(...)`, `describe.skipIf(...)` or a chain of those
 * (`describe.skipIf(c).each(t)`), or to test/support's `describeEachDb` (a describe per database)
 * only groups `it` cases, so it may be longer; every function inside
 * it still counts. `npx tsx scripts/source-size.ts` lists what is over (exit 1 if anything is);
 * test/unit/source-size.test.ts keeps the tree at none.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const MAX_FILE_LINES = 500;
export const MAX_FUNCTION_LINES = 150;

export interface SizeFinding {
  file: string;
  /** 1 for a file; the first line of a function. */
  line: number;
  kind: 'file' | 'function';
  /** The function's name (or what it is passed to); the file's path for a file. */
  name: string;
  lines: number;
}

/** Modifiers that keep a call a `describe` (describe.each(table)(name, fn), describe.skipIf(c)(...)). */
const DESCRIBE_MODIFIERS = new Set(['each', 'skipIf']);

/** Suite functions: vitest's, and test/support/db-variants.ts's wrapper of it. */
const DESCRIBES = new Set(['describe', 'describeEachDb']);

/** Whether `callee` is a suite function or a chain of DESCRIBE_MODIFIERS on one. */
function isDescribe(callee: ts.Expression): boolean {
  let e = callee;
  for (;;) {
    if (ts.isIdentifier(e)) return DESCRIBES.has(e.text);
    if (ts.isCallExpression(e)) e = e.expression;
    else if (ts.isPropertyAccessExpression(e) && DESCRIBE_MODIFIERS.has(e.name.text)) e = e.expression;
    else return false;
  }
}

function isDescribeCallback(node: ts.Node): boolean {
  const call = node.parent;
  return (
    call !== undefined &&
    ts.isCallExpression(call) &&
    call.arguments.some((a) => a === node) &&
    isDescribe(call.expression)
  );
}

function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) return `callback of ${parent.expression.getText(source).slice(0, 60)}`;
  return '(anonymous)';
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (fileName.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (fileName.endsWith('.ts')) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

/** What is over the limits in one file's text: the file itself, and every function with a body. */
export function scanSource(fileName: string, text: string): SizeFinding[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const findings: SizeFinding[] = [];
  // As `wc -l` counts: a final newline does not start another line.
  const fileLines = lineOf(text.length) - (text.endsWith('\n') ? 1 : 0);
  if (fileLines > MAX_FILE_LINES) {
    findings.push({ file: fileName, line: 1, kind: 'file', name: fileName, lines: fileLines });
  }
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined && !isDescribeCallback(node)) {
      const first = lineOf(node.getStart(source));
      const lines = lineOf(node.getEnd()) - first + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const name = functionName(node as ts.FunctionLikeDeclaration, source);
        findings.push({ file: fileName, line: first, kind: 'function', name, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Every tracked .ts/.tsx/.mjs file of the checkout at `root`, the generated Prisma client excluded. */
export function trackedSources(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.tsx', '*.mjs'], { cwd: root });
  return out
    .toString('utf8')
    .split('\0')
    .filter((f) => f !== '' && !f.startsWith('prisma/generated/'));
}

export function scanTree(root: string): SizeFinding[] {
  return trackedSources(root).flatMap((f) => scanSource(f, readFileSync(join(root, f), 'utf8')));
}

export function describeFinding(f: SizeFinding): string {
  const limit = f.kind === 'file' ? MAX_FILE_LINES : MAX_FUNCTION_LINES;
  const what = f.kind === 'file' ? 'file' : `function ${f.name}`;
  return `${f.file}:${f.line} ${what} has ${f.lines} lines (limit ${limit})`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const findings = scanTree(process.cwd());
  for (const f of findings) console.log(describeFinding(f));
  process.exitCode = findings.length > 0 ? 1 : 0;
}
