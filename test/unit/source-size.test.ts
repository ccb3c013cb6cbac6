/**
 * House limits on size (CONTRIBUTING.md, "Sizes"): no tracked source file (.ts, .tsx, .mjs; the
 * generated Prisma client aside) over 500 lines, no function over 150. A callback passed directly
 * to describe / describe.each(...) / describe.skipIf(...) (or a chain of them) only groups `it`
 * cases and is exempt; every other function counts, in tests too. Measured with the TypeScript
 * compiler's parser (scripts/source-size.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeFinding, type SizeFinding, scanSource, scanTree } from '../../scripts/source-size.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Known offenders being split on other branches. The coordinator empties this list once those
 * branches are merged; an entry that is no longer over the limit fails the test (stale entry).
 */
/** Files or functions allowed over the limits, each with its reason: none today. */
const ALLOWED: ReadonlyArray<Pick<SizeFinding, 'file' | 'kind' | 'name'>> = [];

const allows = (a: (typeof ALLOWED)[number], f: SizeFinding) =>
  a.file === f.file && a.kind === f.kind && a.name === f.name;

/** A function `name` spanning exactly `lines` lines (declaration line and closing brace included). */
function fn(name: string, lines: number, indent = ''): string {
  const body = Array.from({ length: lines - 2 }, (_, i) => `${indent}  const v${i} = ${i};`);
  return [`${indent}function ${name}() {`, ...body, `${indent}}`].join('\n');
}

describe('the size scanner', () => {
  it('reports a 151-line function at its first line, and not a 150-line one', () => {
    const text = ['// header', fn('ok', 150), '', fn('tooLong', 151), ''].join('\n');
    const found = scanSource('x.ts', text);
    expect(found).toEqual([{ file: 'x.ts', line: 153, kind: 'function', name: 'tooLong', lines: 151 }]);
    expect(describeFinding(found[0] as SizeFinding)).toBe(
      'x.ts:153 function tooLong has 151 lines (limit 150)',
    );
  });

  it('reports a 501-line file and not a 500-line one, counting lines as wc -l does', () => {
    const lines = (n: number) =>
      `${Array.from({ length: n }, (_, i) => `export const a${i} = ${i};`).join('\n')}\n`;
    expect(scanSource('f.ts', lines(500))).toEqual([]);
    expect(scanSource('f.ts', lines(501))).toEqual([
      { file: 'f.ts', line: 1, kind: 'file', name: 'f.ts', lines: 501 },
    ]);
  });

  it('counts arrows, methods, accessors and constructors, nested ones on their own, in .mjs too', () => {
    const arrow = `export const handler = async () => {\n${fn('inner', 151, '  ')}\n};\n`;
    const cls = [
      'class K {',
      '  constructor() {',
      ...Array.from({ length: 149 }, () => '    void 0;'),
      '  }',
      '  get g() {',
      ...Array.from({ length: 149 }, () => '    void 0;'),
      '    return 1;',
      '  }',
      '}',
    ].join('\n');
    const names = (text: string, file = 'x.ts') => scanSource(file, text).map((f) => `${f.name}:${f.lines}`);
    expect(names(arrow)).toEqual(['handler:153', 'inner:151']);
    expect(names(arrow, 'x.mjs')).toEqual(['handler:153', 'inner:151']);
    expect(names(cls)).toEqual(['constructor:151', 'g:152']);
  });

  it('exempts callbacks passed directly to describe and its each/skipIf chains, not what is inside them', () => {
    const block = (head: string) =>
      `${head}('group', () => {\n${fn('helper', 151, '  ')}\n${fn('small', 10, '  ')}\n});\n`;
    for (const head of [
      'describe',
      'describe.each([1])',
      'describe.skipIf(false)',
      'describe.skipIf(x).each(t)',
    ]) {
      expect(scanSource('t.test.ts', block(head)).map((f) => f.name)).toEqual(['helper']);
    }
    // An `it` callback, or a callback given to any other call, is a function like any other.
    const itCase = `it('case', () => {\n${Array.from({ length: 150 }, () => '  void 0;').join('\n')}\n});\n`;
    expect(scanSource('t.test.ts', itCase).map((f) => f.name)).toEqual(['callback of it']);
    const other = `describe.only('g', () => {\n${Array.from({ length: 150 }, () => '  void 0;').join('\n')}\n});\n`;
    expect(scanSource('t.test.ts', other).map((f) => f.lines)).toEqual([152]);
  });
});

describe('the tree', () => {
  const findings = scanTree(ROOT);

  it('has no file over 500 lines and no function over 150, but for the allow-list', () => {
    const over = findings.filter((f) => !ALLOWED.some((a) => allows(a, f))).map(describeFinding);
    expect(over).toEqual([]);
  });

  it('has no stale allow-list entry (each one is still over its limit)', () => {
    const stale = ALLOWED.filter((a) => !findings.some((f) => allows(a, f)));
    expect(stale).toEqual([]);
  });
});
