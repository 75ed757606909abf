import { loadConfig, readEnvironment } from './config.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';
import { startAlignmentPulse } from './start.js';

/**
 * The entry point: parse the configuration, start the app (database, migrations,
 * Slack), and stop cleanly on SIGTERM or SIGINT. Errors the operator can fix are
 * printed as one message with a non-zero exit; nothing secret is printed.
 */
async function main(): Promise<void> {
  const config = loadConfig(readEnvironment());
  const logger = createLogger(config.logLevel);
  const running = await startAlignmentPulse(config, logger);
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info(`received ${signal}`);
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  const message =
    error instanceof AppError
      ? error.message
      : `Alignment Pulse stopped on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
