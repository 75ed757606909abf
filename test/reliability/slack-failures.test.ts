import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { digestJob } from '../../src/jobs/digest-job.js';
import { pulseJob } from '../../src/jobs/pulse-job.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { saveSubmission } from '../../src/storage/answers.js';
import { getPulse } from '../../src/storage/pulses.js';
import { runsOf } from '../../src/storage/runs.js';
import { findOrCreateSurvey, type Survey } from '../../src/storage/surveys.js';
import { all, one, run } from '../support/db.js';
import { seedPulse } from '../support/seed.js';
import type { Fault } from '../support/slack-stand-in.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Slack failing on every path the app calls it from: the app keeps running,
 * scheduled work is retried with backoff and then recorded as failed, admins
 * see the problem in the App Home and get one DM saying what to do, and no
 * answer is lost.
 */

const ADMIN = 'U0ADMIN01';
const CHANNEL = 'C0LEADERS';
const EXEC = 'C0EXEC';
const LEADERS = ['U0PROD01', 'U0PROD02', 'U0PROD03', 'U0ENG01', 'U0ENG02', 'U0ENG03'];
const MINUTE = 60_000;

const clock = { now: new Date('2026-11-22T12:00:00Z') };
let t: TestApp;
let survey: Survey;
let scheduler: Scheduler;

beforeEach(async () => {
  clock.now = new Date('2026-11-22T12:00:00Z'); // a Sunday
  t = await startTestApp({
    now: () => clock.now,
    schedule: false,
    // Time-outs of a tenth of a second: a call Slack holds longer fails fast.
    env: { ADMIN_USER_IDS: ADMIN, SLACK_TIMEOUT_MS: '100' },
  });
  t.standIn.addUser({ id: ADMIN, name: 'cpo' });
  for (const id of LEADERS) t.standIn.addUser({ id, name: id.toLowerCase() });
  t.standIn.addChannel({ id: CHANNEL, name: 'leadership', members: [...LEADERS, BOT_USER_ID] });
  t.standIn.addChannel({ id: EXEC, name: 'exec', members: [ADMIN, BOT_USER_ID] });
  survey = await findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: CHANNEL,
    timezone: 'Europe/Berlin',
    createdBy: ADMIN,
  });
  scheduler = new Scheduler(t.app.ctx, {
    graceMs: 12 * 60 * MINUTE,
    leaseMs: 15 * MINUTE,
    jobs: { pulse: pulseJob, digest: digestJob },
  });
});
afterEach(async () => {
  await scheduler.stop();
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

const db = () => t.app.ctx.db;
const ctx = (): AppContext => t.app.ctx;

/** Moves the app's clock and lets the scheduler's minute tick run. */
async function at(iso: string): Promise<void> {
  clock.now = new Date(iso);
  await scheduler.tick(clock.now);
}

/** Every tick from `startIso` for `minutes` minutes: the retries at 1, 5, 15 and 60 minutes happen. */
async function minutesFrom(startIso: string, minutes: number): Promise<void> {
  for (let m = 0; m <= minutes; m++)
    await at(new Date(new Date(startIso).getTime() + m * MINUTE).toISOString());
}

const adminAlerts = () => {
  const dm = t.standIn.dmChannelOf(ADMIN);
  return dm === undefined
    ? []
    : t.standIn.messagesIn(dm).filter((m) => m.text.startsWith('Alignment Pulse could not'));
};

async function adminHomeText(): Promise<string> {
  const reply = await t.slack.event({ type: 'app_home_opened', user: ADMIN, tab: 'home' });
  expect(reply.status).toBe(200);
  await t.app.idle();
  return JSON.stringify(t.standIn.homeViews.get(ADMIN) ?? {});
}

async function healthy(): Promise<boolean> {
  const response = await fetch(`${t.baseUrl}/healthz`);
  return response.status === 200;
}

const answerCount = async () =>
  (await one(db(), sql<{ n: number }>`SELECT count(*) AS n FROM answers`))?.n;

// Monday 23 November 2026, 09:00 in Berlin.
const MONDAY = '2026-11-23T08:00:05Z';

describe('the weekly pulse cannot be posted in the channel', () => {
  it.each([
    [
      'the bot was removed from the channel',
      () => {
        const c = t.standIn.channels.get(CHANNEL);
        if (c) c.botIsMember = false;
      },
      'not_in_channel',
      'Invite the bot to <#C0LEADERS>',
    ],
    [
      'the channel was archived',
      () => {
        const c = t.standIn.channels.get(CHANNEL);
        if (c) c.is_archived = true;
      },
      'is_archived',
      'is archived: unarchive it or pick another channel',
    ],
    [
      'the channel was deleted',
      () => {
        const c = t.standIn.channels.get(CHANNEL);
        if (c) t.standIn.channels.set('C0GONE', c);
        t.standIn.channels.delete(CHANNEL);
      },
      'channel_not_found',
      'no longer exists or is private without the bot',
    ],
  ])(
    '%s: retried with backoff, then failed; the admin told once, in a DM and the App Home',
    async (_what, breakIt, code, advice) => {
      breakIt();
      await minutesFrom(MONDAY, 90);
      expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([
        { status: 'failed', attempts: 5 },
      ]);
      const alerts = adminAlerts();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.text).toContain(`Could not *post the pulse* in <#C0LEADERS> (\`${code}\`)`);
      expect(alerts[0]?.text).toContain(advice);
      expect(await adminHomeText()).toContain(advice);
      expect(await healthy()).toBe(true);
      // Once the admin fixes it, the next week's pulse goes out and no new alert follows.
      const c = t.standIn.channels.get('C0GONE') ?? t.standIn.channels.get(CHANNEL);
      if (c) Object.assign(c, { botIsMember: true, is_archived: false });
      if (c) t.standIn.channels.set(CHANNEL, c);
      await at('2026-11-30T08:00:05Z');
      expect(t.standIn.messagesIn(CHANNEL)).toHaveLength(1);
      expect(adminAlerts()).toHaveLength(1);
    },
  );

  it.each<[string, Fault, number]>([
    ['500 Internal Server Error', { status: 500 }, 3],
    ['a time-out', { delayMs: 400 }, 3],
  ])(
    '%s: retried a minute later and posted; a passing fault is not sent to admins',
    async (_what, fault, times) => {
      t.standIn.inject('chat.postMessage', fault, times);
      await at(MONDAY);
      expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([{ status: 'retrying' }]);
      await minutesFrom('2026-11-23T08:01:05Z', 3);
      expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([
        { status: 'done', attempts: 2 },
      ]);
      expect(t.standIn.messagesIn(CHANNEL).length).toBeGreaterThanOrEqual(1);
      expect(adminAlerts()).toEqual([]);
      expect(await healthy()).toBe(true);
    },
  );

  it('429 with Retry-After: the client waits as told and posts once, at the first attempt', async () => {
    t.standIn.inject('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, 2);
    await at(MONDAY);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([{ status: 'done', attempts: 1 }]);
    expect(t.standIn.messagesIn(CHANNEL)).toHaveLength(1);
    expect(t.standIn.callsTo('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(2);
    expect(adminAlerts()).toEqual([]);
  });

  it('a fault that lasts past the hour-long retry is sent to admins, once', async () => {
    t.standIn.inject('conversations.members', { status: 500 }, 1_000);
    await minutesFrom(MONDAY, 90);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([
      { status: 'failed', attempts: 5 },
    ]);
    const alerts = adminAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toContain(
      'Could not *list channel members* in <#C0LEADERS> (`http_500`)',
    );
    await minutesFrom('2026-11-23T10:00:05Z', 30);
    expect(adminAlerts()).toHaveLength(1);
  });
});

describe('the bot token no longer works', () => {
  it.each(['invalid_auth', 'account_inactive'] as const)(
    '%s: keeps running, retries then fails the run, and logs that admins could not be told',
    async (error) => {
      t.standIn.revokeToken(error);
      await minutesFrom(MONDAY, 90);
      expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([
        { status: 'failed', attempts: 5, lastError: expect.stringContaining(error) },
      ]);
      expect(await healthy()).toBe(true);
      expect(t.logs.some((l) => l.includes('could not tell an admin'))).toBe(true);
      expect(await adminHomeText()).toBe('{}'); // Slack refuses the Home too; nothing crashes
    },
  );
});

describe('DMs, reminders and closing', () => {
  beforeEach(async () => {
    await run(db(), sql`UPDATE surveys SET delivery = 'dm', reminder_hours = 24`);
  });

  it('a DM refused for one person is retried for that person only; admins told once', async () => {
    t.standIn.inject('conversations.open', { error: 'user_not_found' }, 1);
    await minutesFrom(MONDAY, 3);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([{ status: 'done', attempts: 2 }]);
    for (const id of LEADERS) {
      const dm = t.standIn.dmChannelOf(id) ?? '';
      expect(t.standIn.messagesIn(dm)).toHaveLength(1);
    }
    const alerts = adminAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toMatch(/Could not \*send the pulse by DM\* to 1 person \(<@U0\w+>\)/);
  });

  it('under Slack’s rate limits (429 with Retry-After), every leader gets the pulse by DM once', async () => {
    const many = Array.from({ length: 120 }, (_, i) => `U0MANY${String(i).padStart(3, '0')}`);
    for (const id of many) t.standIn.addUser({ id, name: id.toLowerCase() });
    const channel = t.standIn.channels.get(CHANNEL);
    if (channel) channel.members.push(...many);
    t.standIn.enforceRateLimits({ speed: 60 });
    await at(MONDAY);
    expect(t.standIn.rateLimited).toBeGreaterThan(0);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([{ status: 'done', attempts: 1 }]);
    for (const id of [...LEADERS, ...many]) {
      const dm = t.standIn.dmChannelOf(id) ?? '';
      expect(t.standIn.messagesIn(dm)).toHaveLength(1);
    }
    expect(adminAlerts()).toEqual([]);
  }, 30_000);

  it('reminders that fail are sent on the retry to those who did not get one, and never twice', async () => {
    await at(MONDAY);
    const pulse = await getPulse(db(), 1);
    if (!pulse) throw new Error('no pulse');
    await answer(pulse.id, ['U0PROD01', 'U0ENG01']);
    t.standIn.inject('chat.postMessage', { status: 500 }, 3);
    await minutesFrom('2026-11-25T08:00:05Z', 3); // Wednesday: the reminder is due
    const reminded = (id: string) =>
      t.standIn
        .messagesIn(t.standIn.dmChannelOf(id) ?? '')
        .filter((m) => m.text.startsWith('Reminder:')).length;
    expect(LEADERS.map(reminded)).toEqual([0, 1, 1, 0, 1, 1]);
    expect(await runsOf(db(), survey.id, 'remind')).toMatchObject([
      { status: 'done', attempts: 2 },
    ]);
  });

  it('closing goes ahead when Slack cannot update the DMs, and the answers stay', async () => {
    await at(MONDAY);
    const pulse = await getPulse(db(), 1);
    if (!pulse) throw new Error('no pulse');
    await answer(pulse.id, ['U0PROD01', 'U0PROD02', 'U0ENG01']);
    t.standIn.inject('chat.update', { delayMs: 400 }, 3);
    t.standIn.inject('chat.update', { status: 500 }, 30);
    await minutesFrom('2026-11-26T08:00:05Z', 90); // Thursday: the pulse closes
    expect((await getPulse(db(), pulse.id))?.closedAt).not.toBeNull();
    expect(await answerCount()).toBe(15);
    // The close run was retried until every DM says the pulse is closed.
    for (const id of LEADERS) {
      const [dm] = t.standIn.messagesIn(t.standIn.dmChannelOf(id) ?? '');
      expect(dm?.text).toMatch(/^Closed —/);
    }
    expect(await healthy()).toBe(true);
  });
});

describe('the digest', () => {
  beforeEach(async () => {
    await run(db(), sql`UPDATE survey_channels SET channel_id = ${EXEC} WHERE role = 'digest'`);
    await seedPulse(ctx(), {
      teamId: TEAM_ID,
      surveyId: survey.id,
      due: '2026-11-16T08:00:00Z',
      invited: LEADERS,
      closed: true,
      answers: LEADERS.map((id) => ({
        person: [id, id.startsWith('U0PROD') ? 'product' : 'engineering'] as const,
        values: { 'okrs.same_direction': 4, 'roadmap.one_plan': 2 },
      })),
    });
  });

  it('cannot be posted in the exec channel: retried, failed, the admin told once', async () => {
    const exec = t.standIn.channels.get(EXEC);
    if (exec) exec.botIsMember = false;
    await minutesFrom('2026-11-20T15:00:30Z', 90); // Friday 16:00 in Berlin
    expect(await runsOf(db(), survey.id, 'digest')).toMatchObject([
      { status: 'failed', attempts: 5 },
    ]);
    const alerts = adminAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toContain('Could not *post the digest* in <#C0EXEC>');
    expect(await adminHomeText()).toContain('Invite the bot to <#C0EXEC>');
  });

  it('goes out without its chart when Slack refuses the chart and the picture cannot be uploaded, and the admin is told', async () => {
    t.standIn.refusedBlockTypes.add('data_visualization');
    t.standIn.inject('files.getUploadURLExternal', { error: 'invalid_arguments' }, 10);
    await minutesFrom('2026-11-20T15:00:30Z', 1);
    expect(await runsOf(db(), survey.id, 'digest')).toMatchObject([{ status: 'done' }]);
    expect(
      t.standIn.messagesIn(EXEC).filter((m) => m.text.startsWith('Alignment digest')),
    ).toHaveLength(1);
    expect(adminAlerts()[0]?.text).toContain('Could not *upload the digest chart* in <#C0EXEC>');
  });
});

describe('what people do themselves', () => {
  it('the App Home: a failed or timed-out publish leaves the app running, and the next visit works', async () => {
    t.standIn.inject('views.publish', { status: 500 }, 3);
    await t.slack.event({ type: 'app_home_opened', user: 'U0PROD01', tab: 'home' });
    await t.app.idle();
    expect(t.standIn.homeViews.has('U0PROD01')).toBe(false);
    t.standIn.inject('views.publish', { delayMs: 400 }, 3);
    const timedOut = await t.slack.event({
      type: 'app_home_opened',
      user: 'U0PROD01',
      tab: 'home',
    });
    expect(timedOut.status).toBe(200);
    await t.app.idle();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the slow answers arrive
    t.standIn.homeViews.clear();
    await t.slack.event({ type: 'app_home_opened', user: 'U0PROD01', tab: 'home' });
    await t.app.idle();
    expect(t.standIn.homeViews.has('U0PROD01')).toBe(true);
    expect(await healthy()).toBe(true);
  });

  it.each<[string, Fault]>([
    ['500', { status: 500 }],
    ['a time-out', { delayMs: 400 }],
    ['ok:false', { error: 'invalid_arguments' }],
  ])('the export: %s from Slack gets a clear answer to try again', async (_what, fault) => {
    // Enough faults for every try of both files (the scores and the agreements).
    t.standIn.inject('files.getUploadURLExternal', fault, 10);
    const reply = await t.slack.command({ user: ADMIN, channel: CHANNEL, text: 'export' });
    expect(reply.status).toBe(200);
    await t.app.idle();
    const answer = t.standIn.responseUrlPosts.at(-1)?.body.text;
    expect(answer).toBe(
      'Slack would not take the file just now. Please try `/alignment export` again in a minute.',
    );
  });

  it('an answer is stored even when Slack cannot update the count on the channel message', async () => {
    await at(MONDAY);
    t.standIn.inject('chat.update', { status: 500 }, 3);
    const pulse = await getPulse(db(), 1);
    if (!pulse) throw new Error('no pulse');
    await answer(pulse.id, ['U0ENG02']);
    expect(await answerCount()).toBe(5);
  });
});

/** Stores answers as the form would, for the pulse's questions. */
async function answer(pulseId: number, people: string[]): Promise<void> {
  const questions = await all(
    db(),
    sql<{ id: string }>`SELECT question_id AS id FROM pulse_questions WHERE pulse_id = ${pulseId}`,
  );
  for (const userId of people) {
    await saveSubmission(db(), {
      teamId: TEAM_ID,
      pulseId,
      userId,
      chosenDiscipline: userId.startsWith('U0PROD') ? 'product' : 'engineering',
      values: new Map(questions.map((q) => [q.id, 3])),
      comment: undefined,
      at: clock.now,
    });
  }
}
