import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AckFn,
  App,
  type CodedError,
  ErrorCode,
  HTTPReceiver,
  type Installation,
  type LogLevel,
  type Receiver,
  SocketModeReceiver,
} from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import type { AppLogger } from '../logger.js';
import { cannotReachDatabase } from '../storage/store.js';
import { installedPage, installFailedPage, installPage } from '../views/install-pages.js';
import { type InstalledClients, oneWorkspace, type WorkspaceClients } from './clients.js';
import {
  HEALTH_PATH,
  type HealthState,
  healthHandler,
  READY_PATH,
  readyHandler,
} from './health.js';
import { InFlight } from './in-flight.js';
import { BOT_SCOPES } from './scopes.js';

export const EVENTS_PATH = '/slack/events';
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/** What a slash command from a workspace without an installation is answered. */
export const NOT_INSTALLED =
  'Alignment Pulse is not installed in this workspace (or was removed). Ask a workspace admin to add it again from its install page; nothing you typed was kept.';

/**
 * What a person is told, privately, when what they asked for failed because the
 * database could not be reached (Postgres down, restarting or failing over).
 */
export const DATABASE_UNREACHABLE =
  'Alignment Pulse cannot reach its database right now, so nothing was saved. Please try again in a minute.';

/** Who the bot is in its workspace, from auth.test. */
export interface BotIdentity {
  teamId: string;
  botUserId: string;
  botId: string;
}

/** How the Web API client retries a failed call before the app sees the failure. */
export type SlackRetries = NonNullable<WebClientOptions['retryConfig']>;

/**
 * Interactive work cannot wait half an hour (the client's default); scheduled
 * work has its own retries with backoff on top of these few quick ones.
 */
export const SLACK_RETRIES: SlackRetries = {
  retries: 2,
  factor: 2,
  minTimeout: 200,
  maxTimeout: 2_000,
  randomize: true,
};

/** The Web API client's settings, shared by the app's client and the start-up check. */
export function slackClientOptions(
  config: Config,
  retries: SlackRetries = SLACK_RETRIES,
): WebClientOptions {
  return {
    ...(config.slack.apiUrl === undefined ? {} : { slackApiUrl: config.slack.apiUrl }),
    // A hung call must not hold a request or a job forever.
    timeout: config.slackTimeoutMs,
    retryConfig: retries,
  };
}

/** Transport settings a test can shorten; a deployment uses the defaults. */
export interface TransportOptions {
  retries?: SlackRetries;
  /** Socket Mode: how long a ping may go unanswered, and the step between reconnects (Slack's client: 5 s). */
  socketPingTimeoutMs?: number;
}

/**
 * How the app stands with Slack: over HTTP Slack calls in, so there is nothing
 * to hold; in Socket Mode the app holds a WebSocket, connected or (re)connecting.
 */
export type SlackConnection = 'http' | 'connected' | 'connecting';

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  inFlight: InFlight;
  connection: () => SlackConnection;
  /** A Web API client for each tenant, and the tenant of a request. */
  clients: WorkspaceClients;
}

/**
 * How the app gets its tokens: one bot token checked with auth.test
 * (single-workspace mode), or each workspace's installation by OAuth.
 */
export type SlackAuth =
  | { kind: 'token'; identity: BotIdentity }
  | { kind: 'oauth'; clients: InstalledClients };

/**
 * Slack's authorize page: on Slack's own origin beside its Web API
 * (https://slack.com/oauth/v2/authorize next to https://slack.com/api/), so a
 * stand-in at SLACK_API_URL serves it too.
 */
export function authorizeUrl(apiUrl: string | undefined): string {
  return new URL('/oauth/v2/authorize', apiUrl ?? 'https://slack.com/api/').toString();
}

/**
 * Builds the Bolt app: the HTTP receiver at /slack/events (or Socket Mode when
 * SLACK_APP_TOKEN is set), with /healthz beside it either way. Transport only:
 * listeners are registered by the caller.
 */
export function createSlackApp(
  ctx: Pick<AppContext, 'config' | 'db' | 'now'> & { logger: AppLogger },
  auth: SlackAuth,
  health: () => Omit<HealthState, 'database'>,
  transport: TransportOptions = {},
): SlackApp {
  const { slack, port } = ctx.config;
  const customRoutes = [
    { path: HEALTH_PATH, method: ['GET'], handler: healthHandler(ctx, ctx.now(), health) },
    { path: READY_PATH, method: ['GET'], handler: readyHandler(ctx, health) },
  ];
  // The SDKs log through a logger that never writes a payload (logger.ts).
  const sdkLogger = ctx.logger.forSdk();
  let receiver: Receiver;
  let mode: SlackApp['mode'];
  let connection: SlackConnection = 'http';
  if (slack.appToken !== undefined) {
    mode = 'socket';
    connection = 'connecting';
    const socket = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: sdkLogger,
      customRoutes,
      // The connection is opened through the same Web API (SLACK_API_URL) and
      // with the same time-out and retries as every other call.
      installerOptions: { port, clientOptions: slackClientOptions(ctx.config, transport.retries) },
      ...(transport.socketPingTimeoutMs === undefined
        ? {}
        : { clientPingTimeout: transport.socketPingTimeoutMs }),
    });
    socket.client.on('connected', () => {
      connection = 'connected';
      ctx.logger.info('connected to Slack over Socket Mode');
    });
    for (const state of ['connecting', 'reconnecting', 'disconnected'] as const)
      socket.client.on(state, () => {
        if (connection === 'connected') ctx.logger.warn(`Socket Mode ${state}`);
        connection = 'connecting';
      });
    receiver = socket;
  } else {
    mode = 'http';
    const http = new HTTPReceiver({
      // The config refuses HTTP mode without a signing secret.
      signingSecret: slack.signingSecret ?? '',
      endpoints: EVENTS_PATH,
      logger: sdkLogger,
      customRoutes,
      ...(auth.kind === 'oauth'
        ? oauthOptions(ctx.config, auth.clients, ctx.logger, transport)
        : {}),
    });
    refuseBodiesThatAreNotObjects(http, ctx.logger);
    receiver = http;
    if (auth.kind === 'oauth') {
      if (http.installer === undefined)
        throw new Error('Bolt built no installer from the OAuth settings');
      auth.clients.use(http.installer);
    }
  }

  const app = new App({
    // OAuth mode: no token; Bolt authorizes each request with its workspace's installation.
    ...(auth.kind === 'token'
      ? {
          token: slack.botToken,
          // The token was checked with auth.test before the app was built: no second check.
          botId: auth.identity.botId,
          botUserId: auth.identity.botUserId,
          tokenVerificationEnabled: false,
        }
      : {}),
    receiver,
    logger: sdkLogger,
    // The error handler gets the request's body too: it marks those the database failed.
    extendedErrorHandler: true,
    // Without it Bolt resets the shared logger to INFO and LOG_LEVEL=debug is lost.
    logLevel: ctx.config.logLevel as LogLevel,
    // The app keeps no conversation state in Bolt: skip its per-request store lookup.
    convoStore: false,
    clientOptions: slackClientOptions(ctx.config, transport.retries),
  });
  const clients = auth.kind === 'token' ? oneWorkspace(app.client) : auth.clients;

  // Tracked from its first middleware: an event is acknowledged before any
  // runs, and its work (finding its tenant included) counts as in flight.
  const inFlight = new InFlight();
  // Requests whose work failed because the database could not be reached.
  const unreachable = new WeakSet<object>();
  answerWhatNoListenerTakes(app, {
    logger: ctx.logger,
    installed: auth.kind === 'oauth' ? clients : undefined,
    inFlight,
    unreachable,
    timeoutMs: ctx.config.slackTimeoutMs,
  });
  app.use(async ({ next }) => {
    await inFlight.track(next());
  });
  // Every listener knows its tenant: the workspace, or the org whose org-wide install serves it.
  app.use(async ({ context, body, next }) => {
    const teamId = context.teamId ?? teamInBody(body as Body);
    context.tenantId =
      (await clients.tenantOf({ teamId, enterpriseId: context.enterpriseId })) ??
      teamId ??
      context.enterpriseId ??
      // A body that names no workspace (signed, but not as Slack sends one) finds nothing.
      '';
    await next();
  });
  app.error(async ({ error, body }: { error: CodedError; body: unknown }) => {
    if (cannotReachDatabase(error)) {
      // The person is told (answerWhatNoListenerTakes); the log says what failed, never what was sent.
      if (isObject(body)) unreachable.add(body);
      ctx.logger.warn('a Slack request failed: the database cannot be reached', {
        code: codeOf(error),
      });
      return;
    }
    if ((error as CodedError).code === ErrorCode.AuthorizationError) {
      // A workspace without an installation: Bolt acknowledges it and runs nothing.
      ctx.logger.info('ignored a request from a workspace without an installation');
      return;
    }
    ctx.logger.error('unhandled error in a Slack listener', {
      code: (error as { code?: string }).code,
      message: error.message,
    });
  });
  return { app, mode, inFlight, connection: () => connection, clients };
}

/**
 * Bolt's own OAuth: the install page at /slack/install, Slack's redirect at
 * /slack/oauth_redirect, the state signed with SLACK_STATE_SECRET and tied to
 * the browser by a cookie, installations kept through the app's store.
 */
function oauthOptions(
  config: Config,
  clients: InstalledClients,
  logger: AppLogger,
  transport: TransportOptions,
) {
  const oauth = config.slack.oauth;
  if (oauth === undefined) throw new Error('OAuth mode without its settings');
  const failed = (error: CodedError) => {
    const platform = (error as { data?: { error?: string } }).data?.error;
    if (error.message.includes('cancelled')) return 'cancelled' as const;
    if (error.code === 'slack_oauth_invalid_state' || error.code === 'slack_oauth_missing_state')
      return 'state' as const;
    if (platform !== undefined) return 'refused' as const;
    return 'unknown' as const;
  };
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    scopes: [...BOT_SCOPES],
    installationStore: clients.store(),
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: REDIRECT_PATH,
      authorizationUrl: authorizeUrl(config.slack.apiUrl),
      clientOptions: slackClientOptions(config, transport.retries),
      renderHtmlForInstallPath: installPage,
      callbackOptions: {
        success: (
          installation: Installation,
          _options: unknown,
          _req: IncomingMessage,
          res: ServerResponse,
        ) => {
          const where = installation.isEnterpriseInstall
            ? installation.enterprise?.name
            : installation.team?.name;
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(installedPage(where));
        },
        failure: (
          error: CodedError,
          _options: unknown,
          _req: IncomingMessage,
          res: ServerResponse,
        ) => {
          const reason = failed(error);
          logger.warn('an install did not finish', {
            reason,
            code: error.code,
            error: (error as { data?: { error?: string } }).data?.error,
          });
          res.writeHead(reason === 'unknown' ? 500 : 400, {
            'content-type': 'text/html; charset=utf-8',
          });
          res.end(installFailedPage(reason, INSTALL_PATH));
        },
      },
    },
  };
}

type Body = Record<string, unknown>;

/** The workspace a request names, wherever its kind of payload puts it. */
function teamInBody(body: Body): string | undefined {
  if (isText(body.team_id)) return body.team_id;
  if (isObject(body.team) && isText(body.team.id)) return body.team.id;
  if (isObject(body.user) && isText(body.user.team_id)) return body.user.team_id;
  return undefined;
}

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isUrl = (value: unknown): boolean => isText(value) && URL.canParse(value);

/**
 * Whether a request body has the fields Bolt relies on to route it: who sent
 * it, from which workspace, and what it is. Slack always sends them; a body
 * without them was not sent by Slack (but may be signed: a leaked secret, a
 * bug in a proxy) and must not reach Bolt, which would throw on it.
 */
export function hasSlackShape(body: unknown): boolean {
  if (!isObject(body)) return false;
  if (isText(body.command))
    return isText(body.user_id) && isText(body.team_id) && isText(body.trigger_id);
  if (body.type === 'url_verification' || body.ssl_check !== undefined) return true;
  if (body.type === 'event_callback') {
    const event = body.event;
    return (
      isText(body.team_id) &&
      isObject(event) &&
      isText(event.type) &&
      // Bolt reads the conversation from these when they are there.
      (event.channel === undefined || isText(event.channel) || isObject(event.channel)) &&
      (event.user === undefined || isText(event.user) || isObject(event.user)) &&
      (event.item === undefined || isObject(event.item))
    );
  }
  const user = body.user;
  const team = body.team;
  const fromSomeone =
    isObject(user) &&
    isText(user.id) &&
    ((isObject(team) && isText(team.id)) || isText(user.team_id));
  // A click, a submission or a shortcut always comes with the trigger a modal needs,
  // and where it came from, when given, is an object (Bolt reads its id).
  if (!fromSomeone || !isText(body.trigger_id)) return false;
  const places = [body.team, body.channel, body.message, body.container, body.view];
  if (!places.every((place) => place === undefined || isObject(place))) return false;
  switch (body.type) {
    case 'block_actions':
      return (
        Array.isArray(body.actions) &&
        body.actions.length > 0 &&
        body.actions.every((a) => isObject(a) && typeof a.action_id === 'string') &&
        // A click in a message comes with the URL to answer it on; a URL is a URL.
        (body.message === undefined || isUrl(body.response_url)) &&
        (body.response_url === undefined || isUrl(body.response_url))
      );
    case 'view_submission':
      return isObject(body.view) && typeof body.view.callback_id === 'string';
    case 'shortcut':
    case 'message_action':
      return typeof body.callback_id === 'string';
    default:
      return false;
  }
}

/**
 * Every request gets an answer at once. A body without Slack's shape is
 * acknowledged with an empty 200 and nothing runs; one Bolt routes to no
 * listener (it has no type Bolt knows) is acknowledged after routing instead of
 * waiting for the receiver's three-second timeout and a 404. Whatever a
 * listener acknowledged is left alone, and a listener's error still fails the request.
 *
 * A request whose work failed because the database could not be reached (the
 * error handler marks it in `unreachable`) is answered DATABASE_UNREACHABLE,
 * privately: in the acknowledgement when nothing was acknowledged yet (a form
 * stays open with the message on its first input, its answers kept, so it can
 * be sent again), else on the request's response_url. Nothing it sent was stored.
 */
function answerWhatNoListenerTakes(
  app: App,
  options: {
    logger: AppContext['logger'];
    installed: WorkspaceClients | undefined;
    inFlight: InFlight;
    unreachable: WeakSet<object>;
    timeoutMs: number;
  },
): void {
  const { logger, installed, inFlight, unreachable } = options;
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    if (!hasSlackShape(event.body)) {
      logger.warn('ignored a request without the fields Slack always sends');
      await event.ack();
      return;
    }
    const body = event.body as Body;
    // A command from a workspace nothing installed serves is told so, and nothing runs.
    if (installed !== undefined && isText(body.command)) {
      const tenant = await installed
        .tenantOf({
          teamId: String(body.team_id),
          enterpriseId: isText(body.enterprise_id) ? body.enterprise_id : undefined,
        })
        .catch((error: unknown) => {
          if (!cannotReachDatabase(error)) throw error;
          logger.warn('a Slack request failed: the database cannot be reached', {
            code: codeOf(error),
          });
          return null;
        });
      if (tenant === null) {
        await event.ack(databaseUnreachableAck(body));
        return;
      }
      if (tenant === undefined) {
        logger.info('answered a command from a workspace without an installation');
        await event.ack({ response_type: 'ephemeral', text: NOT_INSTALLED });
        return;
      }
    }
    let acked = false;
    let answered = false;
    const ack: typeof event.ack = async (response) => {
      acked = true;
      // Bolt acknowledges a request it could not authorize with nothing, after the error handler.
      if (response === undefined && unreachable.has(body)) {
        answered = true;
        return event.ack(databaseUnreachableAck(body));
      }
      return event.ack(response);
    };
    // Tracked whole, so that the answer on response_url below counts as work in flight.
    await inFlight.track(
      (async () => {
        await processEvent({ ...event, ack });
        if (!acked) await ack();
        if (unreachable.has(body) && !answered && isUrl(body.response_url))
          await fetch(String(body.response_url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              response_type: 'ephemeral',
              replace_original: false,
              text: DATABASE_UNREACHABLE,
            }),
            signal: AbortSignal.timeout(options.timeoutMs),
          }).catch((error: unknown) =>
            logger.warn('could not tell a person the database cannot be reached', {
              code: codeOf(error),
            }),
          );
      })(),
    );
  };
}

/**
 * The acknowledgement that tells a person the database cannot be reached: a
 * private message for a command; for a form, the message on its first input (the
 * form stays open with what was entered), or, for a form without inputs, a
 * notice over it; nothing for anything else, which is answered on its response_url.
 */
function databaseUnreachableAck(body: Body): Parameters<AckFn<unknown>>[0] {
  if (isText(body.command)) return { response_type: 'ephemeral', text: DATABASE_UNREACHABLE };
  if (body.type !== 'view_submission' || !isObject(body.view)) return undefined;
  const blocks = Array.isArray(body.view.blocks) ? body.view.blocks : [];
  const input = blocks.find((b) => isObject(b) && b.type === 'input' && isText(b.block_id)) as
    | { block_id: string }
    | undefined;
  if (input !== undefined)
    return { response_action: 'errors', errors: { [input.block_id]: DATABASE_UNREACHABLE } };
  return {
    response_action: 'push',
    view: {
      type: 'modal',
      title: { type: 'plain_text', text: 'Not saved' },
      close: { type: 'plain_text', text: 'Back' },
      blocks: [{ type: 'section', text: { type: 'plain_text', text: DATABASE_UNREACHABLE } }],
    },
  };
}

/** An error's code, for the log (never its message's data). */
function codeOf(error: unknown): string | undefined {
  let at: unknown = error;
  for (let depth = 0; depth < 4 && typeof at === 'object' && at !== null; depth += 1) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('slack_bolt_')) return code;
    at = (at as { original?: unknown }).original ?? (at as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Bolt's own limit on a request body. */
const BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Bolt's receiver reads fields of the parsed body before it checks what the body
 * is, so a signed body of `null` (or `payload=null`) throws where nobody catches
 * it and the request is never answered. Such a body is read here first and
 * refused with 400, as Bolt refuses other malformed bodies. Everything else goes
 * on to Bolt with the bytes already read (Bolt takes a pre-read `rawBody`).
 */
function refuseBodiesThatAreNotObjects(receiver: HTTPReceiver, logger: AppContext['logger']): void {
  const listener = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith(EVENTS_PATH)) return listener(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('error', () => res.writeHead(400).end());
    req.on('end', () => {
      if (size > BODY_LIMIT) {
        res.writeHead(413).end();
        return;
      }
      const rawBody = Buffer.concat(chunks);
      if (!parsesToObject(rawBody, String(req.headers['content-type'] ?? ''))) {
        logger.warn('refused a request whose body is not what Slack sends');
        res.writeHead(400).end();
        return;
      }
      Object.assign(req, { rawBody });
      listener(req, res);
    });
  };
}

function parsesToObject(rawBody: Buffer, contentType: string): boolean {
  try {
    const text = rawBody.toString('utf8');
    if (contentType.startsWith('application/json')) return isObject(JSON.parse(text));
    const payload = new URLSearchParams(text).get('payload');
    return payload === null || isObject(JSON.parse(payload));
  } catch {
    // Bolt answers a body it cannot parse with 400 itself.
    return true;
  }
}
