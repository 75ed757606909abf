import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import type { Db } from './storage/database.js';
import type { RunKey } from './storage/runs.js';

/**
 * What every module is handed: the parsed configuration, the database, the
 * logger, the clock, and the Slack Web API client with the bot token. The clock
 * is injected so that schedules and windows can be tested without waiting.
 */
export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  now: () => Date;
  slack: WebClient;
  /** Makes the scheduler pick up changed surveys now (after setup is saved). */
  reschedule: () => void;
  /**
   * Runs a piece of work now as a run of the scheduler: claimed once across
   * processes, retried on failure (1, 5, 15, 60 minutes), resumed after a crash.
   */
  runOnce: (key: RunKey, work: () => Promise<void>) => Promise<void>;
}
