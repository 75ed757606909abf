import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

/**
 * Builds dist/ once, as `npm start` does, so the tests that start the app as a
 * separate process run exactly what a user runs.
 */
export default function setup(): void {
  execFileSync(
    process.execPath,
    [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'src/tsconfig.json'],
    {
      cwd: projectRoot,
      stdio: 'inherit',
    },
  );
}
