/** Reads for reports: one date's day records with employee and unit names. */

import type { DayDetail } from '../attendance/daily-record.mapper.ts';
import type { ReportDay } from '../domain/lateness-report.ts';
import type { IsoDate } from '../domain/local-date.ts';
import type { Db } from '../repositories/db.ts';

export class ReportRepository {
  constructor(private readonly db: Db) {}

  async daysOn(
    date: IsoDate,
    f: { unitIds?: readonly string[] | undefined; employeeIds?: readonly string[] | undefined },
  ): Promise<ReportDay[]> {
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: {
        workDate: date,
        ...(f.unitIds ? { unitId: { in: [...f.unitIds] } } : {}),
        ...(f.employeeIds ? { employeeId: { in: [...f.employeeIds] } } : {}),
      },
      select: {
        employeeId: true,
        unitId: true,
        status: true,
        codes: true,
        lateMinutes: true,
        earlyMinutes: true,
        arrival: true,
        departure: true,
        provisional: true,
        detail: true,
      },
      orderBy: { employeeId: 'asc' },
    });
    return rows.map(({ detail, ...r }) => ({
      ...r,
      codes: r.codes.split(' ').filter((c) => c.length > 0),
      arrival: r.arrival?.getTime() ?? null,
      departure: r.departure?.getTime() ?? null,
      // The kinds of the day's deductions classify it (late, early, absent), whatever the codes.
      deductions: r.codes === '' ? [] : ((JSON.parse(detail) as DayDetail).deductions ?? []),
    }));
  }

  async employeeNames(nips: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < nips.length; i += 5000) {
      const rows = await this.db.prisma.employee.findMany({
        where: { nip: { in: nips.slice(i, i + 5000) } },
        select: { nip: true, name: true },
      });
      for (const r of rows) out.set(r.nip, r.name);
    }
    return out;
  }

  async unitNames(): Promise<Map<string, string>> {
    const rows = await this.db.prisma.unit.findMany({ select: { id: true, name: true } });
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
