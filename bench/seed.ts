import { sql } from 'kysely';
import type { OpenStore } from '../src/storage/store.js';

/** One pulse for a benchmark's database, with its questions, recipients, answers and comments. */
export interface SeedPulse {
  surveyId: number;
  dueAt: string;
  openedAt: string;
  closesAt: string;
  closedAt: string | null;
  remindedAt: string | null;
  questions: readonly string[];
  recipients: readonly string[];
  answers: readonly SeedAnswer[];
  comments?: readonly SeedComment[];
}

export interface SeedAnswer {
  question: string;
  user: string;
  discipline: string;
  value: number;
  /** When it was answered (and last changed). */
  at: string;
}

export interface SeedComment {
  user: string;
  body: string;
  at: string;
}

/**
 * Writes pulses straight into the tables, each call's in one transaction, and
 * gives back their ids: on SQLite through better-sqlite3's prepared
 * statements, the fastest way to fill the file; on Postgres a statement a
 * table a pulse, its rows passed as arrays (unnest). `durable: false` lets
 * Postgres commit without waiting for its WAL flush (synchronous_commit off for
 * these transactions; on SQLite the caller sets synchronous itself).
 */
export function pulseWriter(
  store: OpenStore,
  options: { durable: boolean },
): (pulses: readonly SeedPulse[]) => Promise<number[]> {
  const { sqlite } = store;
  if (sqlite !== undefined) {
    const pulse = sqlite.prepare(
      `INSERT INTO pulses (survey_id, due_at, opened_at, closes_at, closed_at, reminded_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const ask = sqlite.prepare(
      'INSERT INTO pulse_questions (pulse_id, position, question_id) VALUES (?, ?, ?)',
    );
    const invite = sqlite.prepare('INSERT INTO pulse_recipients (pulse_id, user_id) VALUES (?, ?)');
    const answer = sqlite.prepare(
      `INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const comment = sqlite.prepare(
      'INSERT INTO comments (pulse_id, user_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    const write = sqlite.transaction((pulses: readonly SeedPulse[]) =>
      pulses.map((p) => {
        const id = Number(
          pulse.run(p.surveyId, p.dueAt, p.openedAt, p.closesAt, p.closedAt, p.remindedAt)
            .lastInsertRowid,
        );
        for (const [position, q] of p.questions.entries()) ask.run(id, position, q);
        for (const user of p.recipients) invite.run(id, user);
        for (const a of p.answers)
          answer.run(id, a.question, a.user, a.discipline, a.value, a.at, a.at);
        for (const c of p.comments ?? []) comment.run(id, c.user, c.body, c.at, c.at);
        return id;
      }),
    );
    return async (pulses) => write(pulses);
  }
  return (pulses) =>
    store.db.transaction().execute(async (trx) => {
      if (!options.durable) await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      const ids: number[] = [];
      for (const p of pulses) {
        const { id } = await trx
          .insertInto('pulses')
          .values({
            survey_id: p.surveyId,
            due_at: p.dueAt,
            opened_at: p.openedAt,
            closes_at: p.closesAt,
            closed_at: p.closedAt,
            reminded_at: p.remindedAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(id);
        await sql`INSERT INTO pulse_questions (pulse_id, position, question_id)
          SELECT ${id}, t.position - 1, t.question_id
            FROM unnest(${[...p.questions]}::text[]) WITH ORDINALITY AS t(question_id, position)`.execute(
          trx,
        );
        await sql`INSERT INTO pulse_recipients (pulse_id, user_id)
          SELECT ${id}, t.user_id FROM unnest(${[...p.recipients]}::text[]) AS t(user_id)`.execute(
          trx,
        );
        const a = p.answers;
        if (a.length > 0)
          await sql`INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at)
            SELECT ${id}, t.q, t.u, t.d, t.v, t.at, t.at
              FROM unnest(${a.map((x) => x.question)}::text[], ${a.map((x) => x.user)}::text[],
                          ${a.map((x) => x.discipline)}::text[], ${a.map((x) => x.value)}::int[],
                          ${a.map((x) => x.at)}::text[]) AS t(q, u, d, v, at)`.execute(trx);
        const c = p.comments ?? [];
        if (c.length > 0)
          await sql`INSERT INTO comments (pulse_id, user_id, body, created_at, updated_at)
            SELECT ${id}, t.u, t.b, t.at, t.at
              FROM unnest(${c.map((x) => x.user)}::text[], ${c.map((x) => x.body)}::text[],
                          ${c.map((x) => x.at)}::text[]) AS t(u, b, at)`.execute(trx);
      }
      return ids;
    });
}
