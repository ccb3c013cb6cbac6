import { defineConfig } from 'vitest/config';
import { SkipNoticeReporter } from './test/support/skip-notice.reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: [],
    // After vitest's summary: how many tests were skipped, and why (test/support/skip-notice.ts).
    reporters: ['default', new SkipNoticeReporter()],
  },
});
