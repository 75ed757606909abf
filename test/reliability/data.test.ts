import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type RawBuilder, sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { projectRoot } from '../../src/paths.js';
import { closedWeeks } from '../../src/reports/published.js';
import { saveSubmission } from '../../src/storage/answers.js';
import { runsOf } from '../../src/storage/runs.js';
import { findOrCreateSurvey, type Survey } from '../../src/storage/surveys.js';
import { clockEnv } from '../support/app-process.js';
import { all, one } from '../support/db.js';
import { type Person, seedPulse } from '../support/seed.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CHANNEL = 'C0LEADERS';
const people: Person[] = [
  ['U0P1', 'product'],
  ['U0P2', 'product'],
  ['U0P3', 'product'],
  ['U0E1', 'engineering'],
  ['U0E2', 'engineering'],
  ['U0E3', 'engineering'],
];

const clock = { now: new Date('2026-11-22T12:00:00Z') };
let t: TestApp;
let survey: Survey;

beforeEach(async () => {
  clock.now = new Date('2026-11-22T12:00:00Z');
  t = await startTestApp({ now: () => clock.now, schedule: false });
  t.standIn.addChannel({
    id: CHANNEL,
    name: 'leadership',
    members: [...people.map(([id]) => id), BOT_USER_ID],
  });
  survey = await findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: CHANNEL,
    timezone: 'Europe/Berlin',
    createdBy: 'U0ADMIN',
  });
});
afterEach(async () => {
  await t.stop();
});

const count = async (query: RawBuilder<unknown>) =>
  ((await one(t.app.ctx.db, query)) as { n: number }).n;

function seedWeek(due: string, value: number, comment?: string): Promise<number> {
  return seedPulse(t.app.ctx, {
    teamId: TEAM_ID,
    surveyId: survey.id,
    due,
    invited: people.map(([id]) => id),
    closed: true,
    answers: people.map((person, i) => ({
      person,
      values: { 'okrs.same_direction': value, 'tech_debt.real_capacity': 1 + (i % 5) },
      ...(comment === undefined || i > 0 ? {} : { comment }),
    })),
  });
}

describe('retention', () => {
  it('deletes, once a day, the answers and comments of pulses older than 24 months; no published number changes', async () => {
    const old = await seedWeek('2024-09-02T07:00:00Z', 2, 'An old comment');
    const kept = await seedWeek('2024-12-02T07:00:00Z', 4, 'A kept comment');
    const recent = [
      await seedWeek('2026-11-02T07:00:00Z', 3),
      await seedWeek('2026-11-09T07:00:00Z', 4),
      await seedWeek('2026-11-16T07:00:00Z', 5),
    ];
    const keptRows = () =>
      all(
        t.app.ctx.db,
        sql`SELECT * FROM answers WHERE pulse_id IN (${sql.join([kept, ...recent])}) ORDER BY 1, 2, 3`,
      );
    const published = () =>
      all(t.app.ctx.db, sql`SELECT * FROM published_cells ORDER BY pulse_id, question_id, grp`);
    const before = {
      rows: await keptRows(),
      scores: await closedWeeks(t.app.ctx, survey, 12, clock.now),
      published: await published(),
    };

    const scheduler = new Scheduler(t.app.ctx, {
      graceMs: 12 * 3_600_000,
      leaseMs: 15 * 60_000,
      jobs: {},
    });
    clock.now = new Date('2026-11-23T02:59:00Z');
    await scheduler.tick(clock.now); // before 03:00 UTC: not yet
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE pulse_id = ${old}`)).toBe(12);
    clock.now = new Date('2026-11-23T03:00:30Z');
    await scheduler.tick(clock.now);
    await scheduler.tick(new Date('2026-11-23T09:00:00Z'));
    await scheduler.stop();

    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE pulse_id = ${old}`)).toBe(0);
    expect(
      await count(sql`SELECT count(*) AS n FROM pulse_recipients WHERE pulse_id = ${old}`),
    ).toBe(0);
    // What was published of the old week stays, as published.
    expect(await published()).toEqual(before.published);
    expect(
      await count(sql`SELECT count(*) AS n FROM published_cells WHERE pulse_id = ${old}`),
    ).toBeGreaterThan(0);
    expect(await count(sql`SELECT count(*) AS n FROM comments WHERE body = 'An old comment'`)).toBe(
      0,
    );
    expect(await count(sql`SELECT count(*) AS n FROM comments WHERE body = 'A kept comment'`)).toBe(
      1,
    );
    expect(await keptRows()).toEqual(before.rows);
    expect(await closedWeeks(t.app.ctx, survey, 12, new Date('2026-11-22T12:00:00Z'))).toEqual(
      before.scores,
    );
    expect(await runsOf(t.app.ctx.db, 0, 'retention')).toMatchObject([
      { status: 'done', scheduledFor: '2026-11-23T03:00:00.000Z' },
    ]);
  });

  it('follows RETENTION_MONTHS', async () => {
    await t.stop();
    t = await startTestApp({
      now: () => clock.now,
      schedule: false,
      env: { RETENTION_MONTHS: '1' },
    });
    survey = await findOrCreateSurvey(t.app.ctx.db, {
      teamId: TEAM_ID,
      channelId: CHANNEL,
      timezone: 'Europe/Berlin',
      createdBy: 'U0ADMIN',
    });
    const older = await seedWeek('2026-10-05T07:00:00Z', 3);
    const newer = await seedWeek('2026-11-09T07:00:00Z', 3);
    const scheduler = new Scheduler(t.app.ctx, { graceMs: 0, leaseMs: 60_000, jobs: {} });
    await scheduler.tick(new Date('2026-11-23T03:00:30Z'));
    await scheduler.stop();
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE pulse_id = ${older}`)).toBe(0);
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE pulse_id = ${newer}`)).toBe(12);
  });
});

/** Runs `npm run backup`'s program (built in dist/) with the given database and arguments. */
function backup(
  databasePath: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'dist', 'backup.js'), ...args], {
      cwd: t.dir,
      env: { PATH: process.env.PATH ?? '', ...clockEnv(), DATABASE_PATH: databasePath },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run backup', () => {
  // It copies the embedded SQLite file (pg_dump backs up Postgres): when the
  // suite runs on Postgres, the app here runs on a SQLite file all the same.
  let files: string | undefined;
  let started = 0;
  beforeEach(async () => {
    if (t.database.engine === 'sqlite') return;
    await t.stop();
    files ??= mkdtempSync(join(tmpdir(), 'alignment-pulse-backup-'));
    t = await startTestApp({
      now: () => clock.now,
      schedule: false,
      env: { DATABASE_PATH: join(files, `pulse-${++started}.db`) },
    });
    survey = await findOrCreateSurvey(t.app.ctx.db, {
      teamId: TEAM_ID,
      channelId: CHANNEL,
      timezone: 'Europe/Berlin',
      createdBy: 'U0ADMIN',
    });
  });
  afterAll(() => {
    if (files !== undefined) rmSync(files, { recursive: true, force: true });
  });
  /** The app's database file. */
  const liveFile = () => {
    if (t.database.engine !== 'sqlite') throw new Error('the app is not on a SQLite file');
    return t.database.path;
  };

  it('copies the live database while answers keep arriving, and the copy restores', async () => {
    const pulseId = await seedWeek('2026-11-16T07:00:00Z', 4);
    const live = liveFile();
    const target = join(t.dir, 'backups', 'backup.db'); // the folder is made
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        for (let i = 0; i < 50; i++) {
          await saveSubmission(t.app.ctx.db, {
            teamId: TEAM_ID,
            pulseId,
            userId: `U0LOAD${written}`,
            chosenDiscipline: 'design',
            values: new Map([['okrs.same_direction', 3]]),
            comment: undefined,
            at: clock.now,
          });
          written++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const before = await count(sql`SELECT count(*) AS n FROM answers`);
    const result = await backup(live, [target]);
    writing = false;
    await writer;

    expect(result.output).toMatch(
      /^Backed up .* \(\d+\.\d MB, \d+ answers\); integrity check ok\.\nIt holds 1 workspace's surveys, individual answers and comments with who gave them: keep it as private as the database\.\n$/,
    );
    expect(result.code).toBe(0);
    expect(written).toBeGreaterThan(0);
    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const copied = (copy.prepare('SELECT count(*) AS n FROM answers').get() as { n: number }).n;
    copy.close();
    expect(copied).toBeGreaterThanOrEqual(before);
    expect(copied).toBeLessThanOrEqual(await count(sql`SELECT count(*) AS n FROM answers`));

    // Restoring is starting the app on the copy (README, "Restore").
    const restored = await startTestApp({
      now: () => clock.now,
      env: { DATABASE_PATH: target },
      schedule: false,
    });
    const answers = (
      (await one(restored.app.ctx.db, sql`SELECT count(*) AS n FROM answers`)) as { n: number }
    ).n;
    await restored.stop();
    expect(answers).toBe(copied);
  });

  it('says how to call it, and never overwrites a file', async () => {
    const live = liveFile();
    const missing = await backup(live, []);
    expect(missing.code).toBe(2);
    expect(missing.output).toBe(
      'Say where to write the backup: npm run backup -- backups/alignment-pulse-2026-11-22.db\n',
    );
    const taken = await backup(live, [live]);
    expect(taken.code).toBe(1);
    expect(taken.output).toContain('already exists; backups are never overwritten');
    const nothing = await backup(join(t.dir, 'nope.db'), [join(t.dir, 'b.db')]);
    expect(nothing.code).toBe(1);
    expect(nothing.output).toContain('There is no database at');
    expect(existsSync(join(t.dir, 'b.db'))).toBe(false);
  });
});
