/**
 * The app's own errors: each carries a stable code so that one error handler can
 * tell them from Slack API errors and from bugs, and a message written for the
 * person who has to fix the problem.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The environment does not describe a runnable app. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super(
      'config_invalid',
      `Alignment Pulse cannot start: ${problems.length === 1 ? 'one setting needs' : `${problems.length} settings need`} attention.\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet them in the environment or in a .env file (see README.md).`,
    );
  }
}

/** The database file cannot be used: not SQLite, read-only, corrupt, or migrations disagree. */
export class DatabaseError extends AppError {}

/** The message of any thrown value, for logs (never for user data). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
