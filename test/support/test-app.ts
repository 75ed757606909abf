import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningApp, startAlignmentPulse } from '../../src/start.js';
import type { StoreLocation } from '../../src/storage/store.js';
import { freshDatabase } from './postgres.js';
import { SlackSender } from './slack-requests.js';
import { BOT_TOKEN, SlackStandIn } from './slack-stand-in.js';
import { SocketModeStandIn, SocketSender } from './socket-mode-stand-in.js';

export const SIGNING_SECRET = 'test0signing0secret0abcdef123456';

/** The app's OAuth credentials in OAuth mode (made up; the stand-in knows them). */
export const OAUTH = {
  clientId: '1234567890.9876543210',
  clientSecret: 'c1i3nt5ecret0123456789abcdef0123',
  stateSecret: 'state-secret-for-the-tests-0123456789',
  // 32 bytes, base64: the key the installations' tokens are sealed with.
  tokenEncryptionKey: Buffer.alloc(32, 7).toString('base64'),
};

/** The engine this run of the suite tests on (vitest.config.ts sets it per project). */
export function testEngine(): 'sqlite' | 'postgres' {
  return process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * A fresh, empty database on this run's engine, as the environment the app
 * reads: a SQLite file in `dir`, or a database of its own on the test server.
 */
export async function testDatabase(
  dir: string,
): Promise<{ env: Record<string, string>; location: StoreLocation; drop: () => Promise<void> }> {
  if (testEngine() === 'sqlite') {
    const path = join(dir, 'pulse.db');
    return {
      env: { DATABASE_PATH: path },
      location: { engine: 'sqlite', path },
      drop: async () => undefined,
    };
  }
  const server = process.env.TEST_POSTGRES_URL;
  if (server === undefined) throw new Error('no test Postgres: run through test/vitest.config.ts');
  const fresh = await freshDatabase(server);
  return {
    env: { DATABASE_URL: fresh.url },
    location: { engine: 'postgres', url: fresh.url },
    drop: fresh.drop,
  };
}

export interface TestApp {
  app: RunningApp;
  /** Where the app's data is: its SQLite file, or its own database on the test Postgres. */
  database: StoreLocation;
  standIn: SlackStandIn;
  /** In Socket Mode: the WebSocket end of Slack. */
  socket: SocketModeStandIn | undefined;
  slack: SlackSender;
  /** Every line the app logged. */
  logs: string[];
  dir: string;
  baseUrl: string;
  stop: () => Promise<void>;
}

/** A clock that stays at `iso` until the test moves it (`clock.now = …`). */
export function pinnedClock(iso: string): { now: Date } {
  return { now: new Date(iso) };
}

/** The machine's own clock: only for a test about real time passing. */
export const realClock = (): Date => new Date();

/**
 * The real app, started in this process on a free port, against a fresh stand-in
 * and a fresh database file in a temporary folder; over HTTP, or in Socket Mode
 * against the Socket Mode stand-in (`socketMode`), where `slack` sends the same
 * payloads as envelopes.
 */
export async function startTestApp(options: {
  env?: Record<string, string>;
  /**
   * The app's clock, always chosen: a pinned one (`pinnedClock`) for every
   * test not about time passing, so the suite passes on any day;
   * `realClock` only where the test is about the real clock.
   */
  now: () => Date;
  standIn?: SlackStandIn;
  schedule?: boolean;
  socketMode?: boolean;
  /**
   * OAuth mode: installed by workspaces through /slack/install, no bot token;
   * `tokenRotation` makes the stand-in's tokens expire after that many seconds.
   */
  oauth?: { tokenRotation?: { expiresInSeconds: number } };
}): Promise<TestApp> {
  const standIn = options.standIn ?? (await SlackStandIn.start());
  if (options.oauth !== undefined)
    standIn.configureOAuth({
      clientId: OAUTH.clientId,
      clientSecret: OAUTH.clientSecret,
      ...(options.oauth.tokenRotation === undefined
        ? {}
        : { tokenRotation: options.oauth.tokenRotation }),
    });
  const socket = options.socketMode === true ? await SocketModeStandIn.start(standIn) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-'));
  // A test that names its own database keeps it.
  const named: StoreLocation | undefined =
    options.env?.DATABASE_URL !== undefined
      ? { engine: 'postgres', url: options.env.DATABASE_URL }
      : options.env?.DATABASE_PATH !== undefined
        ? { engine: 'sqlite', path: options.env.DATABASE_PATH }
        : undefined;
  const database =
    named === undefined
      ? await testDatabase(dir)
      : { env: {}, location: named, drop: async () => undefined };
  const config = loadConfig({
    ...(options.oauth === undefined
      ? { SLACK_BOT_TOKEN: BOT_TOKEN }
      : {
          SLACK_CLIENT_ID: OAUTH.clientId,
          SLACK_CLIENT_SECRET: OAUTH.clientSecret,
          SLACK_STATE_SECRET: OAUTH.stateSecret,
          TOKEN_ENCRYPTION_KEY: OAUTH.tokenEncryptionKey,
        }),
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
    ...database.env,
    LOG_LEVEL: 'debug',
    ...(socket === undefined ? {} : { SLACK_APP_TOKEN: socket.appToken }),
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(line));
  const app = await startAlignmentPulse(config, logger, {
    // Retries and reconnects in milliseconds, not seconds: no test waits on the
    // Slack clients' own back-off, so none depends on how busy the machine is.
    retries: { retries: 2, factor: 2, minTimeout: 5, maxTimeout: 20, randomize: false },
    socketPingTimeoutMs: 300,
    now: options.now,
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
  });
  const baseUrl = `http://127.0.0.1:${app.port}`;
  // The Redirect URL in the app's settings, as manifest.yml gives it for this address.
  if (options.oauth !== undefined)
    standIn.configureOAuth({
      clientId: OAUTH.clientId,
      clientSecret: OAUTH.clientSecret,
      redirectUri: `${baseUrl}/slack/oauth_redirect`,
      ...(options.oauth.tokenRotation === undefined
        ? {}
        : { tokenRotation: options.oauth.tokenRotation }),
    });
  const slack =
    socket === undefined
      ? new SlackSender(`${baseUrl}/slack/events`, SIGNING_SECRET, standIn)
      : new SocketSender(socket, standIn);
  return {
    app,
    database: database.location,
    standIn,
    socket,
    slack,
    logs,
    dir,
    baseUrl,
    stop: async () => {
      await app.stop();
      await socket?.stop();
      await standIn.stop();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private answer as Slack shows it: from the ack, or from the command's response_url. */
export interface PrivateAnswer {
  response_type?: unknown;
  text: string;
  blocks: unknown[];
  /** Where it came: in the acknowledgement itself, or posted to response_url after it. */
  via: 'ack' | 'response_url';
}

/**
 * Types a slash command as `user` and returns every private answer it got, in
 * order: the acknowledgement's own (one round trip), then what the app posted
 * to the command's response_url after it.
 */
export async function commandAnswers(
  t: Pick<TestApp, 'slack' | 'standIn' | 'app'>,
  fields: Parameters<SlackSender['command']>[0],
): Promise<PrivateAnswer[]> {
  const before = t.standIn.responseUrlPosts.length;
  const reply = await t.slack.command(fields);
  if (reply.status !== 200) throw new Error(`the command got ${reply.status}`);
  await t.app.idle();
  const of = (body: Record<string, unknown>, via: PrivateAnswer['via']): PrivateAnswer => ({
    response_type: body.response_type,
    text: String(body.text ?? ''),
    blocks: (body.blocks ?? []) as unknown[],
    via,
  });
  return [
    ...(reply.json === undefined ? [] : [of(reply.json, 'ack')]),
    ...t.standIn.responseUrlPosts.slice(before).map((p) => of(p.body, 'response_url')),
  ];
}

/** The last private answer a command got (see commandAnswers). */
export async function commandAnswer(
  t: Pick<TestApp, 'slack' | 'standIn' | 'app'>,
  fields: Parameters<SlackSender['command']>[0],
): Promise<PrivateAnswer> {
  const answers = await commandAnswers(t, fields);
  const last = answers.at(-1);
  if (last === undefined) throw new Error('the command got no answer');
  return last;
}
