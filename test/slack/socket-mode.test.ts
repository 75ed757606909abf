import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { type AppProcess, runApp } from '../support/app-process.js';
import { one } from '../support/db.js';
import type { OpenedView } from '../support/slack-requests.js';
import { BOT_TOKEN, BOT_USER_ID, SlackStandIn } from '../support/slack-stand-in.js';
import { APP_TOKEN, SocketModeStandIn } from '../support/socket-mode-stand-in.js';
import { commandAnswer, startTestApp, type TestApp, testDatabase } from '../support/test-app.js';

/**
 * Socket Mode for real: the app opens its WebSocket through SLACK_API_URL with
 * the app-level token, and the Socket Mode stand-in delivers Slack's envelopes.
 */

const ADMIN = 'U0ADMIN01';
const CHANNEL = 'C0LEADERS';
const LEADERS = ['U0PROD01', 'U0PROD02', 'U0PROD03', 'U0ENG01', 'U0ENG02', 'U0ENG03'];
/** A Tuesday morning: what a pulse says depends on the day it is sent. */
const NOW = new Date('2026-11-17T10:00:00Z');

let t: TestApp | undefined;
const processes: AppProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  if (t !== undefined) {
    expect(t.standIn.violations()).toEqual([]);
    await t.stop();
    t = undefined;
  }
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function socketApp(): Promise<TestApp> {
  const app = await startTestApp({
    now: () => NOW,
    socketMode: true,
    env: { ADMIN_USER_IDS: ADMIN },
  });
  app.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin' });
  for (const id of LEADERS) app.standIn.addUser({ id, name: id.toLowerCase() });
  app.standIn.addChannel({
    id: CHANNEL,
    name: 'leadership',
    members: [ADMIN, ...LEADERS, BOT_USER_ID],
  });
  return app;
}

const health = async (app: TestApp, path = '/healthz') => {
  const response = await fetch(`${app.baseUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

function pulseButton(app: TestApp): string {
  const blocks = (app.standIn.messagesIn(CHANNEL).at(-1)?.blocks ?? []) as {
    elements?: { action_id?: string; value?: string }[];
  }[];
  const value = blocks
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === ANSWER_PULSE_ACTION)?.value;
  if (value === undefined) throw new Error('no pulse message');
  return value;
}

async function openForm(app: TestApp, user: string, pulse: string): Promise<OpenedView> {
  const before = app.standIn.openedViews.length;
  await app.slack.interaction(
    app.slack.buttonClick({ user, channel: CHANNEL, actionId: ANSWER_PULSE_ACTION, value: pulse }),
  );
  await app.app.idle();
  const opened = app.standIn.openedViews.at(-1);
  if (opened === undefined || app.standIn.openedViews.length === before) throw new Error('no form');
  return { id: opened.id, ...opened.view } as OpenedView;
}

function filled(view: OpenedView, value: string, extra: Record<string, string | null> = {}) {
  const values: Record<string, string | null> = { ...extra };
  for (const b of view.blocks as { block_id?: string }[])
    if (b.block_id?.startsWith('q:') === true) values[b.block_id] = value;
  return values;
}

/** `/alignment help` over the socket: answered privately in the envelope's acknowledgement. */
async function helpText(app: TestApp): Promise<string> {
  const answer = await commandAnswer(app, { user: ADMIN, channel: CHANNEL, text: 'help' });
  expect(answer.via).toBe('ack');
  return answer.text;
}

describe('Socket Mode against the stand-in', () => {
  it('connects through SLACK_API_URL with the app-level token and says so in /healthz and /readyz', async () => {
    t = await socketApp();
    const opens = t.standIn.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]?.response).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:/),
    });
    expect(await health(t)).toMatchObject({
      status: 200,
      body: { status: 'ok', slack: 'connected' },
    });
    expect((await health(t, '/readyz')).status).toBe(200);
  });

  it('runs the pulse flow: a command, the button, a refused form in the ack, a stored answer, an event', async () => {
    t = await socketApp();
    const reply = await t.slack.command({ user: ADMIN, channel: CHANNEL, text: 'pulse now' });
    expect(reply.status).toBe(200);
    await t.app.idle();
    const pulse = pulseButton(t);
    const view = await openForm(t, 'U0PROD01', pulse);
    // A validation error comes back in the ack's payload, on its block.
    const refused = await t.slack.interaction(
      t.slack.viewSubmission({ user: 'U0PROD01', view, values: filled(view, '4') }),
    );
    expect(refused.json).toMatchObject({
      response_action: 'errors',
      errors: { discipline: expect.stringContaining('Choose your discipline') },
    });
    const saved = await t.slack.interaction(
      t.slack.viewSubmission({
        user: 'U0PROD01',
        view,
        values: filled(view, '4', { discipline: 'product' }),
      }),
    );
    expect(saved.json).toMatchObject({ response_action: 'update' });
    const db = t.app.ctx.db;
    const answers = async () =>
      (
        (await one(db, sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0PROD01'`)) as {
          n: number;
        }
      ).n;
    const count = await answers();
    expect(count).toBeGreaterThan(0);
    // The same envelope delivered again (Slack retries when an ack is late) is stored once.
    await t.slack.interaction(
      t.slack.viewSubmission({
        user: 'U0PROD01',
        view,
        values: filled(view, '4', { discipline: 'product' }),
      }),
    );
    expect(await answers()).toBe(count);
    // An event: the App Home.
    await t.slack.event(
      {
        type: 'app_home_opened',
        user: 'U0PROD01',
        channel: 'D0HOME',
        tab: 'home',
        event_ts: '1.2',
      },
      { retryNum: 1, retryReason: 'timeout' },
    );
    await t.app.idle();
    expect(JSON.stringify(t.standIn.homeViews.get('U0PROD01'))).toContain('Your open pulses');
  });

  it.each(['refresh_requested', 'warning', 'link_disabled'] as const)(
    'reconnects after Slack asks it to (%s) and keeps answering',
    async (reason) => {
      t = await socketApp();
      t.socket?.disconnect(reason);
      await t.socket?.connected(2);
      await expect
        .poll(() => health(t as TestApp).then((h) => h.body.slack), { timeout: 10_000 })
        .toBe('connected');
      expect(t.standIn.callsTo('apps.connections.open')).toHaveLength(2);
      expect(await helpText(t)).toContain('Alignment Pulse');
    },
  );

  it('reconnects after the socket drops without a word, saying "connecting" meanwhile', async () => {
    t = await socketApp();
    const socket = t.socket as SocketModeStandIn;
    socket.sayHello = false;
    socket.drop();
    await expect
      .poll(() => health(t as TestApp).then((h) => h.body.slack), { timeout: 10_000 })
      .toBe('connecting');
    // Still alive for Docker, not ready for traffic.
    expect((await health(t)).status).toBe(200);
    expect((await health(t, '/readyz')).status).toBe(503);
    await socket.connected(2, 15_000);
    socket.hello();
    await expect
      .poll(() => health(t as TestApp).then((h) => h.body.slack), { timeout: 10_000 })
      .toBe('connected');
    expect(await helpText(t)).toContain('Alignment Pulse');
  });
});

describe('Socket Mode as `npm start` runs it', () => {
  async function prepare() {
    const standIn = await SlackStandIn.start();
    const socket = await SocketModeStandIn.start(standIn);
    const dir = mkdtempSync(join(tmpdir(), 'alignment-socket-'));
    const database = await testDatabase(dir);
    cleanups.push(async () => {
      await socket.stop();
      await standIn.stop();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    const env = (more: Record<string, string> = {}) => ({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: standIn.apiUrl,
      PORT: '0',
      ...database.env,
      ...more,
    });
    return { standIn, socket, dir, env };
  }

  it('stops within a few seconds on SIGTERM while it waits for Slack to say hello', async () => {
    const { standIn, socket, dir, env } = await prepare();
    socket.sayHello = false;
    const app = runApp(env(), { cwd: dir });
    processes.push(app);
    await expect
      .poll(() => standIn.callsTo('apps.connections.open').length, { timeout: 15_000 })
      .toBeGreaterThan(0);
    await socket.connected(1, 15_000);
    // Without hello, app.start() never returns: exiting at all, with 0 and this line, is the
    // stop signal ending the wait (not a SIGKILL, which leaves a null exit code).
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('stopped before Slack answered');
  });

  it('says in one message that Slack refused SLACK_APP_TOKEN, with no stack trace', async () => {
    const { dir, env } = await prepare();
    const app = runApp(env({ SLACK_APP_TOKEN: 'xapp-1-A0ALIGNPLS-1-wrongtoken' }), { cwd: dir });
    processes.push(app);
    expect(await app.exited).toBe(1);
    const output = app.output();
    expect(output).toContain('Slack refused SLACK_APP_TOKEN (invalid_auth).');
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toContain('wrongtoken');
  });
});
