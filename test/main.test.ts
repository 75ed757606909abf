import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { openStore, type StoreLocation } from '../src/storage/store.js';
import { type AppProcess, runApp } from './support/app-process.js';
import { BOT_TOKEN, SlackStandIn } from './support/slack-stand-in.js';
import { testDatabase, testEngine } from './support/test-app.js';

/** `npm start` as a user runs it: the built app in its own process. */

let standIn: SlackStandIn;
let dir: string;
const running: AppProcess[] = [];

beforeEach(async () => {
  standIn = await SlackStandIn.start();
  dir = mkdtempSync(join(tmpdir(), 'alignment-main-'));
});
afterEach(async () => {
  for (const app of running.splice(0)) {
    if (app.child.exitCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  }
  await standIn.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(
  env: Record<string, string>,
  options: Parameters<typeof runApp>[1] = {},
): AppProcess {
  const app = runApp(env, { cwd: dir, ...options });
  running.push(app);
  return app;
}

const slackEnv = () => ({
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: 'main0test0signing0secret0123',
  SLACK_API_URL: standIn.apiUrl,
  PORT: '0',
  DATABASE_PATH: join(dir, 'data', 'pulse.db'),
});

/** Installing by OAuth: the three OAuth variables instead of the bot token (no key). */
function oauthEnv(): Record<string, string> {
  const { SLACK_BOT_TOKEN: _, ...env } = slackEnv();
  return {
    ...env,
    SLACK_CLIENT_ID: '1234567890.0987654321',
    SLACK_CLIENT_SECRET: 'abcdef0123456789abcdef0123456789',
    SLACK_STATE_SECRET: 'main-test-state-secret-0123',
  };
}

async function portOf(app: AppProcess): Promise<number> {
  await app.waitFor(/Alignment Pulse is running \(HTTP, port \d+\)/);
  return Number(/port (\d+)\)/.exec(app.output())?.[1]);
}

const tablesIn = async (location: StoreLocation) => {
  const store = await openStore(location, { readOnly: true });
  try {
    return (await store.db.introspection.getTables()).map((table) => table.name);
  } finally {
    await store.close();
  }
};

/** The environment of an app on this run's engine: the SQLite file of slackEnv, or a database on the test Postgres. */
async function databaseEnv(): Promise<{ env: Record<string, string>; location: StoreLocation }> {
  const env = slackEnv();
  if (testEngine() === 'sqlite')
    return { env, location: { engine: 'sqlite', path: env.DATABASE_PATH } };
  const database = await testDatabase(dir);
  onTestFinished(() => database.drop());
  return { env: { ...env, ...database.env }, location: database.location };
}

describe('npm start', () => {
  it('with no Slack variables, exits non-zero naming each of them', async () => {
    const app = start({});
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('Alignment Pulse cannot start: 2 settings need attention.');
    expect(app.output()).toContain('SLACK_BOT_TOKEN is missing');
    expect(app.output()).toContain('SLACK_SIGNING_SECRET is missing');
  });

  it('with bad values, names every one in one message and prints no secret', async () => {
    const app = start({
      ...slackEnv(),
      SLACK_BOT_TOKEN: 'xoxp-secret-user-token',
      PORT: 'eighty',
      ANONYMITY_THRESHOLD: '1',
    });
    expect(await app.exited).toBe(1);
    const output = app.output();
    expect(output).toContain('3 settings need attention');
    expect(output).toContain('SLACK_BOT_TOKEN should be the Bot User OAuth Token');
    expect(output).toContain('PORT (got "eighty")');
    expect(output).toContain('ANONYMITY_THRESHOLD (got "1")');
    expect(output).not.toContain('xoxp-secret-user-token');
    expect(output).not.toContain('main0test0signing0secret0123');
  });

  it('starts against Slack, serves /healthz, holds the schema, stops on SIGTERM, and a restart applies nothing', async () => {
    const { env, location } = await databaseEnv();
    const first = start(env);
    const port = await portOf(first);
    expect(first.output()).toContain(
      `applied migrations: ${location.engine === 'sqlite' ? '001_initial.sql' : '001_schema.sql'}`,
    );
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });
    expect(await tablesIn(location)).toEqual(
      expect.arrayContaining(['surveys', 'answers', 'schedule_runs']),
    );

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('shut down');

    const second = start(env);
    await portOf(second);
    expect(second.output()).toContain('database schema is current');
    expect(second.output()).not.toContain('applied migrations');
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('installing by OAuth, refuses to start without TOKEN_ENCRYPTION_KEY and says how to make one', async () => {
    const app = start(oauthEnv());
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('TOKEN_ENCRYPTION_KEY is missing');
    expect(app.output()).toContain("randomBytes(32).toString('base64')");
    expect(app.output()).not.toContain('abcdef0123456789abcdef0123456789');
    expect(app.output()).not.toMatch(/\n\s+at /);
  });

  it('installing by OAuth, starts without a token, serves the install page and says where it is', async () => {
    const app = start({
      ...oauthEnv(),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
    const port = await portOf(app);
    await app.waitFor(/workspaces add the app at \/slack\/install/);
    const page = await fetch(`http://127.0.0.1:${port}/slack/install`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Add to Slack');
    // No token to check: Slack is not called at start.
    expect(standIn.calls).toEqual([]);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('reads a .env file in the working folder', async () => {
    const env = slackEnv();
    writeFileSync(
      join(dir, '.env'),
      Object.entries({ ...env, DATABASE_PATH: './from-dotenv/pulse.db' })
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    );
    const app = start({});
    await portOf(app);
    expect(
      await tablesIn({ engine: 'sqlite', path: join(dir, 'from-dotenv', 'pulse.db') }),
    ).toContain('surveys');
  });

  it('exits non-zero with a clear message when Slack refuses the bot token', async () => {
    const app = start({ ...slackEnv(), SLACK_BOT_TOKEN: 'xoxb-revoked-token' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    expect(app.output()).not.toContain('xoxb-revoked-token');
  });

  it('exits non-zero with a clear message when Slack cannot be reached', async () => {
    const app = start({ ...slackEnv(), SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain("Cannot reach Slack's Web API at http://127.0.0.1:9/api/");
    expect(app.output()).toContain('Check the network and SLACK_API_URL.');
  });

  it('exits non-zero with a clear message when the database file is not SQLite', async () => {
    const env = slackEnv();
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'quarterly planning notes\n'.repeat(100));
    const app = start({ ...env, DATABASE_PATH: path });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain(`The file at ${path} is not an Alignment Pulse database`);
  });

  it('exits non-zero with a clear message when the database file is read-only', async () => {
    const env = slackEnv();
    const path = join(dir, 'readonly.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x INTEGER)');
    db.close();
    chmodSync(path, 0o444);
    // Root may write anything: run the app as an unprivileged user when the tests run as root.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chmodSync(dir, 0o777);
      chownSync(path, 0, 0);
    }
    const app = start({ ...env, DATABASE_PATH: path }, asRoot ? { uid: 65534, gid: 65534 } : {});
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain(`The database at ${path} is read-only for this process`);
  });

  it('exits non-zero with a clear message, and no stack, when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const app = start({ ...slackEnv(), PORT: String(port) });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain(
      `Alignment Pulse cannot listen on port ${port}: another process uses it. Stop that process, or set PORT to a free port`,
    );
    expect(app.output()).not.toMatch(/^\s+at /m);
  });
});
