import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { CATALOGUE } from './domain/catalogue.js';
import { AppError, describeError } from './errors.js';
import { digestJob } from './jobs/digest-job.js';
import { PublicationWorkers } from './jobs/publication-workers.js';
import { publishClosedPulses } from './jobs/publish-pulse.js';
import { pulseJob } from './jobs/pulse-job.js';
import { Scheduler } from './jobs/scheduler.js';
import type { AppLogger } from './logger.js';
import { migrationsDir } from './paths.js';
import {
  type BotIdentity,
  createSlackApp,
  INSTALL_PATH,
  REDIRECT_PATH,
  type SlackAuth,
  type SlackRetries,
  slackClientOptions,
  type TransportOptions,
} from './slack/app.js';
import { InstalledClients } from './slack/clients.js';
import type { HealthState } from './slack/health.js';
import { registerListeners } from './slack/listeners/index.js';
import { migrate } from './storage/migrate.js';
import { freezeOlderComments } from './storage/publication.js';
import { syncCatalogue } from './storage/questions.js';
import { Sealer } from './storage/sealed.js';
import { openStore, type Store } from './storage/store.js';
import { upsertWorkspace } from './storage/workspaces.js';

/** Connections each instance keeps to Postgres for scheduled work, beside the 10 for requests. */
const JOBS_POOL_SIZE = 5;

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

export interface StartOptions extends TransportOptions {
  /** Aborting it while the app is still connecting to Slack stops it (a SIGTERM at boot). */
  signal?: AbortSignal;
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
  logger: AppLogger,
  options: StartOptions = {},
): Promise<RunningApp> {
  const store = await openStore(config.database);
  const { db } = store;
  // On Postgres, scheduled work (a thousand pulses closing, a fan-out of DMs)
  // has connections of its own, so a person's click or answer never waits
  // behind it for one. SQLite's statements take microseconds: one connection.
  const jobsStore =
    store.engine === 'postgres'
      ? await openStore(config.database, { poolSize: JOBS_POOL_SIZE }).catch(async (error) => {
          await store.close();
          throw error;
        })
      : undefined;
  // Closes work out what they publish in worker threads reading the same database.
  const workers =
    config.database.engine === 'sqlite' && config.database.path === ':memory:'
      ? undefined
      : new PublicationWorkers(config.database, logger);
  try {
    const applied = await migrate(store, migrationsDir);
    logger.info(
      applied.length === 0
        ? 'database schema is current'
        : `applied migrations: ${applied.join(', ')}`,
    );
    await syncCatalogue(db, CATALOGUE);
    const now = options.now ?? (() => new Date());
    const auth = await authenticate(config, db, logger, now, options.retries);
    let schedulerState: HealthState['scheduler'] = options.schedule === false ? 'off' : 'starting';
    const slackApp = createSlackApp(
      { config, db, logger, now },
      auth,
      () => ({ slack: slackApp.connection(), scheduler: schedulerState }),
      options,
    );
    const { app, mode, inFlight, clients } = slackApp;
    const ctx: AppContext = {
      config,
      db,
      logger,
      now,
      slackFor: (teamId) => clients.slackFor(teamId),
      reschedule: () =>
        scheduler
          .refresh()
          .catch((error: unknown) =>
            logger.error('could not pick up the changed schedules', describeError(error)),
          ),
      runOnce: (key, work) => scheduler.runOnce(key, work),
      ...(workers === undefined
        ? {}
        : { workOutPublication: (request) => workers.workOut(request) }),
    };
    registerListeners(app, ctx);
    // Closed pulses a database from before publications holds, frozen as they
    // would have been published, and any a crash left unpublished; none usually.
    await publishClosedPulses(ctx);
    // Comments of weeks published before comments were frozen with them.
    const frozen = await freezeOlderComments(db);
    if (frozen > 0) logger.info('froze the comments of published weeks', { pulses: frozen });

    const scheduler = new Scheduler(withDb(ctx, jobsStore?.db), {
      graceMs: config.catchUpGraceHours * 3_600_000,
      leaseMs: options.leaseMs ?? 15 * 60_000,
      jobs: { pulse: pulseJob, digest: digestJob },
    });

    // In Socket Mode this waits for Slack's hello, however long Slack takes
    // (the client retries on its own); /healthz answers meanwhile, and a stop
    // signal ends the wait.
    let server: unknown;
    try {
      server = await untilAborted(app.start(config.port), options.signal);
    } catch (error) {
      await app.stop().catch(() => undefined);
      throw error instanceof StartAborted ? error : explainSocketModeError(error);
    }
    const port =
      mode === 'http'
        ? (server as { address(): AddressInfo }).address().port
        : healthPort(app, config.port);
    logger.info(
      `Alignment Pulse is running (${mode === 'http' ? 'HTTP' : 'Socket Mode'}, port ${port})`,
    );
    if (auth.kind === 'oauth')
      logger.info(
        `installing by OAuth: workspaces add the app at ${INSTALL_PATH} (port ${port}), Slack returns to ${REDIRECT_PATH}`,
      );

    if (options.schedule !== false) {
      await scheduler.start();
      schedulerState = 'running';
    }

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        logger.info('shutting down: no new requests or scheduled runs');
        await scheduler.stop(options.drainTimeoutMs ?? 10_000);
        if (schedulerState !== 'off') schedulerState = 'stopped';
        await app.stop();
        const left = await inFlight.drain(options.drainTimeoutMs ?? 10_000);
        if (left > 0) logger.warn(`shut down with ${left} request(s) still running`);
        await workers?.stop();
        await jobsStore?.close();
        await store.close();
        logger.info('shut down');
      })();
      return stopping;
    };
    const idle = async () => {
      await inFlight.drain(options.drainTimeoutMs ?? 10_000);
    };
    return { ctx, port, scheduler, idle, stop };
  } catch (error) {
    await workers?.stop();
    await jobsStore?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The app's context on other connections to the same database (the scheduler's
 * own pool): the rest is the app's, and how a closing week is worked out is
 * asked of the app's context each time, so the two never differ.
 */
function withDb(ctx: AppContext, db: Store | undefined): AppContext {
  if (db === undefined) return ctx;
  const { workOutPublication } = ctx;
  return {
    ...ctx,
    db,
    ...(workOutPublication === undefined
      ? {}
      : {
          workOutPublication: (request) => (ctx.workOutPublication ?? workOutPublication)(request),
        }),
  };
}

/** Thrown by startAlignmentPulse when its signal was aborted while it connected. */
export class StartAborted extends Error {
  constructor() {
    super('stopped while connecting to Slack');
  }
}

/** The promise, unless the signal aborts first: then StartAborted. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new StartAborted());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new StartAborted());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/** The port /healthz listens on in Socket Mode (PORT may be 0: a free one). */
function healthPort(app: App, configured: number): number {
  const receiver = (app as unknown as { receiver?: { httpServer?: Server } }).receiver;
  const address = receiver?.httpServer?.address();
  return typeof address === 'object' && address !== null ? address.port : configured;
}

/**
 * What went wrong opening the Socket Mode connection, as one message the
 * operator can act on: a refused app-level token names SLACK_APP_TOKEN.
 */
function explainSocketModeError(error: unknown): unknown {
  const code = (error as { data?: { error?: string } }).data?.error;
  if (code === 'invalid_auth' || code === 'not_authed' || code === 'account_inactive') {
    return new AppError(
      'slack_app_token',
      `Slack refused SLACK_APP_TOKEN (${code}). Create an app-level token with the connections:write scope under "Basic Information" → "App-Level Tokens" of your app, and put it in SLACK_APP_TOKEN.`,
      { cause: error },
    );
  }
  if (code !== undefined)
    return new AppError(
      'slack_socket_mode',
      `Slack would not open a Socket Mode connection (${code}). Check that Socket Mode is on in your app's settings and that SLACK_APP_TOKEN belongs to this app.`,
      { cause: error },
    );
  if ((error as { code?: string }).code?.startsWith('slack_webapi_') === true)
    return new AppError(
      'slack_unreachable',
      `Cannot open a Socket Mode connection: ${describeError(error)}. Check the network and SLACK_API_URL if it is set.`,
      { cause: error },
    );
  return error;
}

/**
 * Single-workspace mode: the bot token checked with auth.test, its workspace
 * recorded. OAuth mode: no token to check; each workspace's comes from its
 * installation, its tokens sealed with TOKEN_ENCRYPTION_KEY.
 */
async function authenticate(
  config: Config,
  db: Store,
  logger: AppLogger,
  now: () => Date,
  retries: SlackRetries | undefined,
): Promise<SlackAuth> {
  const oauth = config.slack.oauth;
  if (oauth !== undefined)
    return {
      kind: 'oauth',
      clients: new InstalledClients(
        db,
        new Sealer(oauth.tokenEncryptionKey),
        slackClientOptions(config, retries),
        logger,
        now,
      ),
    };
  const identity = await connectToSlack(config, logger, retries);
  await upsertWorkspace(db, {
    teamId: identity.teamId,
    name: identity.teamName,
    botUserId: identity.botUserId,
  });
  return { kind: 'token', identity };
}

/** Checks the bot token with auth.test and learns who the bot is. */
async function connectToSlack(
  config: Config,
  logger: AppLogger,
  retries: SlackRetries | undefined,
): Promise<BotIdentity & { teamName?: string }> {
  const where = config.slack.apiUrl ?? 'https://slack.com/api/';
  try {
    const auth = await new WebClient(config.slack.botToken, {
      ...slackClientOptions(config, retries),
      logger: logger.forSdk(),
    }).auth.test();
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
