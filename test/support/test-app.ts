import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningApp, startAlignmentPulse } from '../../src/start.js';
import { SlackSender } from './slack-requests.js';
import { BOT_TOKEN, SlackStandIn } from './slack-stand-in.js';

export const SIGNING_SECRET = 'test0signing0secret0abcdef123456';

export interface TestApp {
  app: RunningApp;
  standIn: SlackStandIn;
  slack: SlackSender;
  /** Every line the app logged. */
  logs: string[];
  dir: string;
  baseUrl: string;
  stop: () => Promise<void>;
}

/**
 * The real app, started in this process on a free port, against a fresh stand-in
 * and a fresh database file in a temporary folder.
 */
export async function startTestApp(
  options: {
    env?: Record<string, string>;
    now?: () => Date;
    standIn?: SlackStandIn;
    schedule?: boolean;
  } = {},
): Promise<TestApp> {
  const standIn = options.standIn ?? (await SlackStandIn.start());
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-'));
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
    DATABASE_PATH: join(dir, 'pulse.db'),
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(line));
  const app = await startAlignmentPulse(config, logger, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
  });
  const baseUrl = `http://127.0.0.1:${app.port}`;
  const slack = new SlackSender(`${baseUrl}/slack/events`, SIGNING_SECRET, standIn);
  return {
    app,
    standIn,
    slack,
    logs,
    dir,
    baseUrl,
    stop: async () => {
      await app.stop();
      await standIn.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
