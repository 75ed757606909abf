import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

export const MAIN = join(projectRoot, 'dist', 'main.js');

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<void>;
}

/**
 * The test's own clock, passed on: when the suite runs with the system clock
 * moved (scripts/moved-clock, libfaketime), the app's process reads the same time.
 */
export const clockEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        (e[0] === 'LD_PRELOAD' || e[0].startsWith('FAKETIME')) && e[1] !== undefined,
    ),
  );

/**
 * Runs the built app (`node dist/src/main.js`, what `npm start` runs) as its own
 * process, with exactly the environment given (plus PATH and the test's clock), in `cwd`.
 */
export function runApp(
  env: Record<string, string>,
  options: { cwd?: string; uid?: number; gid?: number; nodeArgs?: string[] } = {},
): AppProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN], {
    cwd: options.cwd ?? projectRoot,
    env: { PATH: process.env.PATH ?? '', ...clockEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  let output = '';
  const waiters: { match: string | RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const found =
        typeof waiter.match === 'string'
          ? output.includes(waiter.match)
          : waiter.match.test(output);
      if (found) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (match: string | RegExp, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for ${String(match)}; output so far:\n${output}`)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      waiters.push({ match, resolve: done });
      onData(Buffer.alloc(0));
      exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the app exited while waiting for ${String(match)}; output:\n${output}`));
      });
    });
  return { child, output: () => output, exited, waitFor };
}
