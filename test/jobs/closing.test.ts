import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type RawBuilder, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import { PublicationWorkers } from '../../src/jobs/publication-workers.js';
import { closeAndPublish } from '../../src/jobs/publish-pulse.js';
import { createLogger } from '../../src/logger.js';
import { migrationsDir } from '../../src/paths.js';
import type { Publication, PublicationRequest } from '../../src/reports/publication.js';
import { createAgreement } from '../../src/storage/agreements.js';
import { migrate } from '../../src/storage/migrate.js';
import { markClosed } from '../../src/storage/pulses.js';
import { pulseQuestions, syncCatalogue } from '../../src/storage/questions.js';
import { openStore, type Store, type StoreLocation } from '../../src/storage/store.js';
import { findOrCreateSurvey } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { ADMIN, Colleagues, TEAM } from '../support/colleagues.js';
import { one, run } from '../support/db.js';
import { type Person, seedPulse } from '../support/seed.js';
import type { OpenedView } from '../support/slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { testDatabase } from '../support/test-app.js';

/**
 * Closing never stalls answering: a close marks the pulse closed in a tiny
 * transaction, works out what it publishes in a worker thread from one
 * consistent read, and stores it in one short transaction, once. How long an
 * answer waits meanwhile is measured in bench/closing.ts; these tests hold the
 * behaviour that makes it short.
 */

let c: Colleagues | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await c?.stop();
  c = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const OTHERS = 'C0OTHERS';
const OTHER_PEOPLE = ['U0X1', 'U0X2', 'U0X3'];

/** Someone who answered the 15 weeks before the team's pulse, besides the team. */
const formerLeader = (i: number): Person => [
  `U0H${String(i).padStart(2, '0')}`,
  i % 2 === 0 ? 'product' : 'engineering',
];

/**
 * 15 published weeks before the open pulse, of the team and 29 more leaders
 * answering its statements, and an agreement recorded five weeks ago: a close
 * with a history to read (16 weeks of calls, a follow-up).
 */
async function history(ctx: AppContext, pulseId: number, surveyId: number): Promise<void> {
  const statements = (await pulseQuestions(ctx.db, pulseId)).map((q) => q.id);
  const people: Person[] = [...TEAM, ...Array.from({ length: 29 }, (_, i) => formerLeader(i))];
  const due = new Date(ctx.now().getTime() - 15 * WEEK);
  for (let week = 0; week < 15; week++) {
    await seedPulse(ctx, {
      teamId: TEAM_ID,
      surveyId,
      due: new Date(due.getTime() + week * WEEK).toISOString(),
      invited: people.map(([id]) => id),
      answers: people.map((person, i) => ({
        person,
        values: Object.fromEntries(statements.map((s, j) => [s, 1 + ((i + j + week) % 5)])),
      })),
      closed: true,
    });
  }
  await createAgreement(ctx.db, {
    surveyId,
    dimension: 'okrs',
    body: 'One set of OKRs for product and engineering',
    productOwner: 'U0P1',
    engineeringOwner: 'U0E1',
    recordedBy: 'U0P1',
    recordedAt: new Date(ctx.now().getTime() - 5 * WEEK),
    reviewOn: '2027-01-04',
    reviewAt: new Date('2027-01-04T08:00:00Z'),
  });
}

/** The pulse posted last in a channel: the id its "Answer the pulse" button carries. */
function postedPulse(col: Colleagues, channel: string): string {
  const message = col.t.standIn.messagesIn(channel).at(-1);
  const button = (
    (message?.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]
  )
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === ANSWER_PULSE_ACTION);
  if (button?.value === undefined) throw new Error(`no pulse was posted in ${channel}`);
  return button.value;
}

/** A promise and what settles it, for holding work at a chosen point. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('an answer while pulses close', () => {
  it('is stored and thanked while a pulse with 16 weeks of history works out what it publishes, which holds no write lock, shows nowhere half done and publishes once', async () => {
    c = await Colleagues.start();
    const col = c;
    const db = () => col.t.app.ctx.db;
    const count = (query: RawBuilder<unknown>) => col.count(query);
    const pulse = Number(await col.pulseNow());
    await history(col.t.app.ctx, pulse, (await col.survey()).id);
    for (const [id] of TEAM) await col.answer(id, String(pulse), 4);

    // Another survey, of other people, whose pulse opens a day later and stays open.
    for (const id of OTHER_PEOPLE) col.t.standIn.addUser({ id, name: id.toLowerCase() });
    col.t.standIn.addChannel({
      id: OTHERS,
      name: 'other-leads',
      members: [ADMIN, ...OTHER_PEOPLE, BOT_USER_ID],
    });
    await col.advance(24);
    expect(await col.run('pulse now', ADMIN, OTHERS)).toContain('Pulse posted in <#C0OTHERS>');
    await run(db(), sql`UPDATE surveys SET pulse_cron = '0 9 1 1 *', digest_cron = '0 9 1 1 *'`);
    const other = postedPulse(col, OTHERS);
    await col.t.slack.interaction(
      col.t.slack.buttonClick({
        user: 'U0X1',
        channel: OTHERS,
        actionId: ANSWER_PULSE_ACTION,
        value: other,
      }),
    );
    await col.t.app.idle();
    const opened = col.t.standIn.openedViews.at(-1);
    if (opened === undefined) throw new Error('the form did not open');
    const form = { id: opened.id, ...opened.view } as OpenedView;
    const late = await col.openForm('U0P1', String(pulse));

    // The team's pulse closes; its publication is worked out in a worker
    // thread and held there until the checks below are done.
    const ctx = col.t.app.ctx;
    const inWorker = ctx.workOutPublication;
    if (inWorker === undefined)
      throw new Error('the app works out publications on its main thread');
    const working = gate();
    const held = gate();
    ctx.workOutPublication = async (request: PublicationRequest) => {
      const publication = inWorker(request);
      working.open();
      await held.opened;
      return publication;
    };
    col.clock.now = new Date(col.clock.now.getTime() + 48 * HOUR + 60_000);
    const shownBefore = await col.run('score', 'U0E1');
    const closing = col.t.app.scheduler.tick(col.clock.now);
    await working.opened;

    // An answer to the other survey is stored and thanked meanwhile.
    const reply = await col.t.slack.interaction(
      col.t.slack.viewSubmission({
        user: 'U0X1',
        view: form,
        values: Object.fromEntries([
          ...(form.blocks as { block_id?: string }[])
            .filter((b) => b.block_id?.startsWith('q:'))
            .map((b) => [b.block_id as string, '5']),
          ['discipline', 'product'],
        ]),
      }),
    );
    expect(reply.json).toMatchObject({ response_action: 'update' });
    expect(
      await count(
        sql`SELECT count(*) AS n FROM answers WHERE pulse_id = ${Number(other)} AND user_id = 'U0X1'`,
      ),
    ).toBeGreaterThan(0);
    // The closing pulse is closed: it takes no more answers.
    expect(
      await count(
        sql`SELECT count(*) AS n FROM pulses WHERE id = ${pulse} AND closed_at IS NOT NULL`,
      ),
    ).toBe(1);
    expect(JSON.stringify(await col.submitHeld('U0P1', late, 1))).toContain('This pulse closed on');
    // Nothing of it is published yet, so no output shows it.
    expect(
      await count(sql`SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ${pulse}`),
    ).toBe(0);
    expect(await col.run('score', 'U0E1')).toBe(shownBefore);
    // The write lock is free: another process could write at once. (SQLite's
    // one lock on the file; Postgres has no lock of the whole database to hold.)
    const { database } = col.t;
    if (database.engine === 'sqlite') {
      const another = new Database(database.path);
      another.pragma('busy_timeout = 0');
      another.prepare('BEGIN IMMEDIATE').run();
      another.prepare('ROLLBACK').run();
      another.close();
    }

    held.open();
    await closing;
    await col.t.app.idle();
    expect(
      await count(sql`SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ${pulse}`),
    ).toBe(1);
    expect(
      await count(sql`SELECT count(*) AS n FROM published_calls WHERE pulse_id = ${pulse}`),
    ).toBeGreaterThan(0);
    expect(
      await count(sql`SELECT count(*) AS n FROM agreement_follow_ups WHERE pulse_id = ${pulse}`),
    ).toBe(1);
    const surveyId = (await col.survey()).id;
    expect(
      await count(
        sql`SELECT count(*) AS n FROM schedule_runs WHERE kind = 'close' AND status = 'done' AND survey_id = ${surveyId}`,
      ),
    ).toBe(1);
    expect(col.t.standIn.messagesIn('C0LEADERS').at(-1)?.text).toMatch(
      /^Closed — 11 leaders answered/,
    );
    expect(await col.run('score', 'U0E1')).not.toBe(shownBefore);
  });
});

describe('a crash between closing and publishing', () => {
  it('leaves the pulse closed and shown nowhere, and the next start publishes it, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alignment-closing-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // A database both starts of the app use.
    const database = await testDatabase(dir);
    cleanups.push(database.drop);
    c = await Colleagues.start(undefined, database.env);
    const pulse = Number(await c.pulseNow());
    for (const [id] of TEAM) await c.answer(id, String(pulse), 5);
    const shownBefore = await c.run('score', 'U0E1');
    // The process dies once the pulse is closed, before its publication is stored.
    c.t.app.ctx.workOutPublication = () => Promise.reject(new Error('the process died here'));
    await c.closePulse();
    const connection = await openStore(database.location);
    cleanups.push(() => connection.close());
    const count = async (query: RawBuilder<{ n: number }>) => (await one(connection.db, query))?.n;
    expect(
      await count(
        sql`SELECT count(*) AS n FROM pulses WHERE id = ${pulse} AND closed_at IS NOT NULL`,
      ),
    ).toBe(1);
    expect(
      await count(sql`SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ${pulse}`),
    ).toBe(0);
    expect(await c.run('score', 'U0E1')).toBe(shownBefore);
    const { now } = c.clock;
    await c.stop();

    c = await Colleagues.start(now, database.env);
    expect(
      await count(sql`SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ${pulse}`),
    ).toBe(1);
    const cells = await count(
      sql`SELECT count(*) AS n FROM published_cells WHERE pulse_id = ${pulse}`,
    );
    expect(cells).toBeGreaterThan(0);
    expect(await c.run('score', 'U0E1')).toContain('*Alignment index 100*');
    // The close's run, resumed, finds it published: nothing twice.
    expect(await closeAndPublish(c.t.app.ctx, pulse)).toBe(false);
    expect(
      await count(sql`SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ${pulse}`),
    ).toBe(1);
    expect(
      await count(sql`SELECT count(*) AS n FROM published_cells WHERE pulse_id = ${pulse}`),
    ).toBe(cells);
  });
});

describe('two processes on one database', () => {
  /** A process of the app, as far as publishing goes: its own connection and worker. */
  async function instance(database: {
    env: Record<string, string>;
    location: StoreLocation;
  }): Promise<AppContext & { workOutPublication: NonNullable<AppContext['workOutPublication']> }> {
    const { db, close } = await openStore(database.location);
    const logger = createLogger('error', () => {});
    const workers = new PublicationWorkers(database.location, logger, 1);
    cleanups.push(async () => {
      await workers.stop();
      await close();
    });
    return {
      config: loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-closing',
        SLACK_SIGNING_SECRET: 'closing0signing0secret0abcdef12',
        ...database.env,
      }),
      db,
      logger,
      now: () => new Date('2026-11-30T12:00:00Z'),
      slackFor: () => Promise.reject(new Error('no Slack here')),
      reschedule: async () => {},
      runOnce: (_key, work) => work(),
      workOutPublication: (request) => workers.workOut(request),
    };
  }

  /** A survey with two weekly pulses, answered and closed (not published), on a fresh database. */
  async function twoWeeks(): Promise<{
    database: { env: Record<string, string>; location: StoreLocation };
    first: number;
    second: number;
  }> {
    const dir = mkdtempSync(join(tmpdir(), 'alignment-closing-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = await testDatabase(dir);
    cleanups.push(database.drop);
    const migrating = await openStore(database.location);
    await migrate(migrating, migrationsDir);
    await migrating.close();
    const setup = await instance(database);
    await syncCatalogue(setup.db, CATALOGUE);
    await run(setup.db, sql`INSERT INTO workspaces (team_id) VALUES (${TEAM_ID})`);
    const survey = await findOrCreateSurvey(setup.db, {
      teamId: TEAM_ID,
      channelId: 'C0LEADERS',
      timezone: 'Europe/Berlin',
      createdBy: ADMIN,
    });
    const statements = CATALOGUE.slice(0, 5).map((q) => q.id);
    const ids: number[] = [];
    for (const due of ['2026-11-16T08:00:00Z', '2026-11-23T08:00:00Z']) {
      const id = await seedPulse(setup, {
        teamId: TEAM_ID,
        surveyId: survey.id,
        due,
        invited: TEAM.map(([id]) => id),
        answers: TEAM.map((person, i) => ({
          person,
          values: Object.fromEntries(statements.map((s) => [s, 1 + (i % 5)])),
        })),
      });
      await markClosed(setup.db, id, new Date(new Date(due).getTime() + 72 * HOUR));
      ids.push(id);
    }
    const [first, second] = ids;
    return { database, first: first as number, second: second as number };
  }

  const counts = async (db: Store, pulseId: number) => {
    const found: number[] = [];
    for (const table of ['published_pulses', 'published_cells', 'published_calls']) {
      const row = await one(
        db,
        sql<{
          n: number;
        }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE pulse_id = ${pulseId}`,
      );
      found.push(row?.n as number);
    }
    return found;
  };

  it('publish a pulse once when both work it out and one stores it first', async () => {
    const { database, second } = await twoWeeks();
    const a = await instance(database);
    const b = await instance(database);
    // B works out the week, but stores it only after A has published it.
    const working = gate();
    const published = gate();
    const inWorker = b.workOutPublication;
    b.workOutPublication = async (request) => {
      const publication = await inWorker(request);
      working.open();
      await published.opened;
      return publication;
    };
    const byB = closeAndPublish(b, second);
    await working.opened;
    await closeAndPublish(a, second);
    const afterA = await counts(a.db, second);
    published.open();
    await byB;
    expect(afterA[0]).toBe(1);
    expect(await counts(a.db, second)).toEqual(afterA);
  });

  it('work a week out again when another week of its survey was published meanwhile, so its calls read it', async () => {
    const { database, first, second } = await twoWeeks();
    const a = await instance(database);
    const b = await instance(database);
    const worked: Publication[] = [];
    const working = gate();
    const published = gate();
    const inWorker = b.workOutPublication;
    b.workOutPublication = async (request) => {
      const publication = await inWorker(request);
      if (publication !== undefined) worked.push(publication);
      working.open();
      await published.opened;
      return publication;
    };
    // B works out the second week while the first is unpublished; A publishes the first.
    const byB = closeAndPublish(b, second);
    await working.opened;
    await closeAndPublish(a, first);
    published.open();
    await byB;
    expect(worked.map((p) => p.pulseId)).toEqual([second, second]);
    expect(worked[0]?.basis).not.toBe(worked[1]?.basis);
    expect((await counts(a.db, first))[0]).toBe(1);
    expect((await counts(a.db, second))[0]).toBe(1);
  });
});
