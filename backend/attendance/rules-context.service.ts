import type { Logger } from '../../lib/logger.ts';
import {
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  DEFAULT_SCHEDULE_ID,
  type PolicyProfile,
  policyProfileSchema,
  type WorkSchedule,
  workScheduleSchema,
} from '../domain/index.ts';
import type { CalendarRepository } from './calendar.repository.ts';
import type { RulesConfigRepository } from './rules-config.repository.ts';
import { pendingFromStatuses, type RulesContext } from './rules-context.ts';

/** Loads the rules context from the database; seeds the shipped defaults on first start. */
export class RulesContextService {
  constructor(
    private readonly calendar: CalendarRepository,
    private readonly config: RulesConfigRepository,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The default profile and office schedule are rows like any other, so a region can edit them. */
  async ensureDefaults(): Promise<void> {
    if ((await this.config.profiles()).length === 0) {
      const p = DEFAULT_POLICY_PROFILE;
      await this.config.insertProfile({
        id: p.id,
        version: p.version,
        name: p.name,
        effectiveFrom: p.effectiveFrom,
        definition: JSON.stringify(p),
        createdBy: null,
      });
    }
    if (!(await this.calendar.schedule(DEFAULT_SCHEDULE_ID))) {
      await this.calendar.saveSchedule(DEFAULT_OFFICE_SCHEDULE);
    }
  }

  async load(): Promise<RulesContext> {
    const [schedules, assignments, holidays, specialPeriods, profiles, units, sites, terminals, amounts] =
      await Promise.all([
        this.calendar.schedules(),
        this.calendar.assignments(),
        this.calendar.holidays(),
        this.calendar.specialPeriods(),
        this.config.profiles(),
        this.config.units(),
        this.config.sites(),
        this.config.terminals(),
        this.config.positionAmounts(),
      ]);
    const scheduleMap = new Map<string, WorkSchedule>([[DEFAULT_SCHEDULE_ID, DEFAULT_OFFICE_SCHEDULE]]);
    for (const s of schedules) {
      const parsed = workScheduleSchema.safeParse(s);
      if (parsed.success) scheduleMap.set(parsed.data.id, parsed.data);
      else this.log.error({ id: s.id }, 'stored schedule is invalid; ignored');
    }
    const parsedProfiles: PolicyProfile[] = [];
    for (const p of profiles) {
      const parsed = policyProfileSchema.safeParse(JSON.parse(p.definition));
      if (parsed.success) parsedProfiles.push(parsed.data);
      else this.log.error({ id: p.id, version: p.version }, 'stored policy profile is invalid; ignored');
    }
    if (parsedProfiles.length === 0) parsedProfiles.push(DEFAULT_POLICY_PROFILE);
    return {
      schedules: scheduleMap,
      assignments,
      calendar: { holidays, specialPeriods },
      profiles: parsedProfiles,
      profileAssignments: await this.config.profileAssignments(),
      unitParents: new Map(units.map((u) => [u.id, u.parentId])),
      siteZones: new Map(sites.map((s) => [s.id, s.timeZone])),
      positionAmounts: amounts,
      pendingSince: pendingFromStatuses(terminals, this.now()),
    };
  }
}
