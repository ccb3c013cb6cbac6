/** The allowance report as CSV (GET /api/allowance?format=csv | csv-lines). */
import { csvField } from '../domain/csv.ts';
import type { AllowanceReportRow } from './allowance.service.ts';

const CSV_HEADER = [
  'nip',
  'name',
  'unit_id',
  'month',
  'locked',
  'base_amount',
  'deduction_bp',
  'deduction_amount',
  'payable_amount',
  'adjustment_amount',
  'net_amount',
  'codes',
  'unsettled_days',
];

/** One line per employee; with `lines`, one line per deduction (the breakdown). */
export function allowanceCsv(rows: readonly AllowanceReportRow[], lines = false): string {
  const out: string[] = [];
  if (lines) {
    out.push(['nip', 'month', 'date', 'kind', 'code', 'bp', 'counted_bp', 'amount', 'note'].join(','));
    for (const r of rows) {
      for (const l of r.lines) {
        out.push(
          [r.employeeId, r.month, l.date, l.kind, l.code, l.bp, l.countedBp, l.amount, l.note ?? '']
            .map(csvField)
            .join(','),
        );
      }
    }
  } else {
    out.push(CSV_HEADER.join(','));
    for (const r of rows) {
      const codes = Object.entries(r.codeCounts)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([c, n]) => `${c}:${n}`)
        .join(' ');
      out.push(
        [
          r.employeeId,
          r.name,
          r.unitId,
          r.month,
          r.locked,
          r.baseAmount,
          r.totalBp,
          r.deductionAmount,
          r.payableAmount,
          r.adjustmentTotal,
          r.netAmount,
          codes,
          r.unsettledDates.length,
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${out.join('\r\n')}\r\n`;
}
