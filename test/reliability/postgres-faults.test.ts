import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_UNREACHABLE } from '../../src/slack/app.js';
import { findOrCreateSurvey } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { DISCIPLINE_BLOCK } from '../../src/views/pulse-modal.js';
import { type AppProcess, runApp } from '../support/app-process.js';
import {
  freshDatabase,
  type RestartablePostgres,
  startRestartablePostgres,
} from '../support/postgres.js';
import { seedPulse } from '../support/seed.js';
import type { OpenedView } from '../support/slack-requests.js';
import { BOT_TOKEN, BOT_USER_ID, SlackStandIn, TEAM_ID } from '../support/slack-stand-in.js';
import { commandAnswer, commandAnswers, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The "Bad input and faults" on a real Postgres, in both projects of the
 * suite (the fault is Postgres's either way): a server of this file's own,
 * which it stops and starts again on the same data and port.
 *
 * At start, a server that cannot be reached, a wrong password or a database
 * that does not exist stops the app with one clear line, exit code 1, no stack
 * and no password. Two instances starting at once on one empty database both
 * come up, with each migration applied once. Mid-run, a lost server is told to
 * the person (privately, in words, nothing claimed saved), /readyz and /healthz
 * answer 503; when it is back the app reconnects by itself and the same
 * submission is stored.
 */

let server: RestartablePostgres;
let password: string;
const standIns: SlackStandIn[] = [];
const processes: AppProcess[] = [];

beforeAll(async () => {
  server = await startRestartablePostgres({ fsync: false });
  password = decodeURIComponent(new URL(server.url('postgres')).password);
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const app of processes.splice(0))
    if (app.child.exitCode === null && app.child.signalCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  for (const standIn of standIns.splice(0)) await standIn.stop();
});

/** The environment `npm start` needs besides the database, against a Slack stand-in. */
async function slackEnv(): Promise<Record<string, string>> {
  const standIn = await SlackStandIn.start();
  standIns.push(standIn);
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: 'faults0test0signing0secret0123',
    SLACK_API_URL: standIn.apiUrl,
    PORT: '0',
  };
}

function start(env: Record<string, string>): AppProcess {
  const app = runApp(env);
  processes.push(app);
  return app;
}

/** A port on 127.0.0.1 nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** `url` with its password replaced by `secret`. */
function withPassword(url: string, secret: string): string {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(secret);
  return parsed.toString();
}

/** What a start that must fail printed: exit code 1, its output's lines. */
async function failedStart(databaseUrl: string): Promise<{ output: string; lines: string[] }> {
  const app = start({ ...(await slackEnv()), DATABASE_URL: databaseUrl });
  expect(await app.exited).toBe(1);
  const output = app.output();
  return { output, lines: output.trim().split('\n') };
}

/** The secrets a line must never show: the password in the URL, raw or URL-encoded. */
function expectNoSecret(output: string, secret: string): void {
  expect(output).not.toContain(secret);
  expect(output).not.toContain(encodeURIComponent(secret));
  // A stack trace's frames.
  expect(output).not.toMatch(/^\s+at /m);
}

describe('Postgres at start', () => {
  it('unreachable: one line saying it cannot reach Postgres and what to check, exit 1', async () => {
    const port = await closedPort();
    const secret = 'closed-port-pa55word';
    const { output, lines } = await failedStart(
      `postgres://alignment:${secret}@127.0.0.1:${port}/pulse`,
    );
    expect(lines).toEqual([
      `Cannot reach Postgres at postgres://alignment:***@127.0.0.1:${port}/pulse (ECONNREFUSED). Check that the server is running and that DATABASE_URL names its host and port.`,
    ]);
    expectNoSecret(output, secret);
  });

  it('a wrong password: one line naming the user name or password, exit 1', async () => {
    const secret = 'not-the-right-pa55word';
    const url = withPassword(server.url('postgres'), secret);
    const { output, lines } = await failedStart(url);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Postgres at postgres:\/\/alignment:\*\*\*@127\.0\.0\.1:\d+\/postgres refused the user name or password\. Check the user and password in DATABASE_URL\.$/,
    );
    expectNoSecret(output, secret);
    expectNoSecret(output, password);
  });

  it('a database that does not exist: one line naming it and how to fix it, exit 1', async () => {
    const { output, lines } = await failedStart(server.url('no_such_database'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Postgres at postgres:\/\/alignment:\*\*\*@127\.0\.0\.1:\d+\/no_such_database has no such database\. Create it \(createdb\), or fix the database name in DATABASE_URL\.$/,
    );
    expectNoSecret(output, password);
  });
});

describe('two instances starting at once on one empty database', () => {
  it('both come up, and each migration is applied once, by one of them', async () => {
    const database = await freshDatabase(server.url('postgres'));
    try {
      const env = { ...(await slackEnv()), DATABASE_URL: database.url };
      const apps = [start(env), start(env)];
      await Promise.all(
        apps.map((app) => app.waitFor(/Alignment Pulse is running \(HTTP, port \d+\)/)),
      );

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      let recorded: { name: string; times: number }[];
      try {
        recorded = (
          await client.query<{ name: string; times: number }>(
            'SELECT name, count(*)::int AS times FROM schema_migrations GROUP BY name ORDER BY name',
          )
        ).rows;
      } finally {
        await client.end();
      }
      expect(recorded).toEqual([
        { name: '001_schema.sql', times: 1 },
        { name: '002_count_shown.sql', times: 1 },
      ]);
      // Each applied by exactly one of the two; the other found it recorded.
      const applied = apps.flatMap((app) =>
        (/applied migrations: (.+)/.exec(app.output())?.[1] ?? '').split(', ').filter(Boolean),
      );
      expect(applied.sort()).toEqual(['001_schema.sql', '002_count_shown.sql']);

      for (const app of apps) {
        const port = Number(/port (\d+)\)/.exec(app.output())?.[1]);
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status).toBe(200);
        expect(app.output()).not.toMatch(/ERROR|^\s+at /m);
      }
      for (const app of apps) {
        app.child.kill('SIGTERM');
        expect(await app.exited).toBe(0);
      }
    } finally {
      await database.drop();
    }
  });
});

describe('Postgres lost while the app serves', () => {
  const ADMIN = 'U0ADMIN01';
  const LEADER = 'U0LEADER1';
  const CHANNEL = 'C0LEADERS';
  /** A Tuesday morning; this week's pulse fell due an hour before. */
  const NOW = new Date('2026-11-17T10:00:00Z');
  const QUESTIONS = ['okrs.same_direction', 'roadmap.one_plan', 'priorities.ranked'];
  /** Written in the form's comment: it must never reach a log line. */
  const COMMENT = 'Roadmap talks keep slipping; comment-7c1e';

  let t: TestApp;
  let openPulse: number;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    const database = await freshDatabase(server.url('postgres'));
    t = await startTestApp({
      env: { DATABASE_URL: database.url, ADMIN_USER_IDS: ADMIN },
      now: () => NOW,
      schedule: false,
    });
    const stop = t.stop;
    t.stop = async () => {
      await stop();
      await database.drop();
    };
    t.standIn.addUser({ id: ADMIN, name: 'cpo' });
    t.standIn.addUser({ id: LEADER, name: 'leader' });
    t.standIn.addChannel({
      id: CHANNEL,
      name: 'leadership',
      members: [ADMIN, LEADER, BOT_USER_ID],
    });
    const survey = await findOrCreateSurvey(t.app.ctx.db, {
      teamId: TEAM_ID,
      channelId: CHANNEL,
      timezone: 'Europe/Berlin',
      createdBy: ADMIN,
    });
    // Last week's pulse, closed and published: /alignment score has a week to show.
    const people = [1, 2, 3, 4, 5, 6, 7, 8].map(
      (n) => [`U0SEED${n}`, n <= 4 ? 'product' : 'engineering'] as const,
    );
    await seedPulse(t.app.ctx, {
      teamId: TEAM_ID,
      surveyId: survey.id,
      due: '2026-11-10T09:00:00Z',
      invited: people.map(([id]) => id),
      answers: people.map(([id, discipline], i) => ({
        person: [id, discipline],
        values: Object.fromEntries(QUESTIONS.map((q) => [q, 1 + ((i + q.length) % 5)])),
      })),
      closed: true,
    });
    // This week's, open: the one the leader answers.
    openPulse = await seedPulse(t.app.ctx, {
      teamId: TEAM_ID,
      surveyId: survey.id,
      due: '2026-11-17T09:00:00Z',
      invited: [LEADER, 'U0SEED9'],
      answers: [{ person: ['U0SEED9', 'product'], values: { 'okrs.same_direction': 3 } }],
    });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await server.up();
    await t?.stop();
  });

  const get = async (path: string) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const answersOf = async (user: string) =>
    Number(
      (
        await t.app.ctx.db
          .selectFrom('answers')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('pulse_id', '=', openPulse)
          .where('user_id', '=', user)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Clicks "Answer the pulse" and returns the form Slack was asked to open. */
  async function openForm(): Promise<OpenedView & { id: string }> {
    const opened = t.standIn.openedViews.length;
    const reply = await t.slack.interaction(
      t.slack.buttonClick({
        user: LEADER,
        channel: CHANNEL,
        actionId: ANSWER_PULSE_ACTION,
        value: String(openPulse),
      }),
    );
    expect(reply.status).toBe(200);
    await t.app.idle();
    expect(t.standIn.openedViews.length).toBe(opened + 1);
    const view = t.standIn.openedViews.at(-1);
    if (view === undefined) throw new Error('no form opened');
    return { id: view.id, ...view.view } as OpenedView & { id: string };
  }

  /** The leader's submission of `form`: every question 4, product, and the comment. */
  function submit(form: OpenedView) {
    const values: Record<string, string> = { comment: COMMENT };
    for (const block of form.blocks as { block_id?: string }[])
      if (block.block_id?.startsWith('q:')) values[block.block_id] = '4';
    if ((form.blocks as { block_id?: string }[]).some((b) => b.block_id === DISCIPLINE_BLOCK))
      values[DISCIPLINE_BLOCK] = 'product';
    return t.slack.interaction(t.slack.viewSubmission({ user: LEADER, view: form, values }));
  }

  it('answers every person clearly, saves nothing it claims, fails the checks, and recovers when Postgres is back', async () => {
    const score = await commandAnswer(t, { user: LEADER, channel: CHANNEL, text: 'score' });
    expect(score.text).not.toBe(DATABASE_UNREACHABLE);
    expect(score.blocks.length).toBeGreaterThan(0);
    const form = await openForm();
    expect((await get('/readyz')).status).toBe(200);

    await server.down();

    // The checks say the database is gone: a load balancer stops sending, an orchestrator sees it.
    const ready = await get('/readyz');
    expect(ready).toMatchObject({ status: 503, body: { ready: false, database: 'unavailable' } });
    const health = await get('/healthz');
    expect(health).toMatchObject({
      status: 503,
      body: { status: 'error', database: 'unavailable' },
    });

    // A command answered in its acknowledgement: told so, privately, in words.
    const down = await commandAnswers(t, { user: LEADER, channel: CHANNEL, text: 'score' });
    expect(down).toEqual([
      { response_type: 'ephemeral', text: DATABASE_UNREACHABLE, blocks: [], via: 'ack' },
    ]);
    // A command that works after its acknowledgement: told on its response_url.
    const pulseNow = await commandAnswers(t, { user: ADMIN, channel: CHANNEL, text: 'pulse now' });
    expect(pulseNow.map((a) => a.text).filter((text) => text !== '')).toEqual([
      DATABASE_UNREACHABLE,
    ]);
    expect(pulseNow.at(-1)).toMatchObject({ response_type: 'ephemeral', via: 'response_url' });
    // A click on "Answer the pulse": told under the message, privately.
    const posts = t.standIn.responseUrlPosts.length;
    const click = await t.slack.interaction(
      t.slack.buttonClick({
        user: LEADER,
        channel: CHANNEL,
        actionId: ANSWER_PULSE_ACTION,
        value: String(openPulse),
      }),
    );
    expect(click.status).toBe(200);
    await t.app.idle();
    expect(t.standIn.responseUrlPosts.slice(posts).map((p) => p.body)).toEqual([
      { response_type: 'ephemeral', replace_original: false, text: DATABASE_UNREACHABLE },
    ]);

    // The form: it stays open with the message on an input, and no thanks.
    const refused = await submit(form);
    expect(refused.status).toBe(200);
    await t.app.idle();
    expect(refused.json?.response_action).toBe('errors');
    expect(Object.values(refused.json?.errors as Record<string, string>)).toEqual([
      DATABASE_UNREACHABLE,
    ]);
    expect(refused.text).not.toMatch(/thank|saved your|counted/i);
    expect(refused.text).not.toMatch(/\n\s+at /);

    await server.up();

    // No restart: the pool makes new connections on the next query.
    await expect.poll(async () => (await get('/readyz')).status, { timeout: 15_000 }).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
    // Nothing of the refused submission was stored.
    expect(await answersOf(LEADER)).toBe(0);

    // The same submission, sent again, is stored and thanked.
    const saved = await submit(form);
    expect(saved.status).toBe(200);
    await t.app.idle();
    expect(saved.json?.response_action).toBe('update');
    expect(await answersOf(LEADER)).toBe(
      form.blocks.filter((b) => (b as { block_id?: string }).block_id?.startsWith('q:')).length,
    );
    const comment = await t.app.ctx.db
      .selectFrom('comments')
      .select('body')
      .where('pulse_id', '=', openPulse)
      .where('user_id', '=', LEADER)
      .executeTakeFirst();
    expect(comment?.body).toBe(COMMENT);

    // Commands answer as before the outage.
    expect(await commandAnswer(t, { user: LEADER, channel: CHANNEL, text: 'score' })).toEqual(
      score,
    );
    const again = await commandAnswers(t, { user: ADMIN, channel: CHANNEL, text: 'pulse now' });
    expect(again.at(-1)?.text).toMatch(/^Pulse posted in <#C0LEADERS>: /);

    // What Slack was sent obeys its rules; the logs hold no answer and no password;
    // nothing was left rejected.
    expect(t.standIn.violations()).toEqual([]);
    expect(t.logs.join('')).not.toContain('comment-7c1e');
    expect(t.logs.join('')).not.toContain(password);
    expect(t.logs.some((line) => line.includes('the database cannot be reached'))).toBe(true);
    expect(rejections).toEqual([]);
  });
});
