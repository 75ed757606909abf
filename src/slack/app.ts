import { App, HTTPReceiver, type LogLevel, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { HEALTH_PATH, healthHandler } from './health.js';
import { InFlight } from './in-flight.js';

export const EVENTS_PATH = '/slack/events';

/** Who the bot is in its workspace, from auth.test. */
export interface BotIdentity {
  teamId: string;
  botUserId: string;
  botId: string;
}

/** The Web API client's settings, shared by the app's client and the start-up check. */
export function slackClientOptions(config: Config): WebClientOptions {
  return {
    ...(config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl }),
    // A hung call must not hold a request or a job forever.
    timeout: config.slackTimeoutMs,
    // Interactive work cannot wait half an hour (the client's default); scheduled
    // work has its own retries with backoff on top of these few quick ones.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000, randomize: true },
  };
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  inFlight: InFlight;
}

/**
 * Builds the Bolt app: the HTTP receiver at /slack/events (or Socket Mode when
 * SLACK_APP_TOKEN is set), with /healthz beside it either way. Transport only:
 * listeners are registered by the caller.
 */
export function createSlackApp(
  ctx: Pick<AppContext, 'config' | 'db' | 'logger' | 'now'>,
  identity: BotIdentity,
): SlackApp {
  const { slack, port } = ctx.config;
  const customRoutes = [
    { path: HEALTH_PATH, method: ['GET'], handler: healthHandler(ctx, ctx.now()) },
  ];
  let receiver: Receiver;
  let mode: SlackApp['mode'];
  if (slack.appToken !== undefined) {
    mode = 'socket';
    receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: ctx.logger,
      customRoutes,
      installerOptions: { port },
    });
  } else {
    mode = 'http';
    receiver = new HTTPReceiver({
      // The config refuses HTTP mode without a signing secret.
      signingSecret: slack.signingSecret ?? '',
      endpoints: EVENTS_PATH,
      logger: ctx.logger,
      customRoutes,
    });
  }

  const app = new App({
    token: slack.botToken,
    receiver,
    logger: ctx.logger,
    // Without it Bolt resets the shared logger to INFO and LOG_LEVEL=debug is lost.
    logLevel: ctx.config.logLevel as LogLevel,
    // The token was checked with auth.test before the app was built: no second check.
    botId: identity.botId,
    botUserId: identity.botUserId,
    tokenVerificationEnabled: false,
    // The app keeps no conversation state in Bolt: skip its per-request store lookup.
    convoStore: false,
    clientOptions: slackClientOptions(ctx.config),
  });

  answerWhatNoListenerTakes(app);
  const inFlight = new InFlight();
  app.use(async ({ next }) => {
    await inFlight.track(next());
  });
  app.error(async (error) => {
    ctx.logger.error('unhandled error in a Slack listener', {
      code: (error as { code?: string }).code,
      message: error.message,
    });
  });
  return { app, mode, inFlight };
}

/**
 * A body Bolt cannot route (no type it knows: nothing Slack sends, but anyone
 * can sign garbage with a leaked secret or a bug) would be left unanswered until
 * the receiver's three-second timeout and a 404. It is answered at once with an
 * empty 200 instead, and nothing runs. Whatever a listener acknowledged is left alone.
 */
function answerWhatNoListenerTakes(app: App): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    let acked = false;
    const ack: typeof event.ack = async (response) => {
      acked = true;
      return event.ack(response);
    };
    await processEvent({ ...event, ack });
    if (!acked) await event.ack();
  };
}
