import { existsSync } from 'node:fs';
import { z } from 'zod';
import { isTimezone } from './domain/schedule.js';
import { ConfigError } from './errors.js';
import type { StoreLocation } from './storage/store.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Everything the app reads from its environment, parsed once at start. */
/** Installing by OAuth in many workspaces (README, "Host it for many workspaces"). */
export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Signs the state that ties Slack's redirect to the browser that started the install. */
  stateSecret: string;
  /** AES-256 key the installations' tokens are encrypted with at rest (32 bytes). */
  tokenEncryptionKey: Buffer;
}

export interface Config {
  slack: {
    /** Single-workspace mode: the one bot token. Absent when installing by OAuth. */
    botToken: string | undefined;
    /** OAuth mode: many workspaces, each with its own stored installation. */
    oauth: OAuthConfig | undefined;
    /** HTTP mode: verifies every request Slack sends. Absent in Socket Mode. */
    signingSecret: string | undefined;
    /** Socket Mode when present. */
    appToken: string | undefined;
    /** Web API base URL, ending in a slash; Slack's own unless overridden. */
    apiUrl: string | undefined;
  };
  port: number;
  databasePath: string;
  /** Where the data lives: the SQLite file at databasePath, or the Postgres server of DATABASE_URL. */
  database: StoreLocation;
  logLevel: LogLevelName;
  adminUserIds: string[];
  defaultTimezone: string;
  anonymityThreshold: number;
  /** A scheduled run missed by at most this long (an outage) is caught up at start. */
  catchUpGraceHours: number;
  /** Answers and comments older than this many months are deleted. */
  retentionMonths: number;
  /** How long one Slack Web API call may take before it counts as failed. */
  slackTimeoutMs: number;
  /** A workspace that removed the app keeps its data this many days (a reinstall resumes it). */
  uninstallGraceDays: number;
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(blankToUndefined, schema.optional());

const wholeNumber = (min: number, max: number, hint: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, hint)
    .transform(Number)
    .pipe(z.number().int().min(min, hint).max(max, hint));

const MAKE_A_KEY =
  "Make one with: node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64'))\"";

const slackUserId = /^[UW][A-Z0-9]{2,}$/;

/**
 * Each message says what the value should look like. Messages never include a
 * secret's value: zod's default messages are replaced for every secret.
 */
const envSchema = z.object({
  SLACK_BOT_TOKEN: optional(
    z
      .string()
      .trim()
      .startsWith('xoxb-', 'should be the Bot User OAuth Token, which starts with xoxb-'),
  ),
  SLACK_CLIENT_ID: optional(
    z
      .string()
      .trim()
      .regex(
        /^\d+\.\d+$/,
        'should be the Client ID from Basic Information, such as 1234567890.0987654321',
      ),
  ),
  SLACK_CLIENT_SECRET: optional(
    z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9]{16,}$/,
        'should be the Client Secret from Basic Information (letters and digits)',
      ),
  ),
  SLACK_STATE_SECRET: optional(
    z.string().trim().min(16, 'should be a random string of 16 characters or more'),
  ),
  TOKEN_ENCRYPTION_KEY: optional(
    z
      .string()
      .trim()
      .transform((text) => Buffer.from(text, 'base64'))
      .refine((key) => key.length === 32, {
        error: `should be 32 random bytes in base64 (44 characters). ${MAKE_A_KEY}`,
      }),
  ),
  SLACK_SIGNING_SECRET: optional(
    z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9]{16,}$/,
        'should be the Signing Secret from Basic Information (letters and digits)',
      ),
  ),
  SLACK_APP_TOKEN: optional(
    z.string().trim().startsWith('xapp-', 'should be an app-level token, which starts with xapp-'),
  ),
  SLACK_API_URL: optional(
    z
      .url({
        protocol: /^https?$/,
        error: 'should be an http(s) URL such as http://127.0.0.1:4000/api/',
      })
      .transform((url) => (url.endsWith('/') ? url : `${url}/`)),
  ),
  PORT: z
    .preprocess(blankToUndefined, z.string().default('3000'))
    .pipe(wholeNumber(0, 65535, 'should be a port number from 1 to 65535 (0 picks a free one)')),
  DATABASE_PATH: z.preprocess(
    blankToUndefined,
    z.string().trim().default('./data/alignment-pulse.db'),
  ),
  DATABASE_URL: optional(
    z
      .string()
      .trim()
      .refine((url) => /^postgres(ql)?:\/\/[^\s]+$/.test(url), {
        error:
          'should be a Postgres URL such as postgres://alignment:secret@127.0.0.1:5432/alignment (leave it unset for the embedded SQLite file)',
      }),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toLowerCase()) : v),
    z.enum(LOG_LEVELS, { error: `should be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  ADMIN_USER_IDS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      )
      .refine((ids) => ids.every((id) => slackUserId.test(id)), {
        error: 'should be Slack user ids separated by commas, such as U012AB3CD,U045EF6GH',
      }),
  ),
  DEFAULT_TIMEZONE: z.preprocess(
    blankToUndefined,
    z.string().trim().default('UTC').refine(isTimezone, {
      error: 'should be an IANA time zone name such as Europe/Berlin or America/New_York',
    }),
  ),
  ANONYMITY_THRESHOLD: z
    .preprocess(blankToUndefined, z.string().default('3'))
    .pipe(
      wholeNumber(
        3,
        1000,
        'should be a whole number of 3 or more (fewer would expose individuals)',
      ),
    ),
  CATCH_UP_GRACE_HOURS: z
    .preprocess(blankToUndefined, z.string().default('12'))
    .pipe(wholeNumber(0, 168, 'should be a whole number of hours from 0 to 168')),
  RETENTION_MONTHS: z
    .preprocess(blankToUndefined, z.string().default('24'))
    .pipe(wholeNumber(1, 240, 'should be a whole number of months from 1 to 240')),
  SLACK_TIMEOUT_MS: z
    .preprocess(blankToUndefined, z.string().default('10000'))
    .pipe(wholeNumber(100, 120_000, 'should be a whole number of milliseconds from 100 to 120000')),
  UNINSTALL_GRACE_DAYS: z
    .preprocess(blankToUndefined, z.string().default('30'))
    .pipe(wholeNumber(0, 3650, 'should be a whole number of days from 0 to 3650')),
});

const OAUTH_VARIABLES = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

/**
 * One workspace with SLACK_BOT_TOKEN, or many installed by OAuth with the
 * three OAuth variables: never both, never half. What is wrong, as sentences.
 */
function distributionProblems(env: Record<string, string | undefined>): string[] {
  const set = (name: string) => blankToUndefined(env[name]) !== undefined;
  const oauthSet = OAUTH_VARIABLES.filter(set);
  const botToken = set('SLACK_BOT_TOKEN');
  if (botToken && oauthSet.length > 0)
    return [
      `SLACK_BOT_TOKEN and ${oauthSet.join(', ')} are both set: set SLACK_BOT_TOKEN to serve one workspace, or ${OAUTH_VARIABLES.join(', ')} to install by OAuth in many; not both`,
    ];
  if (!botToken && oauthSet.length === 0)
    return [
      `SLACK_BOT_TOKEN is missing: set it to the Bot User OAuth Token (starts with xoxb-), or set ${OAUTH_VARIABLES.join(', ')} to install by OAuth in many workspaces`,
    ];
  if (botToken) return [];
  const problems: string[] = [];
  const missing = OAUTH_VARIABLES.filter((name) => !set(name));
  if (missing.length > 0)
    problems.push(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: installing by OAuth needs ${OAUTH_VARIABLES.join(', ')} (or set SLACK_BOT_TOKEN alone to serve one workspace)`,
    );
  if (!set('TOKEN_ENCRYPTION_KEY'))
    problems.push(
      `TOKEN_ENCRYPTION_KEY is missing: installing by OAuth keeps each workspace's tokens encrypted with it. ${MAKE_A_KEY}`,
    );
  if (set('SLACK_APP_TOKEN'))
    problems.push(
      'SLACK_APP_TOKEN is set: an app installed by OAuth in many workspaces is served over HTTP, not Socket Mode. Unset it and set SLACK_SIGNING_SECRET',
    );
  if (set('ADMIN_USER_IDS'))
    problems.push(
      "ADMIN_USER_IDS is set: it names people of one workspace. Installed by OAuth, each workspace's admins and owners, and whoever installed the app, are its admins: unset it",
    );
  return problems;
}

/** Where each variable's value may be shown in an error message. */
const SECRETS = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
  'TOKEN_ENCRYPTION_KEY',
  // A Postgres URL holds its password.
  'DATABASE_URL',
]);

/**
 * Parses the environment into a Config, or throws one ConfigError naming every
 * bad variable. Secrets are never echoed; other bad values are, to help.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const raw = env[name];
        const shown = raw === undefined || SECRETS.has(name) ? '' : ` (got "${raw}")`;
        return `${name}${shown} ${issue.message}`;
      });
  problems.push(...distributionProblems(env));
  if (
    blankToUndefined(env.SLACK_APP_TOKEN) === undefined &&
    blankToUndefined(env.SLACK_SIGNING_SECRET) === undefined
  ) {
    problems.push(
      'SLACK_SIGNING_SECRET is missing: set it to the Signing Secret from Basic Information (HTTP mode), or set SLACK_APP_TOKEN to use Socket Mode',
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const e = parsed.data;
  const oauth =
    e.SLACK_CLIENT_ID !== undefined &&
    e.SLACK_CLIENT_SECRET !== undefined &&
    e.SLACK_STATE_SECRET !== undefined &&
    e.TOKEN_ENCRYPTION_KEY !== undefined
      ? {
          clientId: e.SLACK_CLIENT_ID,
          clientSecret: e.SLACK_CLIENT_SECRET,
          stateSecret: e.SLACK_STATE_SECRET,
          tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY,
        }
      : undefined;
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      oauth,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    port: e.PORT,
    databasePath: e.DATABASE_PATH,
    database:
      e.DATABASE_URL === undefined
        ? { engine: 'sqlite', path: e.DATABASE_PATH }
        : { engine: 'postgres', url: e.DATABASE_URL },
    logLevel: e.LOG_LEVEL,
    adminUserIds: e.ADMIN_USER_IDS,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    anonymityThreshold: e.ANONYMITY_THRESHOLD,
    catchUpGraceHours: e.CATCH_UP_GRACE_HOURS,
    retentionMonths: e.RETENTION_MONTHS,
    slackTimeoutMs: e.SLACK_TIMEOUT_MS,
    uninstallGraceDays: e.UNINSTALL_GRACE_DAYS,
  };
}

/**
 * The process environment, with a `.env` file in the working directory read
 * first when there is one. Variables already set win over the file.
 */
export function readEnvironment(envFile = '.env'): Record<string, string | undefined> {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}
