import { loadConfig, readEnvironment } from './config.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';
import { type RunningApp, StartAborted, startAlignmentPulse } from './start.js';

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
    if (!(error instanceof StartAborted)) throw error;
    logger.info('stopped before Slack answered');
    process.exit(0);
  }
  if (stopRequested) await stopAndExit(running);
}

main().catch((error: unknown) => {
  const message =
    error instanceof AppError
      ? error.message
      : `Alignment Pulse stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
