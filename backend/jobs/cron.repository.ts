/** node-cron behind a small port: the only place that touches the cron library. */
import cron, { type ScheduledTask } from 'node-cron';

export interface CronPort {
  /** Calls `fn` with each tick's scheduled time. */
  schedule(name: string, expression: string, timeZone: string, fn: (at: Date) => void): void;
  nextRun(name: string): Date | null;
  stopAll(): void;
}

export function isValidCron(expression: string): boolean {
  return cron.validate(expression);
}

export class CronRepository implements CronPort {
  private readonly tasks = new Map<string, ScheduledTask>();

  schedule(name: string, expression: string, timeZone: string, fn: (at: Date) => void): void {
    const task = cron.schedule(
      expression,
      (ctx) => {
        fn(ctx.date);
      },
      // The lease decides who runs; node-cron only says when. Overlap is refused by the runner.
      { name, timezone: timeZone, unref: true },
    );
    // A tick more than node-cron's tolerance late (a busy event loop) is reported as missed and
    // not run; its period is still owed, and the lease keeps it to one run across instances.
    task.on('execution:missed', (ctx) => {
      fn(ctx.date);
    });
    this.tasks.set(name, task);
  }

  nextRun(name: string): Date | null {
    return this.tasks.get(name)?.getNextRun() ?? null;
  }

  stopAll(): void {
    for (const t of this.tasks.values()) void t.destroy();
    this.tasks.clear();
  }
}
