import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { projectRoot } from '../../src/paths.js';
import { startTestPostgres } from './postgres.js';

/**
 * Builds dist/ once, as `npm start` does, so the tests that start the app as a
 * separate process run exactly what a user runs; then starts the Postgres
 * server the suite's Postgres run uses (each test app gets a database of its
 * own on it), and stops it when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(
    process.execPath,
    [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'src/tsconfig.json'],
    {
      cwd: projectRoot,
      stdio: 'inherit',
    },
  );
  // Only when the Postgres project runs (`--project sqlite` needs no server).
  if (!project.vitest.projects.some((p) => p.name === 'postgres')) return async () => undefined;
  const server = await startTestPostgres({ fsync: false });
  process.env.TEST_POSTGRES_URL = server.url('postgres');
  return () => server.stop();
}
