import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createSlackApp } from '../../src/slack/app.js';
import { openStore } from '../../src/storage/store.js';

const identity = { teamId: 'T1', botUserId: 'U0BOT', botId: 'B0BOT' };

async function build(env: Record<string, string>) {
  const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', ...env });
  const store = await openStore({ engine: 'sqlite', path: ':memory:' });
  const built = createSlackApp(
    {
      config,
      db: store.db,
      logger: createLogger('error', () => {}),
      now: () => new Date('2026-11-17T10:00:00Z'),
    },
    { kind: 'token', identity },
    () => ({ slack: 'connecting' as const, scheduler: 'off' as const }),
  );
  await store.close();
  return built;
}

describe('createSlackApp', () => {
  it('uses the HTTP receiver when there is a signing secret and no app token', async () => {
    expect((await build({ SLACK_SIGNING_SECRET: 'abcdef0123456789abcd' })).mode).toBe('http');
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set, with or without a signing secret', async () => {
    expect((await build({ SLACK_APP_TOKEN: 'xapp-1-A1-1-abc' })).mode).toBe('socket');
    expect(
      (
        await build({
          SLACK_APP_TOKEN: 'xapp-1-A1-1-abc',
          SLACK_SIGNING_SECRET: 'abcdef0123456789abcd',
        })
      ).mode,
    ).toBe('socket');
  });
});
