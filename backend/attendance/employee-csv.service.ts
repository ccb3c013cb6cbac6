/**
 * Employees in and out as CSV (issue #11, docs/notes/csv.md). An import runs as a background job
 * with an id whose progress an admin polls; jobs are kept in memory (the last 20), so a restart
 * loses them (the rows already applied stay applied), and they run one at a time. Every row is
 * decided first (employee-import.ts `planImport`: a dry run stops there), then applied: the new
 * employees a chunk at a time in one transaction each (a chunk that fails is retried row by row),
 * then the edits one by one through PeopleService's own checks, and the days the edits reach are
 * recomputed in one batch at the end. A bad row is reported and left out; the others are applied.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import { type EmployeeCsvExportRow, employeesCsv } from '../domain/employee-csv.ts';
import {
  type ImportContext,
  type ImportPlanRow,
  type ImportRowError,
  type ImportRowInput,
  type PlannedCreate,
  planImport,
} from '../domain/employee-import.ts';
import { localDateOf } from '../domain/index.ts';
import { AppError, isAppError } from '../errors.ts';
import { DEFAULT_UNIT_ID } from '../services/directory.service.ts';
import { inScope, type Scope, scopedUnits } from '../services/scope.ts';
import type { Role } from '../services/tokens.ts';
import type { EmployeeCsvRepository } from './employee-csv.repository.ts';
import type { PeopleService, PersonEdit } from './people.service.ts';
import { DEFAULT_SITE } from './rules-context.ts';

export type ImportJobState = 'Running' | 'Done' | 'Failed';
type RowResult = {
  line: number;
  nip: string | null;
  action: ImportPlanRow['action'];
  fields?: string[];
  effectiveFrom?: string | null;
};

type Job = {
  id: string;
  by: string;
  dryRun: boolean;
  state: ImportJobState;
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: ImportRowError[];
  /** By the row's place in the file. */
  results: (RowResult | undefined)[];
  message?: string;
  startedAt: Date;
  finishedAt: Date | null;
};

const KEEP_JOBS = 20;

export class EmployeeCsvService {
  private readonly jobs = new Map<string, Job>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly o: {
      repo: EmployeeCsvRepository;
      people: PeopleService;
      log: Logger;
      now?: () => number;
      /** New employees were stored (the ingest's cache of known NIPs). */
      onCreated?: () => void;
      /** New employees per transaction. */
      chunkSize?: number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Queues an import of rows read at the boundary; answers at once with the job (state Running). */
  startImport(rows: readonly ImportRowInput[], dryRun: boolean, scope: Scope, by: string) {
    const job: Job = {
      id: randomUUID(),
      by,
      dryRun,
      state: 'Running',
      total: rows.length,
      processed: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      errors: [],
      results: [],
      startedAt: new Date(this.now()),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    this.prune();
    this.queue = this.queue.then(yieldToEventLoop).then(() => this.run(job, rows, scope));
    return view(job);
  }

  /** A job as its author (or a super admin) sees it; the rows once it has finished. */
  importStatus(id: string, who: { username: string; role: Role }) {
    const job = this.jobs.get(id);
    if (!job || (job.by !== who.username && who.role !== 'SUPERADMIN'))
      throw new AppError('NOT_FOUND', `no import job ${id} (jobs are kept in memory until a restart)`);
    return view(job);
  }

  /** The employees in scope (or of one unit in it) as CSV, which an import takes back unchanged. */
  async exportCsv(scope: Scope, unitId: string | undefined): Promise<string> {
    const units = scopedUnits(scope, unitId);
    const zones = await this.o.repo.siteZones();
    const now = this.now();
    const rows: EmployeeCsvExportRow[] = await this.o.repo.exportRows(units, (siteId) =>
      localDateOf(now, zones.get(siteId ?? DEFAULT_SITE) ?? 'Asia/Jakarta'),
    );
    return employeesCsv(rows);
  }

  private async run(job: Job, rows: readonly ImportRowInput[], scope: Scope): Promise<void> {
    try {
      const plan = planImport(rows, await this.context(rows, scope));
      if (job.dryRun) for (const [i, p] of plan.entries()) record(job, i, p);
      else await this.apply(job, plan, scope);
      job.state = 'Done';
    } catch (err) {
      this.o.log.error({ err, job: job.id }, 'employee import failed');
      job.state = 'Failed';
      job.message = isAppError(err) && err.status < 500 ? err.message : 'internal error (logged)';
    } finally {
      job.finishedAt = new Date(this.now());
      const { id, dryRun, total, created, updated, unchanged, failed, state } = job;
      const ms = job.finishedAt.getTime() - job.startedAt.getTime();
      this.o.log.info(
        { id, dryRun, total, created, updated, unchanged, failed, state, ms },
        'employee import',
      );
    }
  }

  private async context(rows: readonly ImportRowInput[], scope: Scope): Promise<ImportContext> {
    const nips = new Set<string>();
    const named = new Set<string>();
    for (const r of rows) {
      if (r.nip !== null) nips.add(r.nip);
      for (const sup of [
        r.create.ok && r.create.value.superiorNip,
        r.update.ok && r.update.value.superiorNip,
      ])
        if (sup) named.add(sup);
    }
    const [existing, knownNips, units, siteZones, schedules] = await Promise.all([
      this.o.repo.current([...nips]),
      this.o.repo.existing([...new Set([...nips, ...named])]),
      this.o.repo.unitIds(),
      this.o.repo.siteZones(),
      this.o.repo.scheduleIds(),
    ]);
    return {
      now: this.now(),
      existing,
      knownNips,
      units,
      siteZones,
      defaultSiteId: DEFAULT_SITE,
      schedules,
      inScope: (unitId) => inScope(scope, unitId),
      defaultUnitId: scope.all ? DEFAULT_UNIT_ID : scope.unitIds[0],
    };
  }

  /** Errors and unchanged rows at once, then the new employees by chunk, then the edits. */
  private async apply(job: Job, plan: readonly ImportPlanRow[], scope: Scope): Promise<void> {
    const creates: Array<{ i: number; p: Extract<ImportPlanRow, { action: 'create' }> }> = [];
    const updates: Array<{ i: number; p: Extract<ImportPlanRow, { action: 'update' }> }> = [];
    plan.forEach((p, i) => {
      if (p.action === 'create') creates.push({ i, p });
      else if (p.action === 'update') updates.push({ i, p });
      else record(job, i, p);
    });
    const size = this.o.chunkSize ?? 500;
    for (let k = 0; k < creates.length; k += size) {
      const part = creates.slice(k, k + size);
      const failures = await this.createAll(
        part.map((c) => c.p.create),
        job.by,
      );
      for (const { i, p } of part) {
        const why = failures.get(p.nip);
        record(job, i, why === undefined ? p : asError(p, why));
      }
      if (failures.size < part.length) this.o.onCreated?.();
      await yieldToEventLoop();
    }
    const edits: PersonEdit[] = [];
    for (const { i, p } of updates) {
      try {
        edits.push(await this.o.people.apply(p.nip, p.update, scope, job.by));
        record(job, i, p);
      } catch (err) {
        record(job, i, asError(p, this.reason(err, p.nip)));
      }
      if (job.processed % 50 === 0) await yieldToEventLoop();
    }
    await this.o.people.recomputeEdits(edits);
  }

  /** Stores a chunk at once; if that fails, row by row. The rows that could not be stored, with why. */
  private async createAll(rows: readonly PlannedCreate[], by: string): Promise<Map<string, string>> {
    const failures = new Map<string, string>();
    if (rows.length === 0) return failures;
    try {
      await this.o.repo.create(rows, by);
      return failures;
    } catch {
      for (const r of rows) {
        try {
          await this.o.repo.create([r], by);
        } catch (err) {
          failures.set(r.nip, this.reason(err, r.nip));
        }
      }
      return failures;
    }
  }

  private reason(err: unknown, nip: string): string {
    if (isAppError(err) && err.status < 500) return err.message;
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002')
      return `nip: employee ${nip} already exists`;
    this.o.log.error({ err, nip }, 'employee import: a row could not be saved');
    return 'could not be saved (logged)';
  }

  private prune(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEEP_JOBS) return;
      if (job.state !== 'Running') this.jobs.delete(id);
    }
  }
}

/**
 * Lets the requests waiting meanwhile (a poll of this job's progress) be served: with SQLite the
 * queries run synchronously, so a long import would otherwise hold the event loop to the end.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A planned row that failed when written: "field: message" names its field. */
function asError(p: ImportPlanRow, why: string): ImportPlanRow {
  const m = /^(\w+): (.*)$/s.exec(why);
  const error: ImportRowError = m
    ? { line: p.line, field: m[1] as string, message: m[2] as string }
    : { line: p.line, message: why };
  return { line: p.line, nip: p.nip, action: 'error', errors: [error] };
}

function record(job: Job, i: number, p: ImportPlanRow): void {
  job.processed++;
  const r: RowResult = { line: p.line, nip: p.nip, action: p.action };
  if (p.action === 'create') job.created++;
  else if (p.action === 'update') {
    job.updated++;
    r.fields = p.fields;
    r.effectiveFrom = p.effectiveFrom;
  } else if (p.action === 'unchanged') job.unchanged++;
  else {
    job.failed++;
    job.errors.push(...p.errors);
  }
  job.results[i] = r;
}

function view(job: Job) {
  const finished = job.state !== 'Running';
  return {
    id: job.id,
    state: job.state,
    dryRun: job.dryRun,
    total: job.total,
    processed: job.processed,
    created: job.created,
    updated: job.updated,
    unchanged: job.unchanged,
    failed: job.failed,
    errors: [...job.errors].sort((a, b) => a.line - b.line),
    rows: finished ? job.results.filter((r) => r !== undefined) : [],
    ...(job.message === undefined ? {} : { message: job.message }),
    startedAt: job.startedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
