import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Temporal dev server for the whole run; tests use unique task queues on it.
    globalSetup: ['test/setup/temporal-server.ts'],
    reporters: ['default', './test/setup/plain-summary-reporter.ts'],
    // The forks pool (the default): the threads pool crashes Temporal's native bridge.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
