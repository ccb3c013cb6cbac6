/** Public API of the pure attendance rules engine (no I/O). */
export * from './allowance.ts';
export * from './calendar.ts';
export * from './daily-record.ts';
export * from './daily-status.ts';
export * from './day-evaluation.ts';
export * from './discipline.ts';
export * from './domain-error.ts';
export * from './domain-schemas.ts';
export * from './leave.ts';
export * from './local-date.ts';
export * from './month-close.ts';
export * from './month-lock.ts';
export * from './policy-profile.ts';
export * from './reason.ts';
export * from './schedule.ts';
export * from './time-zone.ts';
export * from './working-hours.ts';
