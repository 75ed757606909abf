import pg from 'pg';
import { type Config, loadConfig, readEnvironment } from './config.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';
import { type RunningApp, StartAborted, startAlignmentPulse } from './start.js';
import { explainPostgresError } from './storage/store.js';

/**
 * The entry point: parse the configuration, start the app (database, migrations,
 * Slack), and stop cleanly on SIGTERM or SIGINT. Errors the operator can fix are
 * printed as one message with a non-zero exit; nothing secret is printed.
 */
async function main(): Promise<void> {
  const config = loadConfig(readEnvironment());
  const logger = createLogger(config.logLevel);
  let running: RunningApp | undefined;
  let stopRequested = false;
  const stopAndExit = (app: RunningApp) =>
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  // Listen for signals before starting, so one that arrives mid-start still
  // stops cleanly: while the app waits for Slack, the signal ends the wait.
  const starting = new AbortController();
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info(`received ${signal}`);
    stopRequested = true;
    if (running !== undefined) void stopAndExit(running);
    else starting.abort();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  try {
    running = await startAlignmentPulse(config, logger, { signal: starting.signal });
  } catch (error) {
    if (!(error instanceof StartAborted)) throw explainStartError(error, config);
    logger.info('stopped before Slack answered');
    process.exit(0);
  }
  if (stopRequested) await stopAndExit(running);
}

/** Errors of a connection to Postgres that was made and then failed. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * An error Postgres gave while the app started, after the first connection
 * (a refused statement, the server gone since), as one message naming the
 * server, like the errors of connecting; any other error as it is.
 */
function explainStartError(error: unknown, config: Config): unknown {
  if (error instanceof AppError) return error;
  if ((error as { code?: unknown }).code === 'EADDRINUSE')
    return new AppError(
      'port_in_use',
      `Alignment Pulse cannot listen on port ${config.port}: another process uses it. Stop that process, or set PORT to a free port (each instance on one machine needs its own).`,
      { cause: error },
    );
  if (config.database.engine !== 'postgres') return error;
  const code = (error as { code?: unknown }).code;
  const fromPostgres =
    error instanceof pg.DatabaseError ||
    (typeof code === 'string' && CONNECTION_CODES.has(code)) ||
    (error instanceof Error && error.message.startsWith('Connection terminated'));
  return fromPostgres ? explainPostgresError(error, config.database.url) : error;
}

main().catch((error: unknown) => {
  const message =
    error instanceof AppError
      ? error.message
      : `Alignment Pulse stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
