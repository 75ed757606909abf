import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import type { Publication, PublicationRequest } from './reports/publication.js';
import type { RunKey } from './storage/runs.js';
import type { Store } from './storage/store.js';

/**
 * What every module is handed: the parsed configuration, the database, the
 * logger, the clock, and a Web API client for each workspace. The clock is
 * injected so that schedules and windows can be tested without waiting.
 */
export interface AppContext {
  config: Config;
  db: Store;
  logger: Logger;
  now: () => Date;
  /**
   * The Web API client with the token of the installation serving a workspace
   * (a survey's `teamId`): the one bot token in single-workspace mode, the
   * workspace's or its org's stored installation in OAuth mode (refreshed
   * first when it is about to expire). Throws NotInstalled when none serves it.
   */
  slackFor: (teamId: string) => Promise<WebClient>;
  /** Makes the scheduler pick up changed surveys now (after setup is saved). */
  reschedule: () => Promise<void>;
  /**
   * Runs a piece of work now as a run of the scheduler: claimed once across
   * processes, retried on failure (1, 5, 15, 60 minutes), resumed after a crash.
   */
  runOnce: (key: RunKey, work: () => Promise<void>) => Promise<void>;
  /**
   * Works out a closed pulse's publication in a worker thread, on a read-only
   * connection of its own (jobs/publication-workers.ts), so a close's heavy
   * reading and statistics never hold up the event loop. Absent (an in-memory
   * database, a context built by hand): worked out on this thread.
   */
  workOutPublication?: (request: PublicationRequest) => Promise<Publication | undefined>;
}
