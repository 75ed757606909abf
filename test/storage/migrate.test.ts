import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { DatabaseError } from '../../src/errors.js';
import { migrationsDir } from '../../src/paths.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrate, migrationsFor, readMigrations } from '../../src/storage/migrate.js';
import { pulseQuestions } from '../../src/storage/questions.js';
import { runsOf } from '../../src/storage/runs.js';
import { engineOf, type OpenStore, openStore, type Store } from '../../src/storage/store.js';
import { getSurvey } from '../../src/storage/surveys.js';
import { all, one, run } from '../support/db.js';
import { testDatabase, testEngine } from '../support/test-app.js';

async function errorOf(running: Promise<unknown>): Promise<DatabaseError> {
  try {
    await running;
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  }
  throw new Error('expected a DatabaseError');
}

/** An empty database of its own on this run's engine, and what removes it. */
async function emptyDatabase(): Promise<{ store: OpenStore; remove: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  const database = await testDatabase(dir);
  const store = await openStore(database.location);
  return {
    store,
    remove: async () => {
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An empty database on this run's engine for the test, removed when it ends. */
async function emptyForTest(): Promise<OpenStore> {
  const { store, remove } = await emptyDatabase();
  onTestFinished(remove);
  return store;
}

/** An empty SQLite database in memory for the test, closed when it ends. */
async function emptySqlite(): Promise<OpenStore> {
  const store = await openStore({ engine: 'sqlite', path: ':memory:' });
  onTestFinished(() => store.close());
  return store;
}

const tables = async (db: Store) =>
  (
    await all(
      db,
      engineOf(db) === 'sqlite'
        ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
        : sql<{
            name: string;
          }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    )
  ).map((row) => row.name);

/** What each engine says when a statement breaks one of the schema's rules. */
const violates = {
  unique: /UNIQUE constraint failed|violates unique constraint/,
  check: /CHECK constraint failed|violates check constraint/,
  foreignKey: /FOREIGN KEY constraint failed|violates foreign key constraint/,
  notNull: /NOT NULL constraint failed|violates not-null constraint/,
};

/** The migrations of the real folder for this run's engine, in order. */
const REAL_MIGRATIONS =
  testEngine() === 'sqlite'
    ? [
        '001_initial.sql',
        '002_published_scores.sql',
        '003_published_calls.sql',
        '004_schedule_start.sql',
        '005_agreements.sql',
        '006_sides.sql',
        '007_installations.sql',
        '008_count_shown.sql',
      ]
    : ['001_schema.sql', '002_count_shown.sql'];

describe('migrate with the real migrations', () => {
  it('creates the whole domain on a fresh database, then applies nothing on a second start', async () => {
    const store = await emptyForTest();
    const { db } = store;
    expect(await migrate(store, migrationsDir)).toEqual(REAL_MIGRATIONS);
    expect(await tables(db)).toEqual(
      expect.arrayContaining([
        'agreements',
        'agreement_messages',
        'agreement_follow_ups',
        'discipline_changes',
        'published_calls',
        'published_cells',
        'published_comments',
        'published_pulses',
        'answers',
        'comments',
        'delivery_failures',
        'digests',
        'pulse_messages',
        'pulse_questions',
        'pulse_recipients',
        'pulses',
        'questions',
        'schedule_runs',
        'schema_migrations',
        'survey_channels',
        'surveys',
        'workspaces',
      ]),
    );
    expect(await migrate(store, migrationsDir)).toEqual([]);
    const recorded = await all(db, sql`SELECT name, checksum FROM schema_migrations ORDER BY name`);
    expect(recorded).toEqual(
      REAL_MIGRATIONS.map((name) => ({
        name,
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      })),
    );
  });

  it('enforces the rules the schema promises', async () => {
    const store = await emptyForTest();
    const { db } = store;
    await migrate(store, migrationsDir);
    const newSurvey = async (team: string) =>
      (
        await one(
          db,
          sql<{ id: number }>`INSERT INTO surveys (team_id) VALUES (${team}) RETURNING id`,
        )
      )?.id;
    await run(db, sql`INSERT INTO workspaces (team_id) VALUES ('T1')`);
    const survey = await newSurvey('T1');
    await run(
      db,
      sql`INSERT INTO questions (id, dimension, text) VALUES ('q1', 'okrs', 'Our goals point the same way.')`,
    );
    const pulse = (
      await one(
        db,
        sql<{
          id: number;
        }>`INSERT INTO pulses (survey_id, due_at, opened_at, closes_at) VALUES (${survey}, 'd', 'o', 'c') RETURNING id`,
      )
    )?.id;
    const answer = (user: string, value: number) =>
      run(
        db,
        sql`INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (${pulse}, 'q1', ${user}, 'product', ${value}, 'a', 'a')`,
      );
    await answer('U1', 4);
    // One answer per pulse, question and person; values 1-5; a known question.
    await expect(answer('U1', 3)).rejects.toThrow(violates.unique);
    await expect(answer('U2', 6)).rejects.toThrow(violates.check);
    await expect(
      run(
        db,
        sql`INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (${pulse}, 'nope', 'U3', 'product', 3, 'a', 'a')`,
      ),
    ).rejects.toThrow(violates.foreignKey);
    // A survey's anonymity threshold is never below 3; a pulse asks 1-10 questions.
    await expect(run(db, sql`UPDATE surveys SET anonymity_threshold = 2`)).rejects.toThrow(
      violates.check,
    );
    await expect(run(db, sql`UPDATE surveys SET questions_per_pulse = 11`)).rejects.toThrow(
      violates.check,
    );
    // A channel leads one survey of a tenant at most; another tenant sharing it may have its own.
    const survey2 = await newSurvey('T1');
    const lead = (surveyId: number | undefined, team: string) =>
      run(
        db,
        sql`INSERT INTO survey_channels (survey_id, team_id, role, channel_id) VALUES (${surveyId}, ${team}, 'leadership', 'C1')`,
      );
    await lead(survey, 'T1');
    await expect(lead(survey2, 'T1')).rejects.toThrow(violates.unique);
    await run(db, sql`INSERT INTO workspaces (team_id) VALUES ('T2')`);
    const other = await newSurvey('T2');
    await expect(lead(other, 'T2')).resolves.toBe(1);
    await expect(
      run(
        db,
        sql`INSERT INTO survey_channels (survey_id, role, channel_id) VALUES (${survey}, 'digest', 'C9')`,
      ),
    ).rejects.toThrow(violates.notNull);
    // A run is claimed once per kind, survey and time.
    const claim = () =>
      run(
        db,
        sql`INSERT INTO schedule_runs (kind, survey_id, scheduled_for) VALUES ('pulse', ${survey}, 't')`,
      );
    await claim();
    await expect(claim()).rejects.toThrow(violates.unique);
    // Deleting a survey takes its pulses and answers with it.
    await run(db, sql`DELETE FROM surveys WHERE id = ${survey}`);
    expect(await one(db, sql`SELECT count(*) AS n FROM answers`)).toEqual({ n: 0 });
  });
});

/**
 * The previous version's migrate, as it left a SQLite file: each migration of
 * `dir` run by better-sqlite3 and recorded with its checksum, one IMMEDIATE
 * transaction each.
 */
function migrateAsBefore(path: string, dir: string): void {
  const db = openDatabase(path);
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name TEXT PRIMARY KEY,
      checksum TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT`);
    const record = db.prepare('INSERT INTO schema_migrations (name, checksum) VALUES (?, ?)');
    for (const migration of readMigrations(dir))
      db.transaction(() => {
        db.exec(migration.sql);
        record.run(migration.name, migration.checksum);
      }).immediate();
  } finally {
    db.close();
  }
}

/** A folder with the real SQLite migrations numbered below `below`. */
function migrationsBefore(below: string): string {
  const older = mkdtempSync(join(tmpdir(), 'alignment-migrations-'));
  onTestFinished(() => rmSync(older, { recursive: true, force: true }));
  for (const name of readdirSync(migrationsDir).filter(
    (n) => /^\d{3}_.*\.sql$/.test(n) && n < below,
  ))
    copyFileSync(join(migrationsDir, name), join(older, name));
  return older;
}

/**
 * Every table of a SQLite database with every row, in a fixed order, each
 * row's columns limited to `columns[table]` when given (a later migration may
 * add columns; it must not lose what was there).
 */
async function everything(
  db: Store,
  columns: Record<string, string[]> = {},
): Promise<{ columns: Record<string, string[]>; rows: Record<string, unknown[]> }> {
  const names = await tables(db);
  const allColumns: Record<string, string[]> = {};
  const rows: Record<string, unknown[]> = {};
  for (const table of names) {
    const own =
      columns[table] ??
      (
        await all(
          db,
          sql<{ name: string }>`SELECT name FROM pragma_table_info(${table}) ORDER BY cid`,
        )
      ).map((c) => c.name);
    allColumns[table] = own;
    const list = sql.join(own.map((c) => sql.ref(c)));
    rows[table] = await all(db, sql`SELECT ${list} FROM ${sql.table(table)} ORDER BY ${list}`);
  }
  return { columns: allColumns, rows };
}

// About SQLite files made by earlier versions: on SQLite in both runs of the suite.
describe('upgrading a SQLite database in place', () => {
  it('keeps every run of a database from before agreements, and claims agreement runs once each', async () => {
    const store = await emptySqlite();
    const { db } = store;
    // The database as the previous version left it: migrations 001 to 004 only.
    await migrate(store, migrationsBefore('005'));
    await run(db, sql`INSERT INTO workspaces (team_id) VALUES ('T1')`);
    await run(db, sql`INSERT INTO surveys (id, team_id, timezone) VALUES (1, 'T1', 'UTC')`);
    await run(
      db,
      sql`INSERT INTO schedule_runs (kind, survey_id, scheduled_for, status) VALUES ('pulse', 1, '2026-11-23T08:00:00.000Z', 'done')`,
    );
    expect(await migrate(store, migrationsDir)).toEqual([
      '005_agreements.sql',
      '006_sides.sql',
      '007_installations.sql',
      '008_count_shown.sql',
    ]);
    expect(
      await all(db, sql`SELECT kind, survey_id, subject_id, status FROM schedule_runs`),
    ).toEqual([{ kind: 'pulse', survey_id: 1, subject_id: 0, status: 'done' }]);
    const claim = (subject: number) =>
      run(
        db,
        sql`INSERT INTO schedule_runs (kind, survey_id, subject_id, scheduled_for) VALUES ('review', 1, ${subject}, '2026-12-01T08:00:00.000Z') ON CONFLICT DO NOTHING`,
      );
    // Two agreements reviewed at the same moment are two runs; the same one twice is one.
    expect([await claim(1), await claim(2), await claim(1)]).toEqual([1, 1, 0]);
  });

  it('upgrades a database the previous version made with migrations 001-007, with data in every table, losing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alignment-upgrade-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // The file as the previous version left it, with a little of everything in it.
    const made = join(dir, 'made.db');
    migrateAsBefore(made, migrationsBefore('008'));
    const before = openDatabase(made);
    before.exec(`
      INSERT INTO workspaces (team_id, name, bot_user_id, installed_at, enterprise_id, installed_by)
        VALUES ('T1', 'Acme', 'U0BOT', '2026-01-05T09:00:00.000Z', NULL, 'U0ADMIN'),
               ('T2', 'Ünïcode & Co', 'U0BOT2', '2026-02-01T09:00:00.000Z', 'E1', 'U0OTHER');
      INSERT INTO surveys (id, team_id, timezone, pulse_cron, digest_cron, anonymity_threshold,
          paused_until, created_by, pulse_schedule_from, design_side, program_side, other_side)
        VALUES (1, 'T1', 'Europe/Berlin', '0 9 * * 1', '0 16 * * 5', 4, NULL, 'U0ADMIN',
                '2026-01-05T09:00:00.000Z', 'engineering', 'product', 'engineering'),
               (2, 'T2', 'America/New_York', '30 14 * * 3', '0 16 * * 5', NULL,
                '2099-01-01T00:00:00.000Z', 'U0OTHER', NULL, 'product', 'engineering', 'product');
      INSERT INTO survey_channels (survey_id, team_id, role, channel_id)
        VALUES (1, 'T1', 'leadership', 'C0LEADERS'), (1, 'T1', 'digest', 'C0EXECS'),
               (2, 'T2', 'leadership', 'C0LEADERS');
      INSERT INTO questions (id, dimension, text, reversed, survey_id, created_by, retired_at)
        VALUES ('okrs.same_direction', 'okrs', 'Our goals point the same way.', 0, NULL, NULL, NULL),
               ('tech_debt.next_quarter', 'tech_debt', 'Tech debt is pushed to next quarter.', 1,
                NULL, NULL, NULL),
               ('custom.1', 'roadmap', 'We review the roadmap together — monthly.', 0, 1, 'U0ADMIN',
                NULL),
               ('retired.1', 'ownership', 'An old question.', 0, NULL, NULL,
                '2026-03-01T00:00:00.000Z');
      INSERT INTO pulses (id, survey_id, due_at, opened_at, closes_at, reminded_at, closed_at,
          design_side, program_side, other_side)
        VALUES (1, 1, '2026-11-09T08:00:00.000Z', '2026-11-09T08:00:00.000Z',
                '2026-11-12T08:00:00.000Z', '2026-11-11T08:00:00.000Z',
                '2026-11-12T08:00:00.000Z', 'engineering', 'product', 'engineering'),
               (2, 1, '2026-11-16T08:00:00.000Z', '2026-11-16T08:00:00.000Z',
                '2026-11-19T08:00:00.000Z', NULL, NULL, 'engineering', 'product', 'engineering');
      INSERT INTO pulse_questions (pulse_id, position, question_id)
        VALUES (1, 0, 'okrs.same_direction'), (1, 1, 'tech_debt.next_quarter'),
               (2, 0, 'custom.1'), (2, 1, 'okrs.same_direction');
      INSERT INTO pulse_recipients (pulse_id, user_id)
        VALUES (1, 'U0P1'), (1, 'U0E1'), (1, 'U0D1'), (2, 'U0P1'), (2, 'U0E1');
      INSERT INTO pulse_messages (pulse_id, channel_id, kind, user_id, ts, posted_at)
        VALUES (1, 'C0LEADERS', 'channel', NULL, '1762675200.000100', '2026-11-09T08:00:01.000Z'),
               (1, 'D0P1', 'reminder', 'U0P1', '1762848000.000200', '2026-11-11T08:00:01.000Z');
      INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at)
        VALUES (1, 'okrs.same_direction', 'U0P1', 'product', 4, '2026-11-09T09:00:00.000Z',
                '2026-11-09T09:00:00.000Z'),
               (1, 'tech_debt.next_quarter', 'U0P1', 'product', 2, '2026-11-09T09:00:00.000Z',
                '2026-11-09T09:30:00.000Z'),
               (1, 'okrs.same_direction', 'U0E1', 'engineering', 2, '2026-11-09T10:00:00.000Z',
                '2026-11-09T10:00:00.000Z'),
               (1, 'okrs.same_direction', 'U0D1', 'design', 5, '2026-11-09T11:00:00.000Z',
                '2026-11-09T11:00:00.000Z'),
               (2, 'custom.1', 'U0P1', 'product', 3, '2026-11-16T09:00:00.000Z',
                '2026-11-16T09:00:00.000Z');
      INSERT INTO comments (pulse_id, user_id, body, created_at, updated_at)
        VALUES (1, 'U0E1', 'Two roadmaps again — "one plan" is a wish.', '2026-11-09T10:00:00.000Z',
                '2026-11-09T10:05:00.000Z');
      INSERT INTO discipline_changes (team_id, user_id, discipline, applies_from, changed_by, changed_at)
        VALUES ('T1', 'U0P1', 'product', '', NULL, '2026-01-05T09:00:00.000Z'),
               ('T1', 'U0E1', 'engineering', '', NULL, '2026-01-05T09:00:00.000Z'),
               ('T1', 'U0D1', 'design', '2026-11-01T00:00:00.000Z', 'U0ADMIN',
                '2026-10-30T12:00:00.000Z');
      INSERT INTO published_pulses (pulse_id, survey_id, period, week_start, threshold, respondents,
          invited, published_at, unit, comments_frozen)
        VALUES (1, 1, '2026-W46', '2026-11-09', 4, 3, 3, '2026-11-12T08:00:02.000Z', 'side', 1);
      INSERT INTO published_cells (pulse_id, question_id, dimension, grp, hidden, respondents,
          n1, n2, n3, n4, n5)
        VALUES (1, 'okrs.same_direction', 'okrs', 'all', NULL, 3, 0, 1, 0, 1, 1),
               (1, 'okrs.same_direction', 'okrs', 'product_side', 'too_few', NULL, NULL, NULL,
                NULL, NULL, NULL),
               (1, 'tech_debt.next_quarter', 'tech_debt', 'all', 'too_few', NULL, NULL, NULL,
                NULL, NULL, NULL);
      INSERT INTO published_calls (pulse_id, line, scope, call)
        VALUES (1, 'trend', 'index', 'not_enough_data'), (1, 'gap', 'okrs', 'no_clear_gap');
      INSERT INTO published_comments (pulse_id, position, body)
        VALUES (1, 0, 'Two roadmaps again — "one plan" is a wish.');
      INSERT INTO digests (survey_id, period, channel_id, ts, posted_at)
        VALUES (1, '2026-W46', 'C0EXECS', '1762963200.000300', '2026-11-13T15:00:00.000Z');
      INSERT INTO delivery_failures (id, team_id, survey_id, channel_id, action, error, occurred_at,
          notified_at)
        VALUES (1, 'T1', 1, 'C0EXECS', 'digest', 'not_in_channel', '2026-11-06T15:00:00.000Z',
                '2026-11-06T15:00:05.000Z');
      INSERT INTO agreements (id, survey_id, dimension, body, product_owner, engineering_owner,
          recorded_by, recorded_at, review_on, review_at, status, closed_at, closed_by, note,
          closed_said_in)
        VALUES (1, 1, 'okrs', 'One set of OKRs for product and engineering', 'U0P1', 'U0E1',
                'U0P1', '2026-10-05T10:00:00.000Z', '2026-11-02', '2026-11-02T08:00:00.000Z',
                'done', '2026-11-03T10:00:00.000Z', 'U0E1', 'Shipped.', '2026-W45'),
               (2, 1, 'roadmap', 'A single roadmap review', 'U0P1', 'U0E1', 'U0E1',
                '2026-11-10T10:00:00.000Z', '2027-01-04', '2027-01-04T08:00:00.000Z', 'open', NULL,
                NULL, NULL, NULL);
      INSERT INTO agreement_messages (agreement_id, user_id, purpose, channel_id, ts)
        VALUES (2, 'U0P1', 'recorded', 'D0P1', '1762768800.000400');
      INSERT INTO agreement_follow_ups (agreement_id, pulse_id, weeks_after, score_from, score_to,
          score_move, gap_from, gap_to, gap_move, gap_hidden)
        VALUES (1, 1, 5, 41.6666666666667, 58.3333333333333, 'rose', 37.5, NULL, 'too_early',
                'too_few');
      INSERT INTO schedule_runs (id, kind, survey_id, subject_id, scheduled_for, status, attempts,
          claimed_by, claimed_at, next_attempt_at, finished_at, last_error)
        VALUES (1, 'pulse', 1, 0, '2026-11-09T08:00:00.000Z', 'done', 1, 'host:1:1:a',
                '2026-11-09T08:00:00.500Z', NULL, '2026-11-09T08:00:01.000Z', NULL),
               (2, 'close', 1, 0, '2026-11-12T08:00:00.000Z', 'done', 2, 'host:1:1:a',
                '2026-11-12T08:00:00.500Z', NULL, '2026-11-12T08:00:02.000Z', 'database is locked'),
               (3, 'review', 1, 2, '2027-01-04T08:00:00.000Z', 'retrying', 1, 'host:1:1:a',
                '2027-01-04T08:00:00.500Z', '2027-01-04T08:01:00.500Z', NULL, 'not_in_channel');
      INSERT INTO installations (id, tenant_id, team_id, enterprise_id, is_enterprise_install,
          bot_user_id, installed_by, token_expires_at, sealed, installed_at, updated_at)
        VALUES (1, 'T1', 'T1', NULL, 0, 'U0BOT', 'U0ADMIN', '2026-11-20T09:00:00.000Z',
                'v1.c2VhbGVk.dG9rZW4=', '2026-01-05T09:00:00.000Z', '2026-11-20T08:00:00.000Z'),
               (2, 'E1', NULL, 'E1', 1, 'U0BOT2', 'U0OTHER', NULL, 'v1.b3RoZXI=.c2VhbGVk',
                '2026-02-01T09:00:00.000Z', '2026-02-01T09:00:00.000Z');
    `);
    before.close();
    // Brought to the new version as a copy of that file: the original stays as it was, to compare.
    const upgradedPath = join(dir, 'pulse.db');
    copyFileSync(made, upgradedPath);

    const original = await openStore({ engine: 'sqlite', path: made });
    onTestFinished(() => original.close());
    const was = await everything(original.db);
    for (const [table, rows] of Object.entries(was.rows))
      if (table !== 'schema_migrations') expect(rows, table).not.toEqual([]);

    const upgraded = await openStore({ engine: 'sqlite', path: upgradedPath });
    // It applies every migration after 007, and only those.
    const after007 = readMigrations(migrationsDir)
      .map((m) => m.name)
      .filter((name) => name >= '008');
    expect(after007).toContain('008_count_shown.sql');
    expect(await migrate(upgraded, migrationsDir)).toEqual(after007);
    // Every table and every row it had, each column as it was; the record of
    // 001-007 as the previous version wrote it, and the new migrations after it.
    const is = await everything(upgraded.db, was.columns);
    expect(Object.keys(is.rows)).toEqual(expect.arrayContaining(Object.keys(was.rows)));
    for (const [table, rows] of Object.entries(was.rows)) {
      if (table === 'schema_migrations') continue;
      expect(is.rows[table], table).toEqual(rows);
    }
    expect(is.rows.schema_migrations?.slice(0, was.rows.schema_migrations?.length)).toEqual(
      was.rows.schema_migrations,
    );
    // The storage layer reads what the previous version wrote.
    expect(await getSurvey(upgraded.db, 1)).toMatchObject({
      id: 1,
      teamId: 'T1',
      timezone: 'Europe/Berlin',
      anonymityThreshold: 4,
      sides: { design: 'engineering', program: 'product', other: 'engineering' },
      leadershipChannels: ['C0LEADERS'],
      digestChannels: ['C0EXECS'],
    });
    expect((await pulseQuestions(upgraded.db, 2)).map((q) => q.id)).toEqual([
      'custom.1',
      'okrs.same_direction',
    ]);
    expect(await runsOf(upgraded.db, 1)).toMatchObject([
      { kind: 'pulse', status: 'done', attempts: 1 },
      { kind: 'close', status: 'done', attempts: 2, lastError: 'database is locked' },
      {
        kind: 'review',
        subjectId: 2,
        status: 'retrying',
        nextAttemptAt: '2027-01-04T08:01:00.500Z',
      },
    ]);
    await upgraded.close();

    // Upgraded in place: opened again, the file is up to date and keeps it all.
    const reopened = await openStore({ engine: 'sqlite', path: upgradedPath });
    onTestFinished(() => reopened.close());
    expect(await migrate(reopened, migrationsDir)).toEqual([]);
    expect((await everything(reopened.db, was.columns)).rows).toEqual(is.rows);
  });
});

describe('migrate with migrations of its own', () => {
  let dir: string;
  let store: OpenStore;
  let db: Store;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    ({ store, remove } = await emptyDatabase());
    db = store.db;
  });
  afterEach(async () => {
    await remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Where this engine's migrations are: `dir` for SQLite, `dir/postgres` for Postgres. */
  const folder = () => migrationsFor(engineOf(db), dir);
  const write = (name: string, text: string) => {
    mkdirSync(folder(), { recursive: true });
    writeFileSync(join(folder(), name), text);
  };

  it('applies files in numeric order and ignores files that are not migrations', async () => {
    write('002_b.sql', 'CREATE TABLE b (id INTEGER);');
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    write('README.md', 'not a migration');
    expect(await migrate(store, dir)).toEqual(['001_a.sql', '002_b.sql']);
    write('003_c.sql', 'CREATE TABLE c (id INTEGER);');
    expect(await migrate(store, dir)).toEqual(['003_c.sql']);
  });

  it('rolls back a failing migration whole and keeps the ones before it', async () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    write('002_bad.sql', 'CREATE TABLE half (id INTEGER); INSERT INTO missing VALUES (1);');
    const error = await errorOf(migrate(store, dir));
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('002_bad.sql failed and was rolled back');
    expect(await tables(db)).toContain('a');
    expect(await tables(db)).not.toContain('half');
    expect(await all(db, sql`SELECT name FROM schema_migrations`)).toEqual([{ name: '001_a.sql' }]);
  });

  it('stops when an applied migration was edited', async () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    await migrate(store, dir);
    write('001_a.sql', 'CREATE TABLE a (id INTEGER, name TEXT);');
    const error = await errorOf(migrate(store, dir));
    expect(error.code).toBe('migration_changed');
    expect(error.message).toContain('Migration 001_a.sql was changed after it was applied');
  });

  it('stops when the database records a migration this code does not have', async () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    write('002_b.sql', 'CREATE TABLE b (id INTEGER);');
    await migrate(store, dir);
    rmSync(join(folder(), '002_b.sql'));
    const error = await errorOf(migrate(store, dir));
    expect(error.code).toBe('migration_unknown');
    expect(error.message).toContain('records migration 002_b.sql, which this version');
  });

  it('refuses two migrations with one number', async () => {
    write('001_a.sql', 'SELECT 1;');
    write('001_b.sql', 'SELECT 1;');
    expect((await errorOf(migrate(store, dir))).code).toBe('migration_duplicate');
  });

  it('records the checksum of the file as applied', async () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    await migrate(store, dir);
    const expected = createHash('sha256')
      .update(readFileSync(join(folder(), '001_a.sql')))
      .digest('hex');
    expect(await one(db, sql`SELECT checksum FROM schema_migrations`)).toEqual({
      checksum: expected,
    });
  });
});
