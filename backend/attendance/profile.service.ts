/**
 * Policy profiles: versioned, table-driven, each with an effective date. The shipped default is
 * a row like any other; a region copies it (GET /api/policy-profiles/template), edits the JSON
 * and publishes it as a new lineage or a new version. A version applies from its date and may
 * not take effect in or before a locked month (`checkProfileChange`), so it never rewrites one.
 */
import type { Logger } from '../../lib/logger.ts';
import {
  checkProfileChange,
  DEFAULT_POLICY_PROFILE,
  type PolicyProfile,
  policyProfileSchema,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import type { AllowanceRepository } from './allowance.repository.ts';
import { markRecent } from './calendar.service.ts';
import type { RecomputeService } from './recompute.service.ts';
import type { RulesConfigRepository } from './rules-config.repository.ts';
import { todayIn } from './rules-context.ts';

export type ProfileView = {
  id: string;
  version: number;
  name: string;
  effectiveFrom: string;
  createdBy: string | null;
  createdAt: string;
  profile: PolicyProfile | null;
};

export class ProfileService {
  constructor(
    private readonly o: {
      config: RulesConfigRepository;
      allowances: AllowanceRepository;
      recompute: RecomputeService;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async list(): Promise<ProfileView[]> {
    const rows = await this.o.config.profiles();
    return rows.map((r) => {
      const parsed = policyProfileSchema.safeParse(JSON.parse(r.definition));
      return {
        id: r.id,
        version: r.version,
        name: r.name,
        effectiveFrom: r.effectiveFrom,
        createdBy: r.createdBy,
        createdAt: r.createdAt.toISOString(),
        profile: parsed.success ? parsed.data : null,
      };
    });
  }

  /** The shipped default, to copy and edit. */
  template(): PolicyProfile {
    return DEFAULT_POLICY_PROFILE;
  }

  async publish(candidate: unknown, by: string): Promise<ProfileView> {
    const existing = (await this.list()).flatMap((v) => (v.profile ? [v.profile] : []));
    const checked = checkProfileChange(candidate, existing, await this.o.allowances.lockedMonths());
    if (!checked.ok) throw new AppError('VALIDATION', checked.issues.join('; '));
    const p = checked.value;
    await this.o.config.insertProfile({
      id: p.id,
      version: p.version,
      name: p.name,
      effectiveFrom: p.effectiveFrom,
      definition: JSON.stringify(p),
      createdBy: by,
    });
    this.o.log.info(
      { id: p.id, version: p.version, effectiveFrom: p.effectiveFrom, by },
      'policy profile published',
    );
    markRecent(this.o.recompute, await this.o.config.activeEmployees(), p.effectiveFrom, null, this.now());
    const view = (await this.list()).find((v) => v.id === p.id && v.version === p.version);
    if (!view) throw new AppError('INTERNAL', 'published profile not found');
    return view;
  }

  /** Only a version not yet in force may be withdrawn. */
  async withdraw(id: string, version: number): Promise<void> {
    const v = (await this.list()).find((x) => x.id === id && x.version === version);
    if (!v) throw new AppError('NOT_FOUND', `no profile ${id} v${version}`);
    if (v.effectiveFrom <= todayIn('Asia/Jayapura', this.now())) {
      throw new AppError(
        'CONFLICT',
        `profile ${id} v${version} is in force since ${v.effectiveFrom}; publish a new version`,
      );
    }
    await this.o.config.deleteProfile(id, version);
  }
}
