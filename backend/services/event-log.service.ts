import { AppError } from '../errors.ts';
import type { EventRepository } from '../repositories/event.repository.ts';
import type { DirectoryService } from './directory.service.ts';
import type { Scope } from './scope.ts';

export type EventLogQuery = {
  employeeId?: string | undefined;
  terminalId?: string | undefined;
  /** An instant or a date (read as UTC midnight). */
  from?: string | undefined;
  to?: string | undefined;
  unknownEmployee?: boolean | undefined;
  clockSkew?: boolean | undefined;
  take: number;
};

const toDate = (s: string | undefined) => (s === undefined ? undefined : new Date(s));

/** The raw punches as the kiosks sent them, limited to the caller's scope. */
export class EventLogService {
  constructor(
    private readonly events: EventRepository,
    private readonly directory: DirectoryService,
  ) {}

  async list(q: EventLogQuery, scope: Scope) {
    const allowed = await this.directory.employeeIdsInScope(scope);
    if (allowed && q.employeeId && !allowed.includes(q.employeeId))
      throw new AppError('FORBIDDEN', 'employee outside your scope');
    return this.events.list({
      ...q,
      from: toDate(q.from),
      to: toDate(q.to),
      take: q.take,
      employeeIds: allowed ?? undefined,
    });
  }
}
