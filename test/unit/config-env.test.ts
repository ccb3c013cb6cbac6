/**
 * Each process reads its environment once, in its config module, through a schema; everything else
 * gets the frozen config passed down. This scans every source file of the repository (tests aside:
 * they set up the environment of the processes they start) for `process.env` in code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** The config modules, and why each may read the environment. */
const CONFIG_MODULES: Record<string, string> = {
  'backend/config.ts': 'the backend (`npm start`)',
  'broker/broker-config.ts': 'the broker alone (`npm run broker`)',
  'terminal/terminal.config.ts': 'the kiosk (`npm run terminal`)',
  'backend/faces/bulk-import.config.ts': '`npm run enroll:bulk`',
  'prisma/sqlite/prisma.config.ts': 'read by the Prisma CLI in its own process',
  'prisma/postgresql/prisma.config.ts': 'read by the Prisma CLI in its own process',
  'prisma/engine/schema-engine-common.mjs':
    'the schema engine process the Prisma CLI starts (its debug switch)',
  'bench/ingest.bench.ts': 'a benchmark harness: PG_TEST_URL, as the tests',
};

const SKIP_DIRS = new Set(['node_modules', '.git', 'generated', 'data', 'test']);
const EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) out.push(...sourceFiles(join(dir, e.name)));
    else if (e.isFile() && EXTENSIONS.has(extname(e.name))) out.push(join(dir, e.name));
  }
  return out;
}

const isProcess = (e: ts.Expression) =>
  (ts.isIdentifier(e) && e.text === 'process') ||
  (ts.isPropertyAccessExpression(e) && e.name.text === 'process' && e.expression.getText() === 'globalThis');

/** Lines where code reads `process.env` (also `process['env']` and `const { env } = process`); comments do not count. */
function envReads(file: string, text: string): number[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const at = (n: ts.Node) => lines.push(sf.getLineAndCharacterOfPosition(n.getStart()).line + 1);
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'env' && isProcess(n.expression)) at(n);
    if (
      ts.isElementAccessExpression(n) &&
      isProcess(n.expression) &&
      ts.isStringLiteralLike(n.argumentExpression) &&
      n.argumentExpression.text === 'env'
    )
      at(n);
    if (
      ts.isVariableDeclaration(n) &&
      n.initializer &&
      isProcess(n.initializer) &&
      ts.isObjectBindingPattern(n.name) &&
      n.name.elements.some((el) => (el.propertyName ?? el.name).getText() === 'env')
    )
      at(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return lines;
}

describe('the environment is read only by the config modules', () => {
  it('finds reads in every form, and not in comments (the scan can fail)', () => {
    const sample = [
      '// process.env in a comment',
      'const a = process.env.X;',
      "const b = process['env'];",
      'const { env } = process;',
      'const c = globalThis.process.env;',
    ].join('\n');
    expect(envReads('sample.ts', sample)).toEqual([2, 3, 4, 5]);
  });

  it('no source file outside the config modules reads process.env', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      const rel = relative(ROOT, file);
      if (rel in CONFIG_MODULES) continue;
      for (const line of envReads(file, readFileSync(file, 'utf8'))) offenders.push(`${rel}:${line}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the listed config modules exist', () => {
    for (const rel of Object.keys(CONFIG_MODULES)) expect(existsSync(join(ROOT, rel)), rel).toBe(true);
  });
});
