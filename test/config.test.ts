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
    expect(config.logLevel).toBe('debug');
    expect(config.adminUserIds).toEqual(['U012AB3CD', 'W045EF6GH']);
    expect(config.defaultTimezone).toBe('Europe/Berlin');
    expect(config.anonymityThreshold).toBe(5);
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
