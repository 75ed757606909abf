import { existsSync } from 'node:fs';
import { z } from 'zod';
import { isTimezone } from './domain/schedule.js';
import { ConfigError } from './errors.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Everything the app reads from its environment, parsed once at start. */
export interface Config {
  slack: {
    botToken: string;
    /** HTTP mode: verifies every request Slack sends. Absent in Socket Mode. */
    signingSecret: string | undefined;
    /** Socket Mode when present. */
    appToken: string | undefined;
    /** Web API base URL, ending in a slash; Slack's own unless overridden. */
    apiUrl: string | undefined;
  };
  port: number;
  databasePath: string;
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

const slackUserId = /^[UW][A-Z0-9]{2,}$/;

/**
 * Each message says what the value should look like. Messages never include a
 * secret's value: zod's default messages are replaced for every secret.
 */
const envSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: 'is missing: set it to the Bot User OAuth Token (starts with xoxb-)' })
    .trim()
    .startsWith('xoxb-', 'should be the Bot User OAuth Token, which starts with xoxb-'),
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
});

/** Where each variable's value may be shown in an error message. */
const SECRETS = new Set(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']);

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
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    port: e.PORT,
    databasePath: e.DATABASE_PATH,
    logLevel: e.LOG_LEVEL,
    adminUserIds: e.ADMIN_USER_IDS,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    anonymityThreshold: e.ANONYMITY_THRESHOLD,
    catchUpGraceHours: e.CATCH_UP_GRACE_HOURS,
    retentionMonths: e.RETENTION_MONTHS,
    slackTimeoutMs: e.SLACK_TIMEOUT_MS,
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
