import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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
import { type Db, openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';
import { markClosed } from '../../src/storage/pulses.js';
import { pulseQuestions, syncCatalogue } from '../../src/storage/questions.js';
import { findOrCreateSurvey } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { ADMIN, Colleagues, TEAM } from '../support/colleagues.js';
import { type Person, seedPulse } from '../support/seed.js';
import type { OpenedView } from '../support/slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';

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
function history(ctx: AppContext, pulseId: number, surveyId: number): void {
  const statements = pulseQuestions(ctx.db, pulseId).map((q) => q.id);
  const people: Person[] = [...TEAM, ...Array.from({ length: 29 }, (_, i) => formerLeader(i))];
  const due = new Date(ctx.now().getTime() - 15 * WEEK);
  for (let week = 0; week < 15; week++) {
    seedPulse(ctx, {
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
  createAgreement(ctx.db, {
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
    const count = (sql: string, ...args: unknown[]) =>
      (
        db()
          .prepare(sql)
          .get(...args) as { n: number }
      ).n;
    const pulse = Number(await col.pulseNow());
    history(col.t.app.ctx, pulse, col.survey().id);
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
    db().prepare("UPDATE surveys SET pulse_cron = '0 9 1 1 *', digest_cron = '0 9 1 1 *'").run();
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
      count("SELECT count(*) AS n FROM answers WHERE pulse_id = ? AND user_id = 'U0X1'", other),
    ).toBeGreaterThan(0);
    // The closing pulse is closed: it takes no more answers.
    expect(
      count('SELECT count(*) AS n FROM pulses WHERE id = ? AND closed_at IS NOT NULL', pulse),
    ).toBe(1);
    expect(JSON.stringify(await col.submitHeld('U0P1', late, 1))).toContain('This pulse closed on');
    // Nothing of it is published yet, so no output shows it.
    expect(count('SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ?', pulse)).toBe(0);
    expect(await col.run('score', 'U0E1')).toBe(shownBefore);
    // The write lock is free: another process could write at once.
    const another = new Database(join(col.t.dir, 'pulse.db'));
    another.pragma('busy_timeout = 0');
    another.prepare('BEGIN IMMEDIATE').run();
    another.prepare('ROLLBACK').run();
    another.close();

    held.open();
    await closing;
    await col.t.app.idle();
    expect(count('SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ?', pulse)).toBe(1);
    expect(
      count('SELECT count(*) AS n FROM published_calls WHERE pulse_id = ?', pulse),
    ).toBeGreaterThan(0);
    expect(count('SELECT count(*) AS n FROM agreement_follow_ups WHERE pulse_id = ?', pulse)).toBe(
      1,
    );
    expect(
      count(
        "SELECT count(*) AS n FROM schedule_runs WHERE kind = 'close' AND status = 'done' AND survey_id = ?",
        col.survey().id,
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
    const file = join(dir, 'pulse.db');
    c = await Colleagues.start(undefined, { DATABASE_PATH: file });
    const pulse = Number(await c.pulseNow());
    for (const [id] of TEAM) await c.answer(id, String(pulse), 5);
    const shownBefore = await c.run('score', 'U0E1');
    // The process dies once the pulse is closed, before its publication is stored.
    c.t.app.ctx.workOutPublication = () => Promise.reject(new Error('the process died here'));
    await c.closePulse();
    const db = openDatabase(file);
    const count = (sql: string) => (db.prepare(sql).get(pulse) as { n: number }).n;
    cleanups.push(() => {
      db.close();
    });
    expect(count('SELECT count(*) AS n FROM pulses WHERE id = ? AND closed_at IS NOT NULL')).toBe(
      1,
    );
    expect(count('SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ?')).toBe(0);
    expect(await c.run('score', 'U0E1')).toBe(shownBefore);
    const { now } = c.clock;
    await c.stop();

    c = await Colleagues.start(now, { DATABASE_PATH: file });
    expect(count('SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ?')).toBe(1);
    const cells = count('SELECT count(*) AS n FROM published_cells WHERE pulse_id = ?');
    expect(cells).toBeGreaterThan(0);
    expect(await c.run('score', 'U0E1')).toContain('*Alignment index 100*');
    // The close's run, resumed, finds it published: nothing twice.
    expect(await closeAndPublish(c.t.app.ctx, pulse)).toBe(false);
    expect(count('SELECT count(*) AS n FROM published_pulses WHERE pulse_id = ?')).toBe(1);
    expect(count('SELECT count(*) AS n FROM published_cells WHERE pulse_id = ?')).toBe(cells);
  });
});

describe('two processes on one database', () => {
  /** A process of the app, as far as publishing goes: its own connection and worker. */
  function instance(
    file: string,
  ): AppContext & { workOutPublication: NonNullable<AppContext['workOutPublication']> } {
    const db = openDatabase(file);
    const logger = createLogger('error', () => {});
    const workers = new PublicationWorkers(file, logger, 1);
    cleanups.push(async () => {
      await workers.stop();
      db.close();
    });
    return {
      config: loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-closing',
        SLACK_SIGNING_SECRET: 'closing0signing0secret0abcdef12',
        DATABASE_PATH: file,
      }),
      db,
      logger,
      now: () => new Date('2026-11-30T12:00:00Z'),
      slackFor: () => Promise.reject(new Error('no Slack here')),
      reschedule: () => {},
      runOnce: (_key, work) => work(),
      workOutPublication: (request) => workers.workOut(request),
    };
  }

  /** A survey with two weekly pulses, answered and closed (not published), on a fresh file. */
  function twoWeeks(): { file: string; first: number; second: number } {
    const dir = mkdtempSync(join(tmpdir(), 'alignment-closing-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'pulse.db');
    const setup = instance(file);
    migrate(setup.db, migrationsDir);
    syncCatalogue(setup.db, CATALOGUE);
    setup.db.prepare('INSERT INTO workspaces (team_id) VALUES (?)').run(TEAM_ID);
    const survey = findOrCreateSurvey(setup.db, {
      teamId: TEAM_ID,
      channelId: 'C0LEADERS',
      timezone: 'Europe/Berlin',
      createdBy: ADMIN,
    });
    const statements = CATALOGUE.slice(0, 5).map((q) => q.id);
    const [first, second] = ['2026-11-16T08:00:00Z', '2026-11-23T08:00:00Z'].map((due) => {
      const id = seedPulse(setup, {
        teamId: TEAM_ID,
        surveyId: survey.id,
        due,
        invited: TEAM.map(([id]) => id),
        answers: TEAM.map((person, i) => ({
          person,
          values: Object.fromEntries(statements.map((s) => [s, 1 + (i % 5)])),
        })),
      });
      markClosed(setup.db, id, new Date(new Date(due).getTime() + 72 * HOUR));
      return id;
    });
    return { file, first: first as number, second: second as number };
  }

  const counts = (db: Db, pulseId: number) =>
    ['published_pulses', 'published_cells', 'published_calls'].map(
      (table) =>
        (
          db.prepare(`SELECT count(*) AS n FROM ${table} WHERE pulse_id = ?`).get(pulseId) as {
            n: number;
          }
        ).n,
    );

  it('publish a pulse once when both work it out and one stores it first', async () => {
    const { file, second } = twoWeeks();
    const a = instance(file);
    const b = instance(file);
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
    const afterA = counts(a.db, second);
    published.open();
    await byB;
    expect(afterA[0]).toBe(1);
    expect(counts(a.db, second)).toEqual(afterA);
  });

  it('work a week out again when another week of its survey was published meanwhile, so its calls read it', async () => {
    const { file, first, second } = twoWeeks();
    const a = instance(file);
    const b = instance(file);
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
    expect(counts(a.db, first)[0]).toBe(1);
    expect(counts(a.db, second)[0]).toBe(1);
  });
});
