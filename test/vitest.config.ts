import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const shared = {
  root: fileURLToPath(new URL('..', import.meta.url)),
  include: ['test/**/*.test.ts'],
  testTimeout: 20_000,
  hookTimeout: 60_000,
};

/**
 * The whole suite runs twice: on the embedded SQLite file (the default) and on
 * Postgres (a real server the global setup starts on 127.0.0.1). A test app
 * gets its engine from TEST_ENGINE; `--project sqlite` or `--project postgres`
 * runs one. The faults of a Postgres server are tested in the Postgres
 * project only.
 */
export default defineConfig({
  test: {
    ...shared,
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'sqlite',
          env: { TEST_ENGINE: 'sqlite' },
          // About a Postgres server going away: it runs its own, in the Postgres project.
          exclude: ['test/reliability/postgres-faults.test.ts'],
        },
      },
      { test: { ...shared, name: 'postgres', env: { TEST_ENGINE: 'postgres' } } },
    ],
  },
});
