import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CATALOGUE, type Question } from '../../src/domain/catalogue.js';
import { migrationsDir } from '../../src/paths.js';
import { migrate } from '../../src/storage/migrate.js';
import { activeQuestions, syncCatalogue } from '../../src/storage/questions.js';
import { openStore, type Store } from '../../src/storage/store.js';
import { one, run } from '../support/db.js';
import { testDatabase } from '../support/test-app.js';

/** A migrated database of its own on this run's engine, with a workspace and a survey. */
async function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'questions-'));
  const database = await testDatabase(dir);
  const store = await openStore(database.location);
  onTestFinished(async () => {
    await store.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const { db } = store;
  await migrate(store, migrationsDir);
  await run(db, sql`INSERT INTO workspaces (team_id) VALUES ('T1')`);
  const surveyId = await newSurvey(db);
  return { db, surveyId };
}

async function newSurvey(db: Store): Promise<number> {
  const row = await one(
    db,
    sql<{ id: number }>`INSERT INTO surveys (team_id) VALUES ('T1') RETURNING id`,
  );
  return Number(row?.id);
}

describe('syncCatalogue', () => {
  it('loads every built-in question once, however often it runs', async () => {
    const { db, surveyId } = await fresh();
    await syncCatalogue(db, CATALOGUE);
    await syncCatalogue(db, CATALOGUE);
    expect(await activeQuestions(db, surveyId)).toEqual(CATALOGUE);
  });

  it('keeps the id and the answers when the wording changes, and retires what the code dropped', async () => {
    const { db, surveyId } = await fresh();
    await syncCatalogue(db, CATALOGUE);
    const pulse = (
      await one(
        db,
        sql<{
          id: number;
        }>`INSERT INTO pulses (survey_id, due_at, opened_at, closes_at) VALUES (${surveyId}, 'd', 'o', 'c') RETURNING id`,
      )
    )?.id;
    await run(
      db,
      sql`INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (${pulse}, 'okrs.same_direction', 'U1', 'product', 4, 'a', 'a')`,
    );
    const reworded: Question[] = CATALOGUE.filter((q) => q.id !== 'ownership.turf').map((q) =>
      q.id === 'okrs.same_direction'
        ? { ...q, text: 'Our goals this quarter point the same way.' }
        : q,
    );
    await syncCatalogue(db, reworded);
    const active = await activeQuestions(db, surveyId);
    expect(active.find((q) => q.id === 'okrs.same_direction')?.text).toBe(
      'Our goals this quarter point the same way.',
    );
    expect(active.map((q) => q.id)).not.toContain('ownership.turf');
    expect(await one(db, sql`SELECT count(*) AS n FROM answers`)).toEqual({ n: 1 });
    // Brought back, it is active again.
    await syncCatalogue(db, CATALOGUE);
    expect((await activeQuestions(db, surveyId)).map((q) => q.id)).toContain('ownership.turf');
  });

  it("offers a survey its own custom questions after the built-ins, and not another survey's", async () => {
    const { db, surveyId } = await fresh();
    await syncCatalogue(db, CATALOGUE);
    const other = await newSurvey(db);
    const add = (id: string, text: string, survey: number) =>
      run(
        db,
        sql`INSERT INTO questions (id, dimension, text, survey_id) VALUES (${id}, 'roadmap', ${text}, ${survey})`,
      );
    await add('custom.1', 'We review the roadmap together monthly.', surveyId);
    await add('custom.2', 'Another team question.', other);
    const ids = (await activeQuestions(db, surveyId)).map((q) => q.id);
    expect(ids.at(-1)).toBe('custom.1');
    expect(ids).not.toContain('custom.2');
  });
});
