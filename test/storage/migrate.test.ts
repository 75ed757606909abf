import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseError } from '../../src/errors.js';
import { migrationsDir } from '../../src/paths.js';
import { type Db, openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';

function errorOf(run: () => unknown): DatabaseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  }
  throw new Error('expected a DatabaseError');
}

const tables = (db: Db) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);

describe('migrate with the real migrations', () => {
  it('creates the whole domain on a fresh database, then applies nothing on a second start', () => {
    const db = openDatabase(':memory:');
    expect(migrate(db, migrationsDir)).toEqual([
      '001_initial.sql',
      '002_published_scores.sql',
      '003_published_calls.sql',
      '004_schedule_start.sql',
      '005_agreements.sql',
      '006_sides.sql',
      '007_installations.sql',
    ]);
    expect(tables(db)).toEqual(
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
    expect(migrate(db, migrationsDir)).toEqual([]);
    const recorded = db.prepare('SELECT name, checksum FROM schema_migrations').all();
    expect(recorded).toEqual([
      { name: '001_initial.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { name: '002_published_scores.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { name: '003_published_calls.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { name: '004_schedule_start.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { name: '005_agreements.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { name: '006_sides.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { name: '007_installations.sql', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    db.close();
  });

  it('keeps every run of a database from before agreements, and claims agreement runs once each', () => {
    const db = openDatabase(':memory:');
    // The database as the previous version left it: migrations 001 to 004 only.
    const older = mkdtempSync(join(tmpdir(), 'alignment-migrations-'));
    for (const name of readdirSync(migrationsDir).filter((n) => n < '005'))
      copyFileSync(join(migrationsDir, name), join(older, name));
    migrate(db, older);
    db.prepare("INSERT INTO workspaces (team_id) VALUES ('T1')").run();
    db.prepare("INSERT INTO surveys (id, team_id, timezone) VALUES (1, 'T1', 'UTC')").run();
    db.prepare(
      "INSERT INTO schedule_runs (kind, survey_id, scheduled_for, status) VALUES ('pulse', 1, '2026-11-23T08:00:00.000Z', 'done')",
    ).run();
    expect(migrate(db, migrationsDir)).toEqual([
      '005_agreements.sql',
      '006_sides.sql',
      '007_installations.sql',
    ]);
    expect(
      db.prepare('SELECT kind, survey_id, subject_id, status FROM schedule_runs').all(),
    ).toEqual([{ kind: 'pulse', survey_id: 1, subject_id: 0, status: 'done' }]);
    const claim = (subject: number) =>
      db
        .prepare(
          "INSERT INTO schedule_runs (kind, survey_id, subject_id, scheduled_for) VALUES ('review', 1, ?, '2026-12-01T08:00:00.000Z') ON CONFLICT DO NOTHING",
        )
        .run(subject).changes;
    // Two agreements reviewed at the same moment are two runs; the same one twice is one.
    expect([claim(1), claim(2), claim(1)]).toEqual([1, 1, 0]);
    db.close();
  });

  it('enforces the rules the schema promises', () => {
    const db = openDatabase(':memory:');
    migrate(db, migrationsDir);
    db.prepare("INSERT INTO workspaces (team_id) VALUES ('T1')").run();
    const survey = db.prepare("INSERT INTO surveys (team_id) VALUES ('T1')").run().lastInsertRowid;
    db.prepare(
      "INSERT INTO questions (id, dimension, text) VALUES ('q1', 'okrs', 'Our goals point the same way.')",
    ).run();
    const pulse = db
      .prepare(
        "INSERT INTO pulses (survey_id, due_at, opened_at, closes_at) VALUES (?, 'd', 'o', 'c')",
      )
      .run(survey).lastInsertRowid;
    const answer = db.prepare(
      "INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (?, 'q1', ?, 'product', ?, 'a', 'a')",
    );
    answer.run(pulse, 'U1', 4);
    // One answer per pulse, question and person; values 1-5; a known question.
    expect(() => answer.run(pulse, 'U1', 3)).toThrow(/UNIQUE/);
    expect(() => answer.run(pulse, 'U2', 6)).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (?, 'nope', 'U3', 'product', 3, 'a', 'a')",
        )
        .run(pulse),
    ).toThrow(/FOREIGN KEY/);
    // A survey's anonymity threshold is never below 3; a pulse asks 1-10 questions.
    expect(() => db.prepare('UPDATE surveys SET anonymity_threshold = 2').run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE surveys SET questions_per_pulse = 11').run()).toThrow(/CHECK/);
    // A channel leads one survey of a tenant at most; another tenant sharing it may have its own.
    const survey2 = db.prepare("INSERT INTO surveys (team_id) VALUES ('T1')").run().lastInsertRowid;
    const lead = db.prepare(
      "INSERT INTO survey_channels (survey_id, team_id, role, channel_id) VALUES (?, ?, 'leadership', 'C1')",
    );
    lead.run(survey, 'T1');
    expect(() => lead.run(survey2, 'T1')).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO workspaces (team_id) VALUES ('T2')").run();
    const other = db.prepare("INSERT INTO surveys (team_id) VALUES ('T2')").run().lastInsertRowid;
    expect(() => lead.run(other, 'T2')).not.toThrow();
    expect(() =>
      db
        .prepare(
          "INSERT INTO survey_channels (survey_id, role, channel_id) VALUES (?, 'digest', 'C9')",
        )
        .run(survey),
    ).toThrow(/NOT NULL/);
    // A run is claimed once per kind, survey and time.
    const claim = db.prepare(
      "INSERT INTO schedule_runs (kind, survey_id, scheduled_for) VALUES ('pulse', ?, 't')",
    );
    claim.run(survey);
    expect(() => claim.run(survey)).toThrow(/UNIQUE/);
    // Deleting a survey takes its pulses and answers with it.
    db.prepare('DELETE FROM surveys WHERE id = ?').run(survey);
    expect(db.prepare('SELECT count(*) AS n FROM answers').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migrate with migrations of its own', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    db = openDatabase(':memory:');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, sql: string) => writeFileSync(join(dir, name), sql);

  it('applies files in numeric order and ignores files that are not migrations', () => {
    write('002_b.sql', 'CREATE TABLE b (id INTEGER);');
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    write('README.md', 'not a migration');
    expect(migrate(db, dir)).toEqual(['001_a.sql', '002_b.sql']);
    write('003_c.sql', 'CREATE TABLE c (id INTEGER);');
    expect(migrate(db, dir)).toEqual(['003_c.sql']);
  });

  it('rolls back a failing migration whole and keeps the ones before it', () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    write('002_bad.sql', 'CREATE TABLE half (id INTEGER); INSERT INTO missing VALUES (1);');
    const error = errorOf(() => migrate(db, dir));
    expect(error.code).toBe('migration_failed');
    expect(error.message).toContain('002_bad.sql failed and was rolled back');
    expect(tables(db)).toContain('a');
    expect(tables(db)).not.toContain('half');
    expect(db.prepare('SELECT name FROM schema_migrations').all()).toEqual([{ name: '001_a.sql' }]);
  });

  it('stops when an applied migration was edited', () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    migrate(db, dir);
    write('001_a.sql', 'CREATE TABLE a (id INTEGER, name TEXT);');
    const error = errorOf(() => migrate(db, dir));
    expect(error.code).toBe('migration_changed');
    expect(error.message).toContain('Migration 001_a.sql was changed after it was applied');
  });

  it('stops when the database records a migration this code does not have', () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    write('002_b.sql', 'CREATE TABLE b (id INTEGER);');
    migrate(db, dir);
    rmSync(join(dir, '002_b.sql'));
    const error = errorOf(() => migrate(db, dir));
    expect(error.code).toBe('migration_unknown');
    expect(error.message).toContain('records migration 002_b.sql, which this version');
  });

  it('refuses two migrations with one number', () => {
    write('001_a.sql', 'SELECT 1;');
    write('001_b.sql', 'SELECT 1;');
    expect(errorOf(() => migrate(db, dir)).code).toBe('migration_duplicate');
  });

  it('records the checksum of the file as applied', () => {
    write('001_a.sql', 'CREATE TABLE a (id INTEGER);');
    migrate(db, dir);
    const expected = createHash('sha256')
      .update(readFileSync(join(dir, '001_a.sql')))
      .digest('hex');
    expect(db.prepare('SELECT checksum FROM schema_migrations').get()).toEqual({
      checksum: expected,
    });
  });
});
