/** `/api/jobs`: the periodic jobs, their last run and outcome, and running one on demand. */

import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { JobRunner } from '../jobs/job-runner.service.ts';
import { parse, type RouteModule } from './router.ts';

const REGION = ['SUPERADMIN', 'BKD'] as const;
const JobName = z
  .string()
  .regex(/^[a-z][a-z-]{0,63}$/)
  .describe('day-close | lateness-report | month-close | notification-dispatch');

export const jobRoutes =
  (d: { jobs: JobRunner }): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/jobs',
      { summary: 'Periodic jobs: schedule, next run, lease holder, last run and its outcome', roles: REGION },
      () => d.jobs.status(),
    );
    route(
      'post',
      '/api/jobs/:name/run',
      {
        summary: 'Run a job now, under its lease; 409 while it runs (here or on another instance)',
        roles: REGION,
      },
      async (req) => {
        const name = parse(JobName, req.params.name);
        if (!d.jobs.names().includes(name)) throw new AppError('NOT_FOUND', `no job ${name}`);
        const r = await d.jobs.runNow(name);
        if (!r.ran) throw new AppError('CONFLICT', `${name} is running: ${r.reason}`);
        return { name, outcome: r.outcome };
      },
    );
  };
