import type { AddressInfo } from 'node:net';
import type { Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { CATALOGUE } from './domain/catalogue.js';
import { AppError, describeError } from './errors.js';
import { digestJob } from './jobs/digest-job.js';
import { publishClosedPulses } from './jobs/publish-pulse.js';
import { pulseJob } from './jobs/pulse-job.js';
import { Scheduler } from './jobs/scheduler.js';
import { migrationsDir } from './paths.js';
import { type BotIdentity, createSlackApp, slackClientOptions } from './slack/app.js';
import { registerListeners } from './slack/listeners/index.js';
import { openDatabase } from './storage/database.js';
import { migrate } from './storage/migrate.js';
import { syncCatalogue } from './storage/questions.js';
import { upsertWorkspace } from './storage/workspaces.js';

export interface RunningApp {
  ctx: AppContext;
  /** The port /slack/events and /healthz listen on. */
  port: number;
  /** The survey schedules (pulses, reminders, closing). */
  scheduler: Scheduler;
  /** Resolves when no Slack request is being handled (work continues after an ack). */
  idle: () => Promise<void>;
  /** Stops taking requests, lets work in flight finish (bounded), closes the database. */
  stop: () => Promise<void>;
}

export interface StartOptions {
  now?: () => Date;
  /** How long a run left 'running' by a process that died holds its claim. */
  leaseMs?: number;
  /** False: build the scheduler but do not start its timers (tests drive it by hand). */
  schedule?: boolean;
  /** How long shutdown waits for work in flight. */
  drainTimeoutMs?: number;
}

/**
 * Starts Alignment Pulse: open the database and migrate it, build the Bolt app,
 * register its listeners, check the bot token with Slack, then listen. Nothing
 * is served before the schema is current.
 */
export async function startAlignmentPulse(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningApp> {
  const db = openDatabase(config.databasePath);
  try {
    const applied = migrate(db, migrationsDir);
    logger.info(
      applied.length === 0
        ? 'database schema is current'
        : `applied migrations: ${applied.join(', ')}`,
    );
    syncCatalogue(db, CATALOGUE);
    const now = options.now ?? (() => new Date());
    const identity = await connectToSlack(config, logger);
    upsertWorkspace(db, {
      teamId: identity.teamId,
      name: identity.teamName,
      botUserId: identity.botUserId,
    });
    const { app, mode, inFlight } = createSlackApp({ config, db, logger, now }, identity);
    const ctx: AppContext = {
      config,
      db,
      logger,
      now,
      slack: app.client,
      reschedule: () => scheduler.refresh(),
    };
    registerListeners(app, ctx);
    // Closed pulses a database from before publications holds, frozen as they
    // would have been published; none on a current database.
    publishClosedPulses(ctx);

    const scheduler = new Scheduler(ctx, {
      graceMs: config.catchUpGraceHours * 3_600_000,
      leaseMs: options.leaseMs ?? 15 * 60_000,
      jobs: { pulse: pulseJob, digest: digestJob },
    });

    const server = await app.start(config.port);
    const port =
      mode === 'http' ? (server as { address(): AddressInfo }).address().port : config.port;
    logger.info(
      `Alignment Pulse is running (${mode === 'http' ? 'HTTP' : 'Socket Mode'}, port ${port})`,
    );

    if (options.schedule !== false) await scheduler.start();

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        logger.info('shutting down: no new requests or scheduled runs');
        await scheduler.stop(options.drainTimeoutMs ?? 10_000);
        await app.stop();
        const left = await inFlight.drain(options.drainTimeoutMs ?? 10_000);
        if (left > 0) logger.warn(`shut down with ${left} request(s) still running`);
        db.close();
        logger.info('shut down');
      })();
      return stopping;
    };
    const idle = async () => {
      await inFlight.drain(options.drainTimeoutMs ?? 10_000);
    };
    return { ctx, port, scheduler, idle, stop };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Checks the bot token with auth.test and learns who the bot is. */
async function connectToSlack(
  config: Config,
  logger: Logger,
): Promise<BotIdentity & { teamName?: string }> {
  const where = config.slack.apiUrl ?? 'https://slack.com/api/';
  try {
    const auth = await new WebClient(config.slack.botToken, slackClientOptions(config)).auth.test();
    if (auth.team_id === undefined || auth.user_id === undefined || auth.bot_id === undefined) {
      throw new Error(
        'auth.test did not name the workspace and the bot: is SLACK_BOT_TOKEN a bot token?',
      );
    }
    logger.info('connected to Slack', { team: auth.team_id, botUser: auth.user_id });
    return {
      teamId: auth.team_id,
      teamName: auth.team,
      botUserId: auth.user_id,
      botId: auth.bot_id,
    };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (
      code === 'invalid_auth' ||
      code === 'not_authed' ||
      code === 'account_inactive' ||
      code === 'token_revoked'
    ) {
      throw new AppError(
        'slack_auth',
        `Slack refused SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token again from your app's "OAuth & Permissions" page, and reinstall the app if it was removed.`,
        { cause: error },
      );
    }
    throw new AppError(
      'slack_unreachable',
      `Cannot reach Slack's Web API at ${where}: ${describeError(error)}. Check the network${config.slack.apiUrl === undefined ? '' : ' and SLACK_API_URL'}.`,
      { cause: error },
    );
  }
}
