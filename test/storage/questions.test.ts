import { describe, expect, it } from 'vitest';
import { CATALOGUE, type Question } from '../../src/domain/catalogue.js';
import { migrationsDir } from '../../src/paths.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';
import { activeQuestions, syncCatalogue } from '../../src/storage/questions.js';

function fresh() {
  const db = openDatabase(':memory:');
  migrate(db, migrationsDir);
  db.prepare("INSERT INTO workspaces (team_id) VALUES ('T1')").run();
  const surveyId = Number(
    db.prepare("INSERT INTO surveys (team_id) VALUES ('T1')").run().lastInsertRowid,
  );
  return { db, surveyId };
}

describe('syncCatalogue', () => {
  it('loads every built-in question once, however often it runs', () => {
    const { db, surveyId } = fresh();
    syncCatalogue(db, CATALOGUE);
    syncCatalogue(db, CATALOGUE);
    expect(activeQuestions(db, surveyId)).toEqual(CATALOGUE);
  });

  it('keeps the id and the answers when the wording changes, and retires what the code dropped', () => {
    const { db, surveyId } = fresh();
    syncCatalogue(db, CATALOGUE);
    const pulse = db
      .prepare(
        "INSERT INTO pulses (survey_id, due_at, opened_at, closes_at) VALUES (?, 'd', 'o', 'c')",
      )
      .run(surveyId).lastInsertRowid;
    db.prepare(
      "INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (?, 'okrs.same_direction', 'U1', 'product', 4, 'a', 'a')",
    ).run(pulse);
    const reworded: Question[] = CATALOGUE.filter((q) => q.id !== 'ownership.turf').map((q) =>
      q.id === 'okrs.same_direction'
        ? { ...q, text: 'Our goals this quarter point the same way.' }
        : q,
    );
    syncCatalogue(db, reworded);
    const active = activeQuestions(db, surveyId);
    expect(active.find((q) => q.id === 'okrs.same_direction')?.text).toBe(
      'Our goals this quarter point the same way.',
    );
    expect(active.map((q) => q.id)).not.toContain('ownership.turf');
    expect(db.prepare('SELECT count(*) AS n FROM answers').get()).toEqual({ n: 1 });
    // Brought back, it is active again.
    syncCatalogue(db, CATALOGUE);
    expect(activeQuestions(db, surveyId).map((q) => q.id)).toContain('ownership.turf');
  });

  it("offers a survey its own custom questions after the built-ins, and not another survey's", () => {
    const { db, surveyId } = fresh();
    syncCatalogue(db, CATALOGUE);
    const other = Number(
      db.prepare("INSERT INTO surveys (team_id) VALUES ('T1')").run().lastInsertRowid,
    );
    const add = db.prepare(
      "INSERT INTO questions (id, dimension, text, survey_id) VALUES (?, 'roadmap', ?, ?)",
    );
    add.run('custom.1', 'We review the roadmap together monthly.', surveyId);
    add.run('custom.2', 'Another team question.', other);
    const ids = activeQuestions(db, surveyId).map((q) => q.id);
    expect(ids.at(-1)).toBe('custom.1');
    expect(ids).not.toContain('custom.2');
  });
});
