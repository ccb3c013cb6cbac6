/**
 * What an employee import would do, row by row (issue #11, docs/notes/csv.md), decided before
 * anything is written, so that a dry run and a real run agree. A row creates a new NIP or updates
 * an existing one with only the fields that differ; a row that changes nothing is "unchanged"; a
 * bad row is an error naming its line and field and never stops the others. The same rules as
 * POST /api/employees and PATCH /api/employees/:nip, checked against the state loaded once:
 *
 * - a dated field (unit, site, superior, position class, base amount, schedule) is compared with
 *   the value in force on `effectiveFrom`, or today (the employee's site zone) when the row gives
 *   none; a change without `effectiveFrom` applies from today;
 * - a new employee's values hold from its start date (default: today in its site's zone), its
 *   `effectiveFrom` is not used;
 * - the same NIP twice is an error on the later line; a superior may be an employee that the same
 *   file creates, on any line.
 */
import { type Dated, type EndReason, periodProblem, versionOn } from './employment.ts';
import type { IsoDate } from './local-date.ts';
import { resolveScheduleId, type ScheduleAssignment } from './schedule.ts';
import { localDateOf } from './time-zone.ts';

export type ImportRowError = { line: number; field?: string; message: string };

export type ImportCreate = {
  nip: string;
  name: string;
  kind: 'PNS' | 'PPPK';
  unitId?: string | undefined;
  siteId?: string | undefined;
  superiorNip?: string | undefined;
  positionClass?: number | undefined;
  baseAmount?: number | undefined;
  startDate?: IsoDate | undefined;
  endDate?: IsoDate | undefined;
  endReason?: EndReason | undefined;
  scheduleId?: string | undefined;
};

/** An edit as PATCH /api/employees/:nip takes it. */
export type ImportUpdate = {
  name?: string | undefined;
  kind?: 'PNS' | 'PPPK' | undefined;
  startDate?: IsoDate | null | undefined;
  endDate?: IsoDate | null | undefined;
  endReason?: EndReason | null | undefined;
  unitId?: string | undefined;
  siteId?: string | null | undefined;
  superiorNip?: string | null | undefined;
  positionClass?: number | null | undefined;
  baseAmount?: number | null | undefined;
  scheduleId?: string | undefined;
  effectiveFrom?: IsoDate | undefined;
};

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: ImportRowError[] };

/** A CSV row read both ways at the boundary (as a new employee, as an edit): its NIP decides. */
export type ImportRowInput = {
  line: number;
  /** null: no valid NIP (then `errors` says why). */
  nip: string | null;
  /** Errors whichever way the row is read. */
  errors: ImportRowError[];
  create: Parsed<ImportCreate>;
  update: Parsed<ImportUpdate>;
};

export type EmployeeDatedFields = {
  unitId: string;
  siteId: string | null;
  superiorNip: string | null;
  positionClass: number | null;
  baseAmount: number | null;
};

/** An employee as stored: today's values, the dated history and their own schedule assignments. */
export type ImportCurrent = EmployeeDatedFields & {
  nip: string;
  name: string;
  kind: string;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
  endReason: string | null;
  /** Ascending; empty when never changed by date. */
  history: readonly Dated<EmployeeDatedFields>[];
  schedules: readonly ScheduleAssignment[];
};

export type ImportContext = {
  now: number;
  /** The stored employees among the file's NIPs. */
  existing: ReadonlyMap<string, ImportCurrent>;
  /** Which of the file's NIPs and of the superiors its rows name are stored employees. */
  knownNips: ReadonlySet<string>;
  units: ReadonlySet<string>;
  /** Site id → IANA zone, the default site included. */
  siteZones: ReadonlyMap<string, string>;
  defaultSiteId: string;
  schedules: ReadonlySet<string>;
  inScope: (unitId: string) => boolean;
  /** The unit of a new employee whose row gives none (undefined: the caller has none). */
  defaultUnitId: string | undefined;
};

export type PlannedCreate = ImportCreate & { unitId: string; startDate: IsoDate; active: boolean };

export type ImportPlanRow =
  | { line: number; nip: string; action: 'create'; create: PlannedCreate }
  | {
      line: number;
      nip: string;
      action: 'update';
      update: ImportUpdate;
      /** The fields that change. */
      fields: string[];
      /** The day the dated changes apply from; null when only plain fields change. */
      effectiveFrom: IsoDate | null;
    }
  | { line: number; nip: string; action: 'unchanged' }
  | { line: number; nip: string | null; action: 'error'; errors: ImportRowError[] };

const PLAIN = ['name', 'kind', 'startDate', 'endDate', 'endReason'] as const;
const DATED = ['unitId', 'siteId', 'superiorNip', 'positionClass', 'baseAmount'] as const;

/** Every row's outcome, in file order. */
export function planImport(rows: readonly ImportRowInput[], ctx: ImportContext): ImportPlanRow[] {
  const firstLine = new Map<string, number>();
  const plan = rows.map((r): ImportPlanRow => {
    if (r.nip === null || r.errors.length > 0) {
      const more = r.update.ok ? [] : r.update.errors;
      return { line: r.line, nip: r.nip, action: 'error', errors: [...r.errors, ...more] };
    }
    const before = firstLine.get(r.nip);
    if (before !== undefined) return fail(r.line, r.nip, 'nip', `NIP ${r.nip} is already on line ${before}`);
    firstLine.set(r.nip, r.line);
    const cur = ctx.existing.get(r.nip);
    if (cur) return r.update.ok ? planUpdate(r.line, r.update.value, cur, ctx) : failed(r, r.update.errors);
    return r.create.ok ? planCreate(r.line, r.create.value, ctx) : failed(r, r.create.errors);
  });
  return checkSuperiors(plan, ctx);
}

function fail(line: number, nip: string | null, field: string, message: string): ImportPlanRow {
  return { line, nip, action: 'error', errors: [{ line, field, message }] };
}

function failed(r: ImportRowInput, errors: ImportRowError[]): ImportPlanRow {
  return { line: r.line, nip: r.nip, action: 'error', errors };
}

/** The references a row makes that must exist and be the caller's. */
function referenceErrors(
  line: number,
  nip: string,
  v: { unitId?: string | undefined; siteId?: string | null | undefined; scheduleId?: string | undefined },
  superiorNip: string | null | undefined,
  ctx: ImportContext,
): ImportRowError[] {
  const out: ImportRowError[] = [];
  if (v.unitId !== undefined) {
    if (!ctx.units.has(v.unitId)) out.push({ line, field: 'unitId', message: `unknown unit ${v.unitId}` });
    else if (!ctx.inScope(v.unitId))
      out.push({ line, field: 'unitId', message: `unit ${v.unitId} is outside your scope` });
  }
  if (v.siteId && !ctx.siteZones.has(v.siteId))
    out.push({ line, field: 'siteId', message: `unknown site ${v.siteId}` });
  if (superiorNip === nip) out.push({ line, field: 'superiorNip', message: 'not the employee themselves' });
  if (v.scheduleId !== undefined && !ctx.schedules.has(v.scheduleId))
    out.push({ line, field: 'scheduleId', message: `unknown schedule ${v.scheduleId}` });
  return out;
}

function todayAt(ctx: ImportContext, siteId: string | null | undefined): IsoDate {
  const zone = ctx.siteZones.get(siteId ?? ctx.defaultSiteId) ?? 'Asia/Jakarta';
  return localDateOf(ctx.now, zone);
}

/** As DirectoryService.createEmployee: default unit, start today, active unless already ended. */
function planCreate(line: number, v: ImportCreate, ctx: ImportContext): ImportPlanRow {
  const unitId = v.unitId ?? ctx.defaultUnitId;
  if (unitId === undefined) return fail(line, v.nip, 'unitId', 'required: you have no unit of your own');
  const errors = referenceErrors(line, v.nip, { ...v, unitId }, v.superiorNip, ctx);
  const today = todayAt(ctx, v.siteId);
  const startDate = v.startDate ?? today;
  if (v.endDate !== undefined && v.endDate < startDate)
    errors.push({ line, field: 'endDate', message: `${v.endDate} is before the start date ${startDate}` });
  if (errors.length > 0) return { line, nip: v.nip, action: 'error', errors };
  const active = v.endDate === undefined || v.endDate >= today;
  return { line, nip: v.nip, action: 'create', create: { ...v, unitId, startDate, active } };
}

function datedOf(c: EmployeeDatedFields): EmployeeDatedFields {
  return {
    unitId: c.unitId,
    siteId: c.siteId,
    superiorNip: c.superiorNip,
    positionClass: c.positionClass,
    baseAmount: c.baseAmount,
  };
}

/** As PeopleService.update, with only the fields that differ from what holds. */
function planUpdate(line: number, v: ImportUpdate, cur: ImportCurrent, ctx: ImportContext): ImportPlanRow {
  const nip = cur.nip;
  if (!ctx.inScope(cur.unitId))
    return fail(line, nip, 'unitId', `employee ${nip} is in unit ${cur.unitId}, outside your scope`);
  const errors = referenceErrors(line, nip, v, v.superiorNip, ctx);
  const from = v.effectiveFrom ?? todayAt(ctx, cur.siteId);
  const out: ImportUpdate = {};
  const fields: string[] = [];
  const set = (k: keyof ImportUpdate, value: unknown) => {
    Object.assign(out, { [k]: value });
    fields.push(k);
  };
  for (const k of PLAIN) if (v[k] !== undefined && v[k] !== cur[k]) set(k, v[k]);
  const held = versionOn(cur.history, from, datedOf(cur));
  for (const k of DATED) if (v[k] !== undefined && v[k] !== held[k]) set(k, v[k]);
  if (v.scheduleId !== undefined && v.scheduleId !== ownScheduleOn(cur, from))
    set('scheduleId', v.scheduleId);
  const dated = fields.some((f) => f === 'scheduleId' || (DATED as readonly string[]).includes(f));
  if (dated) out.effectiveFrom = from;
  const period = {
    startDate: out.startDate === undefined ? cur.startDate : out.startDate,
    endDate: out.endDate === undefined ? cur.endDate : out.endDate,
  };
  if (periodProblem(period))
    errors.push({
      line,
      field: 'endDate',
      message: `${period.endDate} is before the start date ${period.startDate}`,
    });
  if (errors.length > 0) return { line, nip, action: 'error', errors };
  if (fields.length === 0) return { line, nip, action: 'unchanged' };
  return { line, nip, action: 'update', update: out, fields, effectiveFrom: dated ? from : null };
}

/** The employee's own schedule on a date ('' when they follow their unit's). */
export function ownScheduleOn(cur: Pick<ImportCurrent, 'nip' | 'schedules'>, date: IsoDate): string {
  return resolveScheduleId(cur.schedules, { employeeId: cur.nip, unitIds: [] }, date, '');
}

/**
 * A superior must be a stored employee or one this file creates. A row that fails can take a
 * row naming it as superior down with it: checked until nothing changes.
 */
function checkSuperiors(plan: ImportPlanRow[], ctx: ImportContext): ImportPlanRow[] {
  let out = plan;
  for (;;) {
    const created = new Set(out.flatMap((p) => (p.action === 'create' ? [p.nip] : [])));
    let changed = false;
    out = out.map((p) => {
      const sup =
        p.action === 'create' ? p.create.superiorNip : p.action === 'update' ? p.update.superiorNip : null;
      if (!sup || ctx.knownNips.has(sup) || created.has(sup)) return p;
      changed = true;
      return fail(p.line, p.nip, 'superiorNip', `unknown employee ${sup}`);
    });
    if (!changed) return out;
  }
}
