import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COUNT_UPDATE_INTERVAL_MS } from '../../src/jobs/refresh-pulse-messages.js';
import { recordPulseMessage } from '../../src/storage/pulses.js';
import { openStore } from '../../src/storage/store.js';
import { findOrCreateSurvey } from '../../src/storage/surveys.js';
import { pulseMessage } from '../../src/views/pulse-message.js';
import { type AppProcess, runApp } from '../support/app-process.js';
import { all, one, run } from '../support/db.js';
import { freePort, openPulseDatabase, waitUntilServing } from '../support/open-pulse-database.js';
import { SlackSender } from '../support/slack-requests.js';
import {
  BOT_TOKEN,
  BOT_USER_ID,
  type RecordedCall,
  SlackStandIn,
  TEAM_ID,
} from '../support/slack-stand-in.js';
import { SIGNING_SECRET, testDatabase } from '../support/test-app.js';

/**
 * Several instances, exactly once: three app processes on one database (one
 * SQLite file, or one Postgres database) behind one Slack. Leaders answer a
 * pulse through all three in a burst while a scheduled pulse falls due; the
 * instance running that scheduled pulse is killed with SIGKILL in the middle of
 * both, and started again. Every acknowledged answer is stored once, the run
 * is done once, the pulse is posted once, and the answered pulse's count is
 * rewritten at most once every three seconds across the three instances.
 */

const INSTANCES = 3;
const PEOPLE = 360;
const IN_FLIGHT = 12;
/** One submission released every PACE_MS: the burst lasts about eleven seconds. */
const PACE_MS = 30;
const KILL_AFTER_ACKS = 90;
/** A submission that got no acknowledgement is sent again, to the next instance. */
const MAX_TRIES = 8;
/**
 * Between an instance claiming the count's turn and Slack receiving its
 * chat.update: a commit, four reads on a pool the burst keeps busy, one HTTP
 * call. Up to about 400 ms on two busy cores; the turns themselves are 3 s apart.
 */
const TOLERANCE_MS = 500;
const BURST = 'C0BURST';
const LEADERS = 'C0LEADERS';

let dir: string;
let database: Awaited<ReturnType<typeof testDatabase>>;
let standIn: SlackStandIn;
let apps: AppProcess[] = [];
/** The test's own connection to the database, to watch it. */
let check: Awaited<ReturnType<typeof openStore>> | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-instances-'));
  database = await testDatabase(dir);
  standIn = await SlackStandIn.start();
  apps = [];
});
afterEach(async () => {
  await check?.close();
  check = undefined;
  for (const app of apps) app.child.kill('SIGKILL');
  await Promise.all(apps.map((app) => app.exited));
  await standIn.stop();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A cron schedule due every day at `due`'s minute (UTC). */
const dailyAt = (due: Date) => `${due.getUTCMinutes()} ${due.getUTCHours()} * * *`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

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

/** The pid in a run's claimed_by (host:pid:process start:random). */
const claimantPid = (claimedBy: string | null) => Number(claimedBy?.split(':').at(-3));

/** The count of answers a pulse message shows. */
function shownCount(blocks: unknown): number | undefined {
  const text = typeof blocks === 'string' ? blocks : JSON.stringify(blocks);
  if (text.includes('No answers yet.')) return 0;
  const found = /(\d+) leaders? answered so far\./.exec(text);
  return found === null ? undefined : Number(found[1]);
}

describe('three instances on one database, one of them killed with SIGKILL', () => {
  it('stores every acknowledged answer once, runs the scheduled pulse once, posts it once and paces the count', async () => {
    // When Slack received each call (the stand-in records a call as it answers it).
    const receivedAt = new Map<RecordedCall, number>();
    const record = standIn.calls.push.bind(standIn.calls);
    standIn.calls.push = (...calls: RecordedCall[]) => {
      for (const call of calls) receivedAt.set(call, Date.now());
      return record(...calls);
    };

    const people = Array.from({ length: PEOPLE }, (_, i) => `U0I${String(i).padStart(5, '0')}`);
    for (const id of people) standIn.addUser({ id, name: id.toLowerCase() });
    standIn.addChannel({ id: BURST, name: 'burst', members: [BOT_USER_ID] });
    standIn.addChannel({
      id: LEADERS,
      name: 'leadership',
      members: [...people.slice(0, 6), BOT_USER_ID],
    });

    // A pulse open for answers, in a survey whose own schedule is paused, and a
    // second survey whose daily pulse fell due five minutes ago: every instance's
    // scheduler sees it due when it starts, and one of them runs it.
    const due = new Date(Date.now() - 5 * 60_000);
    let leaders = 0;
    const {
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

    // The open pulse's message in its channel, as the app posted it: the one whose count is rewritten.
    const posted = await new WebClient(BOT_TOKEN, {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
    }).chat.postMessage({
      channel: BURST,
      ...pulseMessage({
        pulseId: pulse.id,
        dueAt: pulse.dueAt,
        questionCount: questions.length,
        closesAt: pulse.closesAt,
        timezone: 'UTC',
        answered: 0,
        closedAt: undefined,
      }),
    });
    const burstTs = posted.ts ?? '';
    const setup = await openStore(database.location);
    await recordPulseMessage(setup.db, pulse.id, {
      channelId: BURST,
      kind: 'channel',
      ts: burstTs,
    });
    await setup.close();

    // Slack is slow to list the leaders: the scheduled run is under way when the kill comes.
    standIn.inject('conversations.members', { delayMs: 15_000 }, 1);
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    apps = await Promise.all(ports.map((port) => start(port)));

    // Which instance claimed the scheduled run: the one to kill.
    const watch = await openStore(database.location);
    check = watch;
    const claimed = async () =>
      one(
        watch.db,
        sql<{
          status: string;
          claimedBy: string | null;
        }>`SELECT status, claimed_by AS "claimedBy" FROM schedule_runs WHERE kind = 'pulse' AND survey_id = ${leaders}`,
      );
    await expect
      .poll(async () => (await claimed())?.claimedBy ?? null, { timeout: 15_000, interval: 50 })
      .not.toBeNull();
    const runnerPid = claimantPid((await claimed())?.claimedBy ?? null);
    const runner = apps.findIndex((app) => app.child.pid === runnerPid);
    expect(runner).toBeGreaterThanOrEqual(0);

    const senders = ports.map(
      (port) => new SlackSender(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, standIn),
    );
    const values = Object.fromEntries([
      ...questions.map((q) => [`q:${q.id}`, '4']),
      ['discipline', 'engineering'],
    ]) as Record<string, string>;

    const acknowledged: string[] = [];
    const refused: { user: string; reply: string }[] = [];
    const ackedVia = Array.from({ length: INSTANCES }, () => 0);
    /** People one of whose submissions got no acknowledgement: it may or may not be stored. */
    const unacknowledged = new Set<string>();
    let ackedAfterKill = 0;
    let ackedByRestarted = 0;
    /** Submissions that got no acknowledgement, by why: sent again to the next instance. */
    const notAcked = new Map<string, number>();
    let killing: Promise<void> | undefined;
    const atKill: {
      run?: { status: string; claimedBy: string | null };
      exitCode?: number | null;
      signal?: NodeJS.Signals | null;
      inDoubt: number;
      leaderPosts: number;
      at: number;
    } = { inDoubt: 0, leaderPosts: 0, at: 0 };
    let restartedAt = 0;

    const killAndRestart = async () => {
      const victim = apps[runner] as AppProcess;
      victim.child.kill('SIGKILL');
      atKill.exitCode = await victim.exited;
      atKill.signal = victim.child.signalCode;
      atKill.at = Date.now();
      atKill.run = await claimed();
      atKill.leaderPosts = standIn.messagesIn(LEADERS).length;
      // A post the killed instance had begun and Slack had not answered: noted, no ts.
      atKill.inDoubt = Number(
        (
          await one(
            watch.db,
            sql<{
              n: number;
            }>`SELECT count(*) AS n FROM pulse_messages WHERE channel_id = ${LEADERS} AND kind = 'channel' AND ts IS NULL`,
          )
        )?.n ?? 0,
      );
      apps[runner] = await start(ports[runner] as number);
      restartedAt = Date.now();
    };

    const began = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < PEOPLE) {
          const i = next++;
          const user = people[i] ?? '';
          await sleep(began + i * PACE_MS - Date.now());
          for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
            const k = (i + attempt) % INSTANCES;
            const sender = senders[k] as SlackSender;
            const reply = await sender
              .interaction(sender.viewSubmission({ user, view, values }))
              .catch((error: unknown) => {
                const cause = (error as { cause?: { code?: unknown } }).cause?.code;
                const why = String(cause ?? (error as Error).message);
                notAcked.set(why, (notAcked.get(why) ?? 0) + 1);
                return undefined;
              });
            if (reply?.status === 200 && reply.json?.response_action === 'update') {
              acknowledged.push(user);
              ackedVia[k] = (ackedVia[k] ?? 0) + 1;
              if (atKill.at > 0) ackedAfterKill += 1;
              if (restartedAt > 0 && k === runner) ackedByRestarted += 1;
              break;
            }
            if (reply?.status === 200) {
              refused.push({ user, reply: reply.text });
              break;
            }
            // No acknowledgement (the instance is dead or starting): the person submits again.
            if (reply !== undefined)
              notAcked.set(`HTTP ${reply.status}`, (notAcked.get(`HTTP ${reply.status}`) ?? 0) + 1);
            unacknowledged.add(user);
            await sleep(50);
          }
          if (killing === undefined && acknowledged.length >= KILL_AFTER_ACKS)
            killing = killAndRestart();
        }
      }),
    );
    const burstEnded = Date.now();
    await killing;

    // The run the kill interrupted is finished by another instance (the restarted
    // one at its start, or a survivor's minute tick), and posted.
    await expect
      .poll(async () => (await claimed())?.status, { timeout: 20_000, interval: 100 })
      .toBe('done');
    await expect
      .poll(() => standIn.messagesIn(LEADERS).length, { timeout: 10_000, interval: 100 })
      .toBeGreaterThan(0);

    const respondents = async () =>
      Number(
        (
          await one(
            watch.db,
            sql<{
              n: number;
            }>`SELECT count(DISTINCT user_id) AS n FROM answers WHERE pulse_id = ${pulse.id}`,
          )
        )?.n,
      );
    const stored = await respondents();
    const burstMessage = () =>
      standIn.messages.find((m) => m.channel === BURST && m.ts === burstTs);
    // The last rewrite of the count comes at most one interval after the last answer.
    await expect
      .poll(() => shownCount(burstMessage()?.blocks), {
        timeout: 3 * COUNT_UPDATE_INTERVAL_MS,
        interval: 100,
      })
      .toBe(stored);
    // Nothing more comes after it.
    await sleep(COUNT_UPDATE_INTERVAL_MS + 500);

    const rowsOf = new Map(
      (
        await all(
          watch.db,
          sql<{
            userId: string;
            n: number;
          }>`SELECT user_id AS "userId", count(*) AS n FROM answers WHERE pulse_id = ${pulse.id} GROUP BY user_id`,
        )
      ).map((row) => [row.userId, Number(row.n)]),
    );
    const answerRows = Number(
      (
        await one(
          watch.db,
          sql<{ n: number }>`SELECT count(*) AS n FROM answers WHERE pulse_id = ${pulse.id}`,
        )
      )?.n,
    );
    const runs = await all(
      watch.db,
      sql`SELECT status, scheduled_for AS "dueAt" FROM schedule_runs WHERE kind = 'pulse' AND survey_id = ${leaders}`,
    );
    const leaderPulses = Number(
      (
        await one(
          watch.db,
          sql<{ n: number }>`SELECT count(*) AS n FROM pulses WHERE survey_id = ${leaders}`,
        )
      )?.n,
    );
    const recorded = await all(
      watch.db,
      sql<{
        ts: string | null;
      }>`SELECT ts FROM pulse_messages WHERE channel_id = ${LEADERS} AND kind = 'channel'`,
    );
    // A SQLite file three processes wrote, one of them killed, is sound.
    const integrity =
      watch.sqlite === undefined ? 'ok' : watch.sqlite.pragma('integrity_check', { simple: true });
    const finalCount = await respondents();
    // Which instance finished the run: the restarted one at its start, or a survivor's minute tick.
    const finisher = claimantPid((await claimed())?.claimedBy ?? null);
    const finishedBy =
      finisher === apps[runner]?.child.pid
        ? 'restarted'
        : `survivor ${apps.findIndex((app) => app.child.pid === finisher)}`;

    const leaderPosts = standIn
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === LEADERS && call.response.ok === true);
    const countUpdates = standIn
      .callsTo('chat.update')
      .filter(
        (call) =>
          call.args.channel === BURST && call.args.ts === burstTs && call.response.ok === true,
      )
      .map((call) => ({ at: receivedAt.get(call) ?? 0, shown: shownCount(call.args.blocks) }))
      .sort((a, b) => a.at - b.at);
    const gaps = countUpdates.slice(1).map((u, i) => u.at - (countUpdates[i]?.at ?? 0));

    console.info(
      JSON.stringify({
        engine: database.location.engine,
        acknowledged: acknowledged.length,
        ackedVia,
        ackedAfterKill,
        ackedByRestarted,
        notAcked: Object.fromEntries(notAcked),
        neverAcked: PEOPLE - acknowledged.length,
        refused: refused.length,
        storedRespondents: finalCount,
        answerRows,
        killedAfterMs: atKill.at - began,
        restartedAfterMs: restartedAt - began,
        burstMs: burstEnded - began,
        runAtKill: atKill.run?.status,
        runFinishedBy: finishedBy,
        postInDoubtAtKill: atKill.inDoubt,
        leaderPosts: leaderPosts.length,
        runs,
        countUpdates: countUpdates.map((u) => ({ atMs: u.at - began, shown: u.shown })),
        minGapMs: Math.min(...gaps),
      }),
    );

    // The kill came in the middle of both: answers still coming, the run claimed and not done.
    expect(atKill.exitCode).toBeNull();
    expect(atKill.signal).toBe('SIGKILL');
    expect(atKill.run?.status).toBe('running');
    expect(claimantPid(atKill.run?.claimedBy ?? null)).toBe(runnerPid);
    expect(atKill.at).toBeLessThan(burstEnded);
    expect(restartedAt).toBeGreaterThan(0);

    // Every acknowledged answer stored, once, whole: one row per question.
    const acked = new Set(acknowledged);
    expect(refused).toEqual([]);
    expect(acked.size).toBe(acknowledged.length);
    expect(acknowledged.filter((user) => rowsOf.get(user) !== questions.length)).toEqual([]);
    // Nothing else stored but the whole answers of people whose submission got no acknowledgement.
    expect([...rowsOf].filter((entry) => entry[1] !== questions.length)).toEqual([]);
    expect([...rowsOf.keys()].filter((u) => !acked.has(u) && !unacknowledged.has(u))).toEqual([]);
    expect(answerRows).toBe(finalCount * questions.length);
    expect(rowsOf.size).toBe(finalCount);
    // The survivors went on taking answers after the kill, and all three took some.
    expect(acknowledged.length).toBeGreaterThan(KILL_AFTER_ACKS);
    expect(ackedAfterKill).toBeGreaterThan(0);
    expect(ackedVia.every((n) => n > 0)).toBe(true);
    expect(integrity).toBe('ok');

    // The scheduled run: one row for its due minute, done; one pulse.
    expect(runs).toEqual([{ status: 'done', dueAt: `${due.toISOString().slice(0, 17)}00.000Z` }]);
    expect(leaderPulses).toBe(1);

    // Posted once. A post in flight at the kill (noted, Slack's answer not back)
    // may have reached Slack: then one more copy, marked "Posted again", and no third.
    const shown = standIn.messagesIn(LEADERS).map((m) => JSON.stringify(m.blocks));
    if (atKill.inDoubt === 0) {
      expect(leaderPosts).toHaveLength(1);
      expect(shown[0]).not.toContain('Posted again');
    } else {
      expect(leaderPosts.length).toBeLessThanOrEqual(2);
      expect(shown.at(-1)).toContain('Posted again');
      if (shown.length === 2) expect(shown[0]).not.toContain('Posted again');
    }
    expect(shown).toHaveLength(leaderPosts.length);
    expect(recorded).toEqual([{ ts: standIn.messagesIn(LEADERS).at(-1)?.ts }]);

    // The count: rewritten at most once per interval across the instances, and
    // the last one shows every answer stored.
    expect(countUpdates.length).toBeGreaterThanOrEqual(2);
    for (const gap of gaps)
      expect(gap).toBeGreaterThanOrEqual(COUNT_UPDATE_INTERVAL_MS - TOLERANCE_MS);
    expect(countUpdates.at(-1)?.shown).toBe(finalCount);
    expect(shownCount(burstMessage()?.blocks)).toBe(finalCount);
    expect(standIn.violations()).toEqual([]);
  }, 60_000);
});
