import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/store.js';
import { findOrCreateSurvey } from '../../src/storage/surveys.js';
import { type AppProcess, runApp } from '../support/app-process.js';
import { all, one, run } from '../support/db.js';
import { freePort, openPulseDatabase, waitUntilServing } from '../support/open-pulse-database.js';
import { SlackSender } from '../support/slack-requests.js';
import { BOT_TOKEN, BOT_USER_ID, SlackStandIn, TEAM_ID } from '../support/slack-stand-in.js';
import { SIGNING_SECRET, testDatabase } from '../support/test-app.js';

/**
 * The app process killed with SIGKILL in the middle of a burst of answers and
 * of a scheduled run, then started again on the same database (the SQLite
 * file, or the Postgres database): every answer it acknowledged is there, and
 * the run is finished once, not skipped and not repeated.
 */

const PEOPLE = 400;
const IN_FLIGHT = 20;
const KILL_AFTER_ACKS = 120;
const BURST = 'C0BURST';
const LEADERS = 'C0LEADERS';

let dir: string;
let database: Awaited<ReturnType<typeof testDatabase>>;
let standIn: SlackStandIn;
let app: AppProcess | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-crash-'));
  database = await testDatabase(dir);
  standIn = await SlackStandIn.start();
});
afterEach(async () => {
  app?.child.kill('SIGKILL');
  await app?.exited;
  await standIn.stop();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A cron schedule due every day at `due`'s minute (UTC). */
const dailyAt = (due: Date) => `${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;

async function start(port: number): Promise<AppProcess> {
  const child = runApp({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    PORT: String(port),
    ...database.env,
    LOG_LEVEL: 'warn',
  });
  await waitUntilServing(`http://127.0.0.1:${port}/healthz`, child.output);
  return child;
}

describe('a kill -9 in the middle of answers and of a scheduled run', () => {
  it('keeps every acknowledged answer and finishes the run exactly once after a restart', async () => {
    const people = Array.from({ length: PEOPLE }, (_, i) => `U0C${String(i).padStart(5, '0')}`);
    for (const id of people) standIn.addUser({ id, name: id.toLowerCase() });
    standIn.addChannel({ id: BURST, name: 'burst', members: [BOT_USER_ID] });
    standIn.addChannel({
      id: LEADERS,
      name: 'leadership',
      members: [...people.slice(0, 6), BOT_USER_ID],
    });

    // A pulse open for answers, in a survey whose own schedule is paused, and a second
    // survey whose daily pulse fell due five minutes ago: the app runs it at start.
    const due = new Date(Date.now() - 5 * 60_000);
    let leaders = 0;
    const {
      survey: burst,
      pulse,
      questions,
      form: view,
    } = await openPulseDatabase(database.location, BURST, people, async (db) => {
      leaders = (
        await findOrCreateSurvey(db, {
          teamId: TEAM_ID,
          channelId: LEADERS,
          timezone: 'UTC',
          createdBy: 'U0ADMIN',
        })
      ).id;
      await run(
        db,
        sql`UPDATE surveys SET paused_until = '2099-01-01T00:00:00.000Z' WHERE id <> ${leaders}`,
      );
      await run(db, sql`UPDATE surveys SET pulse_cron = ${dailyAt(due)} WHERE id = ${leaders}`);
    });
    expect(burst.id).not.toBe(leaders);

    // Slack is slow to list the leaders: the scheduled run is under way when the kill comes.
    standIn.inject('conversations.members', { delayMs: 8_000 }, 1);
    const port = await freePort();
    app = await start(port);

    const sender = new SlackSender(
      `http://127.0.0.1:${port}/slack/events`,
      SIGNING_SECRET,
      standIn,
    );
    const values = Object.fromEntries([
      ...questions.map((q) => [`q:${q.id}`, '4']),
      ['discipline', 'engineering'],
    ]) as Record<string, string>;
    const acknowledged: string[] = [];
    const running = app;
    let next = 0;
    let killed = false;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < PEOPLE) {
          const user = people[next++] ?? '';
          const reply = await sender
            .interaction(sender.viewSubmission({ user, view, values }))
            .catch(() => undefined);
          if (reply?.status === 200 && reply.json?.response_action === 'update')
            acknowledged.push(user);
          if (!killed && acknowledged.length >= KILL_AFTER_ACKS) {
            killed = true;
            running.child.kill('SIGKILL');
          }
        }
      }),
    );
    expect(await running.exited).toBeNull(); // killed by the signal, not exited
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(acknowledged.length).toBeLessThan(PEOPLE);

    // Start again on the same database.
    app = await start(port);
    await expect
      .poll(() => standIn.messagesIn(LEADERS).length, { timeout: 20_000, interval: 200 })
      .toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const check = await openStore(database.location);
    const stored = new Set(
      (
        await all(
          check.db,
          sql<{
            userId: string;
          }>`SELECT user_id AS "userId" FROM answers WHERE pulse_id = ${pulse.id} GROUP BY user_id HAVING count(*) = 5`,
        )
      ).map((row) => row.userId),
    );
    const lost = acknowledged.filter((user) => !stored.has(user));
    const partial = (
      await one(
        check.db,
        sql<{
          n: number;
        }>`SELECT count(*) AS n FROM (SELECT user_id FROM answers WHERE pulse_id = ${pulse.id} GROUP BY user_id HAVING count(*) <> 5) AS partial`,
      )
    )?.n;
    const runs = await all(
      check.db,
      sql`SELECT status, scheduled_for AS "dueAt" FROM schedule_runs WHERE kind = 'pulse' AND survey_id = ${leaders}`,
    );
    const leaderPulses = (
      await one(
        check.db,
        sql<{ n: number }>`SELECT count(*) AS n FROM pulses WHERE survey_id = ${leaders}`,
      )
    )?.n;
    // A SQLite file is sound after the kill (a Postgres server was never killed).
    const integrity =
      check.sqlite === undefined ? 'ok' : check.sqlite.pragma('integrity_check', { simple: true });
    await check.close();

    expect(lost).toEqual([]);
    expect(partial).toBe(0); // a submission is stored whole or not at all
    expect(integrity).toBe('ok');
    // The run the kill interrupted was finished once: one pulse, posted once.
    expect(runs).toEqual([{ status: 'done', dueAt: `${due.toISOString().slice(0, 17)}00.000Z` }]);
    expect(leaderPulses).toBe(1);
    expect(
      standIn.messagesIn(LEADERS).filter((m) => m.text.startsWith('The alignment pulse')),
    ).toHaveLength(1);
  }, 90_000);
});

describe('a kill -9 while Slack is taking the pulse post', () => {
  it('posts it once more after the restart, marked as posted again, and never a third time', async () => {
    const people = ['U0L1', 'U0L2', 'U0L3'];
    for (const id of people) standIn.addUser({ id, name: id.toLowerCase() });
    standIn.addChannel({ id: LEADERS, name: 'leadership', members: [...people, BOT_USER_ID] });
    const due = new Date(Date.now() - 5 * 60_000);
    await openPulseDatabase(database.location, BURST, [], async (db) => {
      const leaders = (
        await findOrCreateSurvey(db, {
          teamId: TEAM_ID,
          channelId: LEADERS,
          timezone: 'UTC',
          createdBy: 'U0ADMIN',
        })
      ).id;
      await run(
        db,
        sql`UPDATE surveys SET paused_until = '2099-01-01T00:00:00.000Z' WHERE id <> ${leaders}`,
      );
      await run(db, sql`UPDATE surveys SET pulse_cron = ${dailyAt(due)} WHERE id = ${leaders}`);
    });
    // Slack posts the message but its answer is late: the kill comes in between.
    standIn.inject('chat.postMessage', { answerAfterMs: 8_000 }, 1);
    const port = await freePort();
    app = await start(port);
    await expect
      .poll(() => standIn.messagesIn(LEADERS).length, { timeout: 20_000, interval: 50 })
      .toBe(1);
    app.child.kill('SIGKILL');
    await app.exited;

    app = await start(port);
    await expect
      .poll(() => standIn.messagesIn(LEADERS).length, { timeout: 20_000, interval: 100 })
      .toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const [first, second] = standIn.messagesIn(LEADERS);
    expect(standIn.messagesIn(LEADERS)).toHaveLength(2);
    expect(JSON.stringify(first?.blocks)).not.toContain('Posted again');
    expect(JSON.stringify(second?.blocks)).toContain(
      'Posted again: the app restarted while sending this, so an earlier copy may be above. Either button works.',
    );
    const check = await openStore(database.location);
    const recorded = await all(
      check.db,
      sql`SELECT ts FROM pulse_messages WHERE channel_id = ${LEADERS} AND kind = 'channel'`,
    );
    await check.close();
    expect(recorded).toEqual([{ ts: second?.ts }]);
  }, 60_000);
});
