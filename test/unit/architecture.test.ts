/**
 * The parts depend on each other only as docs/ARCHITECTURE.md allows (rules in scripts/architecture.ts).
 * The first test checks the real tree; the others show that each rule catches the import it forbids.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, formatViolation, importsOf, RULES, sourceFiles } from '../../scripts/architecture.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const broken = (files: Record<string, string>) =>
  check(new Map(Object.entries(files))).map((v) => v.rule.name);

describe('architecture', () => {
  it('the tree breaks no dependency rule', () => {
    const files = sourceFiles(ROOT);
    expect(files.size).toBeGreaterThan(100);
    expect(check(files).map(formatViolation)).toEqual([]);
  });

  it('reads every kind of import, type-only and dynamic ones included', () => {
    const src = [
      "import type { A } from './a.ts';",
      "export { b } from '../b.ts';",
      "import * as c from 'c';",
      "const d = await import('./d.ts');",
      "const e = require('e');",
      "import f = require('f');",
    ].join('\n');
    expect(importsOf('x/y.ts', src).map((i) => i.spec)).toEqual([
      './a.ts',
      '../b.ts',
      'c',
      './d.ts',
      'e',
      'f',
    ]);
  });

  it('fails when the broker imports the backend, even a type', () => {
    expect(broken({ 'broker/main.ts': "import type { Db } from '../backend/repositories/db.ts';" })).toEqual([
      'broker-not-backend',
    ]);
  });

  it('fails when the face engine imports the kiosk or the server', () => {
    expect(
      broken({ 'face/pipeline.ts': "import type { PunchSource } from '../terminal/punch-source.ts';" }),
    ).toEqual(['face-independent']);
    expect(broken({ 'face/frames/x.ts': "import { y } from '../../backend/faces/y.ts';" })).toEqual([
      'face-independent',
    ]);
  });

  it('fails when the kiosk imports the server or its database driver', () => {
    expect(broken({ 'terminal/kiosk.ts': "import { a } from '../backend/config.ts';" })).toEqual([
      'terminal-not-server',
    ]);
    expect(broken({ 'terminal/kiosk.ts': "import { PrismaClient } from '@prisma/client';" })).toEqual([
      'terminal-not-server',
    ]);
  });

  it('fails when a domain rule does I/O or reaches another layer', () => {
    expect(broken({ 'backend/domain/a.ts': "import { readFileSync } from 'node:fs';" })).toEqual([
      'domain-is-pure',
    ]);
    expect(broken({ 'backend/domain/a.ts': "import { x } from '../repositories/db.ts';" })).toEqual([
      'domain-is-pure',
    ]);
    expect(
      broken({ 'backend/domain/a.ts': "import { b } from './b.ts';\nimport { z } from 'zod';" }),
    ).toEqual([]);
  });

  it('fails when a route handler imports a repository, and when a service imports a route', () => {
    expect(
      broken({
        'backend/api/sites.routes.ts': "import { SiteRepository } from '../faces/site.repository.ts';",
      }),
    ).toEqual(['routes-call-services']);
    expect(
      broken({ 'backend/attendance/attendance.module.ts': "import { r } from '../api/router.ts';" }),
    ).toEqual(['services-not-transport']);
  });

  it('fails when product code imports tests, benchmarks or scripts; protocol and lib import no part', () => {
    expect(broken({ 'backend/server.ts': "import { x } from '../test/support/proc.ts';" })).toEqual([
      'nothing-imports-tools',
    ]);
    expect(broken({ 'protocol/index.ts': "import { l } from '../lib/logger.ts';" })).toEqual([
      'protocol-stands-alone',
    ]);
    expect(broken({ 'lib/logger.ts': "import { t } from '../protocol/topics.ts';" })).toEqual([
      'lib-stands-alone',
    ]);
  });

  it('allows what the architecture allows', () => {
    expect(
      broken({
        'terminal/face-kiosk.ts':
          "import { FacePipeline } from '../face/pipeline.ts';\nimport { t } from '../protocol/index.ts';",
        'backend/server.ts':
          "import { startBroker } from '../broker/broker.ts';\nimport { r } from './api/router.ts';",
        'backend/faces/pipeline-enroller.ts': "import { FacePipeline } from '../../face/pipeline.ts';",
        'broker/acl.ts': "import { topics } from '../protocol/index.ts';",
        'test/e2e/x.test.ts': "import { y } from '../../backend/server.ts';",
      }),
    ).toEqual([]);
    expect(RULES.length).toBeGreaterThanOrEqual(10);
  });
});
