import { hostname } from 'node:os';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { DEFAULT_SIDES } from '../../src/domain/dimensions.js';
import { pulseJob } from '../../src/jobs/pulse-job.js';
import { claimantIsGone, Scheduler, TenantLanes } from '../../src/jobs/scheduler.js';
import { createPulse, recordPulseMessage } from '../../src/storage/pulses.js';
import { runsOf } from '../../src/storage/runs.js';
import { openStore } from '../../src/storage/store.js';
import { findOrCreateSurvey, type Survey } from '../../src/storage/surveys.js';
import { markUninstalled, upsertWorkspace } from '../../src/storage/workspaces.js';
import { all, one, run } from '../support/db.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CHANNEL = 'C0LEADERS';
const LEADERS = ['U0PROD01', 'U0PROD02', 'U0ENG01'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The clock the app reads; tests move it. */
const clock = { now: new Date('2026-11-22T12:00:00Z') };
let t: TestApp;
let survey: Survey;
const schedulers: Scheduler[] = [];

beforeEach(async () => {
  clock.now = new Date('2026-11-22T12:00:00Z'); // a Sunday
  t = await startTestApp({ now: () => clock.now, schedule: false });
  for (const id of LEADERS) t.standIn.addUser({ id, name: id.toLowerCase() });
  t.standIn.addChannel({ id: CHANNEL, name: 'leadership', members: [...LEADERS, BOT_USER_ID] });
  survey = await findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: CHANNEL,
    timezone: 'Europe/Berlin',
    createdBy: 'U0ADMIN',
  });
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

/** A scheduler as a freshly started process would have (its own owner id). */
function scheduler(ctx: AppContext = t.app.ctx, leaseMs = 15 * MINUTE): Scheduler {
  const s = new Scheduler(ctx, { graceMs: 12 * HOUR, leaseMs, jobs: { pulse: pulseJob } });
  schedulers.push(s);
  return s;
}

const db = () => t.app.ctx.db;
const pulses = () =>
  all(
    db(),
    sql<{
      id: number;
      dueAt: string;
      closedAt: string | null;
      remindedAt: string | null;
    }>`SELECT id, due_at AS "dueAt", closed_at AS "closedAt", reminded_at AS "remindedAt" FROM pulses ORDER BY due_at`,
  );
const channelPosts = () =>
  t.standIn
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === CHANNEL && c.status === 200 && c.response.ok === true);

async function at(iso: string, ...run: Scheduler[]): Promise<void> {
  clock.now = new Date(iso);
  for (const s of run) await s.tick(clock.now);
}

describe('claim before acting', () => {
  it('posts exactly one pulse when two processes share the database file and both fire', async () => {
    const connection = await openStore(t.database);
    const second: AppContext = { ...t.app.ctx, db: connection.db };
    clock.now = new Date('2026-11-23T08:00:30Z'); // Monday 09:00:30 in Berlin
    const a = scheduler();
    const b = scheduler(second);
    await Promise.all([a.tick(clock.now), b.tick(clock.now), a.tick(clock.now), b.tick(clock.now)]);
    expect(await pulses()).toMatchObject([{ dueAt: '2026-11-23T08:00:00.000Z' }]);
    expect(channelPosts()).toHaveLength(1);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([
      { status: 'done', attempts: 1, scheduledFor: '2026-11-23T08:00:00.000Z' },
    ]);
    await connection.close();
  });

  it('does not run a schedule again at its next tick or after a restart', async () => {
    await at('2026-11-23T08:00:10Z', scheduler());
    await at('2026-11-23T08:01:10Z', scheduler());
    await at('2026-11-23T09:30:00Z', scheduler());
    expect(channelPosts()).toHaveLength(1);
  });
});

describe('catch-up at start', () => {
  it('runs a pulse missed by two hours, once', async () => {
    await at('2026-11-23T10:00:00Z', scheduler());
    expect(await pulses()).toMatchObject([{ dueAt: '2026-11-23T08:00:00.000Z' }]);
    expect(channelPosts()).toHaveLength(1);
  });

  it('skips a pulse missed by three days and records why', async () => {
    await at('2026-11-26T08:00:00Z', scheduler());
    expect(await pulses()).toEqual([]);
    expect(channelPosts()).toEqual([]);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([
      {
        status: 'skipped',
        scheduledFor: '2026-11-23T08:00:00.000Z',
        lastError: 'missed by more than the catch-up window',
      },
    ]);
  });

  it('does not open a pulse while the survey is paused', async () => {
    await run(db(), sql`UPDATE surveys SET paused_until = '2026-12-01T00:00:00.000Z'`);
    await at('2026-11-23T08:00:05Z', scheduler());
    expect(await pulses()).toEqual([]);
    expect((await runsOf(db(), survey.id, 'pulse'))[0]).toMatchObject({
      status: 'skipped',
      lastError: 'paused until 2026-12-01T00:00:00.000Z',
    });
  });

  it('sends due reminders and closes pulses after an outage', async () => {
    const s = scheduler();
    await at('2026-11-23T08:00:05Z', s); // opens; closes Thursday 08:00Z, reminder due Wednesday 08:00Z
    await s.stop();
    // Down from Monday to Wednesday noon: the reminders fell due meanwhile.
    await at('2026-11-25T12:00:00Z', scheduler());
    expect(
      t.standIn
        .callsTo('conversations.open')
        .map((c) => c.args.users)
        .sort(),
    ).toEqual([...LEADERS].sort());
    expect((await pulses())[0]?.remindedAt).not.toBeNull();
    // Down again until Friday: the closing fell due.
    await at('2026-11-27T09:00:00Z', scheduler());
    expect((await pulses())[0]?.closedAt).not.toBeNull();
    expect(t.standIn.messagesIn(CHANNEL)[0]?.text).toBe(
      'Closed — 0 leaders answered the alignment pulse of Mon 23 Nov.',
    );
    expect(t.standIn.callsTo('conversations.open')).toHaveLength(3);
  });

  it('closes without reminding when the whole window passed during the outage', async () => {
    await at('2026-11-23T08:00:05Z', scheduler());
    await at('2026-11-27T09:00:00Z', scheduler());
    expect((await pulses())[0]?.closedAt).not.toBeNull();
    expect(t.standIn.callsTo('conversations.open')).toEqual([]);
  });
});

describe('time zones and DST', () => {
  it('opens the Monday 09:00 Berlin pulse at 09:00 local on both sides of the March change', async () => {
    await run(db(), sql`UPDATE surveys SET open_hours = 24`);
    const s = scheduler();
    for (const monday of ['2026-03-23', '2026-03-30', '2026-04-06']) {
      await at(`${monday}T06:59:00Z`, s);
      await at(`${monday}T07:00:30Z`, s);
      await at(`${monday}T08:00:30Z`, s);
      await at(`${monday}T20:00:00Z`, s);
    }
    expect((await pulses()).map((p) => p.dueAt)).toEqual([
      '2026-03-23T08:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
      '2026-04-06T07:00:00.000Z',
    ]);
  });
});

describe('schedules follow the database', () => {
  it('builds one node-cron task per survey schedule, in its time zone', async () => {
    const s = scheduler();
    await s.refresh();
    expect(s.describe()).toEqual([
      { kind: 'pulse', surveyId: survey.id, pattern: '0 9 * * 1', timezone: 'Europe/Berlin' },
    ]);
  });

  it('takes a changed schedule without a restart, and stops the tasks of a removed survey', async () => {
    const s = scheduler();
    await s.refresh();
    await run(
      db(),
      sql`UPDATE surveys SET pulse_cron = '30 14 * * 3', timezone = 'America/New_York'`,
    );
    await s.refresh();
    expect(s.describe()).toEqual([
      { kind: 'pulse', surveyId: survey.id, pattern: '30 14 * * 3', timezone: 'America/New_York' },
    ]);
    await at('2026-11-25T19:30:20Z', s); // Wednesday 14:30 in New York
    expect(await pulses()).toMatchObject([{ dueAt: '2026-11-25T19:30:00.000Z' }]);
    await run(db(), sql`DELETE FROM surveys`);
    await s.refresh();
    expect(s.describe()).toEqual([]);
  });

  it('stops the schedules of a workspace that uninstalled the app', async () => {
    const s = scheduler();
    await markUninstalled(db(), TEAM_ID, clock.now);
    await at('2026-11-23T08:00:05Z', s);
    expect(s.describe()).toEqual([]);
    expect(await pulses()).toEqual([]);
  });
});

describe('the digest schedule', () => {
  it('posts the digest at 16:00 on Friday in the survey time zone, once', async () => {
    const { digestJob } = await import('../../src/jobs/digest-job.js');
    const s = new Scheduler(t.app.ctx, {
      graceMs: 12 * HOUR,
      leaseMs: 15 * MINUTE,
      jobs: { pulse: pulseJob, digest: digestJob },
    });
    schedulers.push(s);
    await at('2026-11-23T08:00:30Z', s); // Monday 09:00: the pulse opens
    await at('2026-11-26T08:00:30Z', s); // Thursday 09:00: it closes, and is published
    await at('2026-11-27T14:59:00Z', s);
    expect(
      t.standIn.messagesIn(CHANNEL).filter((m) => m.text.startsWith('Alignment digest')),
    ).toHaveLength(0);
    await at('2026-11-27T15:00:10Z', s); // Friday 16:00 in Berlin
    await at('2026-11-27T15:01:10Z', s);
    const digests = t.standIn
      .messagesIn(CHANNEL)
      .filter((m) => m.text.startsWith('Alignment digest'));
    expect(digests).toHaveLength(1);
    expect(await runsOf(db(), survey.id, 'digest')).toMatchObject([
      // A week old at the first tick: recorded as skipped, not caught up.
      { status: 'skipped', scheduledFor: '2026-11-20T15:00:00.000Z' },
      { status: 'done', scheduledFor: '2026-11-27T15:00:00.000Z' },
    ]);
  });
});

describe('a survey that begins after its schedule’s due time', () => {
  const NEW = 'C0NEWTEAM';
  const ADMIN = 'U0ADMIN';
  beforeEach(() => {
    t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin', is_admin: true });
    t.standIn.addChannel({ id: NEW, name: 'new-team', members: [ADMIN, ...LEADERS, BOT_USER_ID] });
  });
  const newSurveyRuns = async (kind: 'pulse' | 'digest') => {
    const row = await one(
      db(),
      sql<{
        id: number;
      }>`SELECT survey_id AS id FROM survey_channels WHERE channel_id = ${NEW} AND role = 'leadership'`,
    );
    return runsOf(db(), row?.id as number, kind);
  };
  const postsIn = () => t.standIn.messagesIn(NEW);

  it('gets no second pulse a minute after `pulse now` at 09:27 on a Monday', async () => {
    const { digestJob } = await import('../../src/jobs/digest-job.js');
    const s = new Scheduler(t.app.ctx, {
      graceMs: 12 * HOUR,
      leaseMs: 15 * MINUTE,
      jobs: { pulse: pulseJob, digest: digestJob },
    });
    schedulers.push(s);
    clock.now = new Date('2026-11-23T08:27:00Z'); // Monday 09:27 in Berlin
    await t.slack.command({ user: ADMIN, channel: NEW, text: 'pulse now' });
    await t.app.idle();
    expect(postsIn()).toHaveLength(1);
    await at('2026-11-23T08:28:00Z', s);
    await at('2026-11-23T09:28:00Z', s);
    expect(postsIn()).toHaveLength(1);
    // The 09:00 run before the survey existed is neither run nor recorded as missed.
    expect(await newSurveyRuns('pulse')).toEqual([]);
  });

  it('gets no pulse, and no digest, caught up after its setup is saved later that day', async () => {
    const { digestJob } = await import('../../src/jobs/digest-job.js');
    const { saveSurvey } = await import('../../src/storage/surveys.js');
    const s = new Scheduler(t.app.ctx, {
      graceMs: 12 * HOUR,
      leaseMs: 15 * MINUTE,
      jobs: { pulse: pulseJob, digest: digestJob },
    });
    schedulers.push(s);
    // Friday 16:27 in Berlin: both the Monday-09:00 pulse of this week and the 16:00 digest are past.
    clock.now = new Date('2026-11-27T15:27:00Z');
    await saveSurvey(db(), {
      surveyId: undefined,
      teamId: TEAM_ID,
      by: ADMIN,
      at: clock.now,
      settings: {
        leadershipChannels: [NEW],
        digestChannels: [NEW],
        pulseCron: '0 16 * * 5',
        digestCron: '0 16 * * 5',
        timezone: 'Europe/Berlin',
        questionsPerPulse: 5,
        openHours: 72,
        delivery: 'channel',
        sides: DEFAULT_SIDES,
        reminderHours: 24,
        anonymityThreshold: 3,
        pausedUntil: null,
      },
    });
    await at('2026-11-27T15:28:00Z', s);
    expect(postsIn()).toEqual([]);
    expect(await newSurveyRuns('pulse')).toEqual([]);
    expect(await newSurveyRuns('digest')).toEqual([]);
    // The next due times run as usual.
    await at('2026-12-04T15:00:30Z', s);
    expect(postsIn().filter((m) => m.text.startsWith('The alignment pulse'))).toHaveLength(1);
  });
});

describe('one open pulse a survey', () => {
  const ADMIN = 'U0ADMIN';
  it('skips a scheduled pulse while one sent with `pulse now` is open, says why in the App Home, and runs the next', async () => {
    t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin', is_admin: true });
    const s = scheduler();
    clock.now = new Date('2026-11-22T10:00:00Z'); // Sunday: open until Wednesday 10:00
    await t.slack.command({ user: ADMIN, channel: CHANNEL, text: 'pulse now' });
    await t.app.idle();
    await at('2026-11-23T08:00:30Z', s); // Monday 09:00 in Berlin: due, but one is open
    expect(await pulses()).toHaveLength(1);
    expect(channelPosts()).toHaveLength(1);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([
      {
        status: 'skipped',
        scheduledFor: '2026-11-23T08:00:00.000Z',
        lastError: 'a pulse was still open, until 2026-11-25T10:00:00.000Z',
      },
    ]);
    // `pulse now` names the pulse that is open.
    const reply = await t.slack.command({ user: ADMIN, channel: CHANNEL, text: 'pulse now' });
    await t.app.idle();
    const answers = JSON.stringify([reply.json, ...t.standIn.responseUrlPosts.map((p) => p.body)]);
    expect(answers).toMatch(
      /A pulse is already open here until <!date\^\d+\^\{date_short_pretty\} at \{time\}\|Wed 25 Nov at 11:00 \(Berlin time\)>/,
    );
    // The admin sees the skip in the App Home.
    await t.slack.event({
      type: 'app_home_opened',
      user: ADMIN,
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1.2',
    });
    await t.app.idle();
    expect(JSON.stringify(t.standIn.homeViews.get(ADMIN))).toMatch(
      /The pulse due <!date\^\d+\^\{date_short_pretty\} at \{time\}\|Mon 23 Nov at 09:00 \(Berlin time\)> was skipped: a pulse was still open \(until <!date\^\d+\^\{date_short_pretty\} at \{time\}\|Wed 25 Nov at 11:00 \(Berlin time\)>\)\./,
    );
    // The week after, with nothing open, the schedule runs.
    await at('2026-11-30T08:00:30Z', s);
    expect(await pulses()).toHaveLength(2);
  });
});

describe('failures', () => {
  it('retries a failed Slack call with backoff, then records the run as failed', async () => {
    t.standIn.inject('chat.postMessage', { error: 'not_in_channel' }, 10);
    const s = scheduler();
    await at('2026-11-23T08:00:05Z', s);
    const pulseRun = async () => (await runsOf(db(), survey.id, 'pulse'))[0];
    expect(await pulseRun()).toMatchObject({
      status: 'retrying',
      attempts: 1,
      nextAttemptAt: '2026-11-23T08:01:05.000Z',
      lastError: 'Slack refused not_in_channel (C0LEADERS)',
    });
    await at('2026-11-23T08:00:50Z', s); // not yet
    expect((await pulseRun())?.attempts).toBe(1);
    await at('2026-11-23T08:01:05Z', s);
    expect(await pulseRun()).toMatchObject({
      status: 'retrying',
      attempts: 2,
      nextAttemptAt: '2026-11-23T08:06:05.000Z',
    });
    await at('2026-11-23T08:06:05Z', s);
    await at('2026-11-23T08:21:05Z', s);
    expect(await pulseRun()).toMatchObject({
      status: 'retrying',
      attempts: 4,
      nextAttemptAt: '2026-11-23T09:21:05.000Z',
    });
    await at('2026-11-23T09:21:05Z', s);
    expect(await pulseRun()).toMatchObject({
      status: 'failed',
      attempts: 5,
      nextAttemptAt: null,
      lastError: expect.stringContaining('not_in_channel'),
    });
    await at('2026-11-23T12:00:00Z', s);
    expect((await pulseRun())?.attempts).toBe(5);
    expect(channelPosts()).toEqual([]);
    expect(await pulses()).toHaveLength(1);
  });

  it('succeeds on a retry once Slack recovers, posting the pulse once', async () => {
    t.standIn.inject('chat.postMessage', { error: 'not_in_channel' }, 1);
    const s = scheduler();
    await at('2026-11-23T08:00:05Z', s);
    await at('2026-11-23T08:01:05Z', s);
    expect((await runsOf(db(), survey.id, 'pulse'))[0]).toMatchObject({
      status: 'done',
      attempts: 2,
    });
    expect(channelPosts()).toHaveLength(1);
  });
});

describe('shutdown', () => {
  it('waits for a run in flight, then takes no more', async () => {
    t.standIn.inject('chat.postMessage', { delayMs: 300 });
    const s = scheduler();
    clock.now = new Date('2026-11-23T08:00:05Z');
    const ticking = s.tick(clock.now);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await s.stop();
    expect(channelPosts()).toHaveLength(1);
    expect((await runsOf(db(), survey.id, 'pulse'))[0]).toMatchObject({ status: 'done' });
    await ticking;
    await at('2026-11-30T08:00:05Z', s);
    expect(await pulses()).toHaveLength(1);
  });
});

describe('a restart in the middle of a run', () => {
  async function crashedRun(posted: boolean, claimedBy = 'dead-process') {
    const due = new Date('2026-11-23T08:00:00Z');
    const { pulse } = await createPulse(db(), {
      surveyId: survey.id,
      dueAt: due,
      openedAt: due,
      closesAt: new Date('2026-11-26T08:00:00Z'),
      questionIds: ['okrs.same_direction'],
    });
    if (posted)
      await recordPulseMessage(db(), pulse.id, {
        channelId: CHANNEL,
        kind: 'channel',
        ts: '1763800001.000001',
      });
    await run(
      db(),
      sql`INSERT INTO schedule_runs (kind, survey_id, scheduled_for, status, claimed_by, claimed_at) VALUES ('pulse', ${survey.id}, ${due.toISOString()}, 'running', ${claimedBy}, '2026-11-23T08:00:01.000Z')`,
    );
  }

  it('never posts twice: the run the dead process already posted is finished without posting', async () => {
    await crashedRun(true);
    await at('2026-11-23T08:02:00Z', scheduler());
    expect((await runsOf(db(), survey.id, 'pulse'))[0]?.status).toBe('running');
    await at('2026-11-23T08:16:00Z', scheduler());
    expect((await runsOf(db(), survey.id, 'pulse'))[0]).toMatchObject({ status: 'done' });
    expect(channelPosts()).toEqual([]);
  });

  it('resumes at once a run whose process on this machine is gone, without waiting out the lease', async () => {
    // A pid that is not running, and this process's own pid from an earlier life.
    await crashedRun(false, `${hostname()}:${2 ** 22 + 17}:1763800000000:abc123`);
    await at('2026-11-23T08:02:00Z', scheduler());
    expect((await runsOf(db(), survey.id, 'pulse'))[0]).toMatchObject({ status: 'done' });
    expect(channelPosts()).toHaveLength(1);
  });

  it('leaves alone a run claimed by a live process on this machine until its lease runs out', async () => {
    await crashedRun(false, `${hostname()}:${process.ppid}:1763800000000:abc123`);
    await at('2026-11-23T08:02:00Z', scheduler());
    expect((await runsOf(db(), survey.id, 'pulse'))[0]?.status).toBe('running');
    expect(channelPosts()).toEqual([]);
  });

  it('tells a dead claimant from a live one', () => {
    const self = scheduler().owner;
    const [host, pid, started] = self.split(':');
    expect(claimantIsGone(self, self)).toBe(false);
    expect(claimantIsGone(`${host}:${pid}:${started}:other`, self)).toBe(false);
    expect(claimantIsGone(`${host}:${pid}:${Number(started) - 60_000}:old`, self)).toBe(true);
    expect(claimantIsGone(`other-host:${2 ** 22 + 17}:1:x`, self)).toBe(false);
    expect(claimantIsGone(null, self)).toBe(false);
  });

  it('posts once what the dead process had not posted yet', async () => {
    await crashedRun(false);
    await at('2026-11-23T08:16:00Z', scheduler());
    await at('2026-11-23T08:17:00Z', scheduler());
    expect(channelPosts()).toHaveLength(1);
    expect(await pulses()).toHaveLength(1);
  });
});

describe('a run longer than the lease', () => {
  it('keeps its claim while it works, so neither this process nor another starts it again', async () => {
    // Slack answers slowly: the pulse run lasts 2.5 s of real time, with a 1.5 s lease.
    t.standIn.inject('chat.postMessage', { delayMs: 2_500 });
    const connection = await openStore(t.database);
    const second: AppContext = { ...t.app.ctx, db: connection.db };
    const a = scheduler(t.app.ctx, 1_500);
    const b = scheduler(second, 1_500);
    clock.now = new Date('2026-11-23T08:00:05Z');
    const first = a.tick(clock.now);
    // The app's clock moves on an hour while the post is still under way.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    clock.now = new Date('2026-11-23T09:00:05Z');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await Promise.all([a.tick(clock.now), b.tick(clock.now)]);
    await first;
    expect(channelPosts()).toHaveLength(1);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([{ status: 'done', attempts: 1 }]);
    await connection.close();
  });
});

describe('many tenants due at once', () => {
  const OTHER_TEAM = 'T0OTHER01';
  const OTHER = 'C0OTHERLEADS';
  const SECOND = 'C0SECONDLEADS';

  /**
   * A scheduler whose runs of the first survey wait, as if its Slack were slow,
   * until `answer()`; `started` lists the surveys whose pulse runs began.
   */
  function slowFirstSurvey() {
    let answer = () => {};
    const slow = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const started: number[] = [];
    const s = new Scheduler(t.app.ctx, {
      graceMs: 12 * HOUR,
      leaseMs: 15 * MINUTE,
      jobs: {
        pulse: async (ctx, which, dueAt) => {
          started.push(which.id);
          if (which.id === survey.id) await slow;
          await pulseJob(ctx, which, dueAt);
        },
      },
    });
    schedulers.push(s);
    return { s, answer, started };
  }

  it('posts another tenant’s pulse while one tenant’s Slack is slow, and keeps each tenant’s runs in order', async () => {
    // A second workspace (single-workspace mode sends its calls with the same
    // token), and a second survey of the first one.
    await upsertWorkspace(db(), { teamId: OTHER_TEAM, name: 'Other', botUserId: BOT_USER_ID });
    for (const id of [OTHER, SECOND])
      t.standIn.addChannel({ id, name: id.toLowerCase(), members: [...LEADERS, BOT_USER_ID] });
    const other = await findOrCreateSurvey(db(), {
      teamId: OTHER_TEAM,
      channelId: OTHER,
      timezone: 'Europe/Berlin',
      createdBy: 'U0ADMIN',
    });
    const second = await findOrCreateSurvey(db(), {
      teamId: TEAM_ID,
      channelId: SECOND,
      timezone: 'Europe/Berlin',
      createdBy: 'U0ADMIN',
    });
    const { s, answer, started } = slowFirstSurvey();
    clock.now = new Date('2026-11-23T08:00:05Z'); // Monday 09:00 in Berlin: all three due
    const ticking = s.tick(clock.now);
    await vi.waitFor(() => expect(t.standIn.messagesIn(OTHER)).toHaveLength(1));
    // The other tenant's pulse is out; the slow tenant's second survey waits its turn.
    expect(started).toEqual([survey.id, other.id]);
    expect(channelPosts()).toEqual([]);
    expect(t.standIn.messagesIn(SECOND)).toEqual([]);
    answer();
    await ticking;
    expect(started).toEqual([survey.id, other.id, second.id]);
    expect(channelPosts()).toHaveLength(1);
    expect(t.standIn.messagesIn(SECOND)).toHaveLength(1);
    for (const id of [survey.id, other.id, second.id])
      expect(await runsOf(db(), id, 'pulse')).toMatchObject([{ status: 'done', attempts: 1 }]);
  });

  it('does not hold up the next minute’s pass behind a tenant’s run still going', async () => {
    const { s, answer, started } = slowFirstSurvey();
    clock.now = new Date('2026-11-23T08:00:05Z');
    const first = s.tick(clock.now);
    await vi.waitFor(() => expect(started).toEqual([survey.id]));
    clock.now = new Date('2026-11-23T08:01:05Z');
    await s.tick(clock.now); // leaves the busy tenant to its run, and ends
    expect(channelPosts()).toEqual([]);
    answer();
    await first;
    expect(channelPosts()).toHaveLength(1);
    expect(await runsOf(db(), survey.id, 'pulse')).toMatchObject([{ status: 'done', attempts: 1 }]);
  });
});

describe('tenant lanes', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('runs at most its limit at once, each tenant’s work in order, the longest waiting first', async () => {
    const lanes = new TenantLanes(2);
    const log: string[] = [];
    const finish = new Map<string, () => void>();
    let running = 0;
    let most = 0;
    const work = (name: string) => () =>
      new Promise<void>((resolve) => {
        running += 1;
        most = Math.max(most, running);
        log.push(name);
        finish.set(name, () => {
          running -= 1;
          resolve();
        });
      });
    const all = [
      lanes.run('A', work('a1')),
      lanes.run('A', work('a2')),
      lanes.run('B', work('b1')),
      lanes.run('C', work('c1')),
    ];
    await settle();
    expect(log).toEqual(['a1', 'b1']);
    finish.get('a1')?.();
    await settle();
    // a2 comes after a1, and then after c1, which waited for a place first.
    expect(log).toEqual(['a1', 'b1', 'c1']);
    finish.get('b1')?.();
    await settle();
    expect(log).toEqual(['a1', 'b1', 'c1', 'a2']);
    finish.get('c1')?.();
    finish.get('a2')?.();
    await Promise.all(all);
    expect(most).toBe(2);
  });

  it('goes on with a tenant’s next work after one failed, and frees the place', async () => {
    const lanes = new TenantLanes(1);
    const failed = lanes.run('A', async () => {
      throw new Error('Slack refused');
    });
    const next = lanes.run('A', async () => {});
    const another = lanes.run('B', async () => {});
    await expect(failed).rejects.toThrow('Slack refused');
    await expect(Promise.all([next, another])).resolves.toBeDefined();
  });
});
