import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const valid = {
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef',
};

function problemsOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('fills every default from the two required HTTP-mode variables', () => {
    expect(loadConfig(valid)).toEqual({
      slack: {
        botToken: 'xoxb-test-token',
        signingSecret: 'abcdef0123456789abcdef',
        oauth: undefined,
        appToken: undefined,
        apiUrl: undefined,
      },
      port: 3000,
      databasePath: './data/alignment-pulse.db',
      database: { engine: 'sqlite', path: './data/alignment-pulse.db' },
      logLevel: 'info',
      adminUserIds: [],
      defaultTimezone: 'UTC',
      anonymityThreshold: 3,
      catchUpGraceHours: 12,
      retentionMonths: 24,
      slackTimeoutMs: 10_000,
      uninstallGraceDays: 30,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...valid,
      SLACK_API_URL: 'http://127.0.0.1:4000/api',
      PORT: '8080',
      DATABASE_PATH: '/data/pulse.db',
      LOG_LEVEL: 'DEBUG',
      ADMIN_USER_IDS: ' U012AB3CD , W045EF6GH ',
      DEFAULT_TIMEZONE: 'Europe/Berlin',
      ANONYMITY_THRESHOLD: '5',
    });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:4000/api/');
    expect(config.port).toBe(8080);
    expect(config.databasePath).toBe('/data/pulse.db');
    expect(config.database).toEqual({ engine: 'sqlite', path: '/data/pulse.db' });
    expect(config.logLevel).toBe('debug');
    expect(config.adminUserIds).toEqual(['U012AB3CD', 'W045EF6GH']);
    expect(config.defaultTimezone).toBe('Europe/Berlin');
    expect(config.anonymityThreshold).toBe(5);
  });

  it('keeps the data on a Postgres server when DATABASE_URL is set', () => {
    const url = 'postgres://alignment:secret@db.internal:5432/alignment';
    expect(loadConfig({ ...valid, DATABASE_URL: url }).database).toEqual({
      engine: 'postgres',
      url,
    });
    expect(loadConfig({ ...valid, DATABASE_URL: ' ' }).database.engine).toBe('sqlite');
    // A database URL holds its password: never echoed, even when it is wrong.
    const problems = problemsOf({ ...valid, DATABASE_URL: 'mysql://app:hunter2@db.internal/x' });
    expect(problems).toContain('DATABASE_URL should be a Postgres URL');
    expect(problems).not.toContain('hunter2');
  });

  it('runs in Socket Mode with an app token and no signing secret', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-abc' });
    expect(config.slack.appToken).toBe('xapp-1-abc');
    expect(config.slack.signingSecret).toBeUndefined();
  });

  it('names both missing Slack variables when nothing is set', () => {
    const message = problemsOf({});
    expect(message).toContain('2 settings need attention');
    expect(message).toMatch(/SLACK_BOT_TOKEN is missing: .*xoxb-/);
    expect(message).toMatch(/SLACK_SIGNING_SECRET is missing: .*SLACK_APP_TOKEN/);
  });

  it('names every bad variable at once and says what each should look like', () => {
    const message = problemsOf({
      ...valid,
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      ADMIN_USER_IDS: 'U012AB3CD,bob',
      DEFAULT_TIMEZONE: 'Mars/Olympus',
      ANONYMITY_THRESHOLD: '2',
      SLACK_API_URL: 'not a url',
    });
    expect(message).toContain('6 settings need attention');
    expect(message).toContain('PORT (got "abc") should be a port number from 1 to 65535');
    expect(message).toContain('LOG_LEVEL (got "loud") should be one of debug, info, warn, error');
    expect(message).toContain('ADMIN_USER_IDS (got "U012AB3CD,bob") should be Slack user ids');
    expect(message).toContain('DEFAULT_TIMEZONE (got "Mars/Olympus") should be an IANA time zone');
    expect(message).toContain(
      'ANONYMITY_THRESHOLD (got "2") should be a whole number of 3 or more',
    );
    expect(message).toContain('SLACK_API_URL (got "not a url") should be an http(s) URL');
  });

  it('refuses an anonymity threshold under 3 and a port out of range', () => {
    expect(problemsOf({ ...valid, ANONYMITY_THRESHOLD: '1' })).toContain('ANONYMITY_THRESHOLD');
    expect(problemsOf({ ...valid, PORT: '70000' })).toContain('PORT');
  });

  it('never prints a secret, even a malformed one', () => {
    const message = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
      SLACK_SIGNING_SECRET: 'short!',
      SLACK_APP_TOKEN: 'not-an-app-token-secret',
    });
    expect(message).toContain('SLACK_BOT_TOKEN should be the Bot User OAuth Token');
    expect(message).toContain('SLACK_SIGNING_SECRET should be the Signing Secret');
    expect(message).toContain('SLACK_APP_TOKEN should be an app-level token');
    expect(message).not.toContain('xoxp-user-token-secret');
    expect(message).not.toContain('short!');
    expect(message).not.toContain('not-an-app-token-secret');
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ ...valid, PORT: '', LOG_LEVEL: ' ', SLACK_APP_TOKEN: '' }).port).toBe(3000);
  });
});

describe('loadConfig for many workspaces (OAuth)', () => {
  const key = Buffer.alloc(32, 1).toString('base64');
  const oauth = {
    SLACK_CLIENT_ID: '1234567890.0987654321',
    SLACK_CLIENT_SECRET: 'abcdef0123456789abcdef0123456789',
    SLACK_STATE_SECRET: 'a-long-random-state-secret',
    TOKEN_ENCRYPTION_KEY: key,
    SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef',
  };

  it('installs by OAuth with the three OAuth variables and the key, and no bot token', () => {
    const config = loadConfig(oauth);
    expect(config.slack.botToken).toBeUndefined();
    expect(config.slack.oauth).toEqual({
      clientId: '1234567890.0987654321',
      clientSecret: 'abcdef0123456789abcdef0123456789',
      stateSecret: 'a-long-random-state-secret',
      tokenEncryptionKey: Buffer.alloc(32, 1),
    });
    expect(config.uninstallGraceDays).toBe(30);
    expect(loadConfig({ ...oauth, UNINSTALL_GRACE_DAYS: '7' }).uninstallGraceDays).toBe(7);
  });

  it('refuses a bot token beside the OAuth variables, naming them all', () => {
    const message = problemsOf({ ...oauth, SLACK_BOT_TOKEN: 'xoxb-test-token' });
    expect(message).toContain(
      'SLACK_BOT_TOKEN and SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET are both set',
    );
    expect(message).not.toContain('xoxb-test-token');
  });

  it('names what is missing when only some of the OAuth variables are set', () => {
    const message = problemsOf({ ...oauth, SLACK_STATE_SECRET: undefined });
    expect(message).toContain('SLACK_STATE_SECRET is missing: installing by OAuth needs');
    const two = problemsOf({ SLACK_CLIENT_ID: oauth.SLACK_CLIENT_ID, TOKEN_ENCRYPTION_KEY: key });
    expect(two).toContain('SLACK_CLIENT_SECRET, SLACK_STATE_SECRET are missing');
  });

  it('refuses to install by OAuth without the key, and says how to make one', () => {
    const message = problemsOf({ ...oauth, TOKEN_ENCRYPTION_KEY: undefined });
    expect(message).toContain(
      "TOKEN_ENCRYPTION_KEY is missing: installing by OAuth keeps each workspace's tokens encrypted with it",
    );
    expect(message).toContain("randomBytes(32).toString('base64')");
    const short = problemsOf({ ...oauth, TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' });
    expect(short).toContain('TOKEN_ENCRYPTION_KEY should be 32 random bytes in base64');
    expect(short).not.toContain('c2hvcnQ=');
  });

  it('refuses Socket Mode and ADMIN_USER_IDS when installing by OAuth, and says why', () => {
    const message = problemsOf({
      ...oauth,
      SLACK_APP_TOKEN: 'xapp-1-abc',
      ADMIN_USER_IDS: 'U012AB3CD',
    });
    expect(message).toContain(
      'SLACK_APP_TOKEN is set: an app installed by OAuth in many workspaces is served over HTTP',
    );
    expect(message).toContain('ADMIN_USER_IDS is set: it names people of one workspace');
  });

  it('never prints the client secret, the state secret or the key', () => {
    const message = problemsOf({
      ...oauth,
      SLACK_CLIENT_SECRET: 'not valid!',
      SLACK_STATE_SECRET: 'short',
      TOKEN_ENCRYPTION_KEY: 'dG9vIHNob3J0',
    });
    for (const secret of ['not valid!', 'short', 'dG9vIHNob3J0'])
      expect(message).not.toContain(`"${secret}"`);
    expect(message).toContain('SLACK_CLIENT_SECRET should be the Client Secret');
  });
});
