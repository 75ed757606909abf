import type { Discipline } from '../domain/dimensions.js';
import type { Db } from './database.js';

/**
 * The disciplines people are counted under (`discipline_changes`). A person's
 * first discipline, which they choose themselves, holds from the start; a later
 * change, which only an admin makes, holds for pulses opened after it. So
 * nobody can move into a small group to pad it, and answers already given keep
 * the discipline they were given under.
 */

/** The discipline a person is counted under from now on; undefined when never set. */
export function currentDiscipline(db: Db, teamId: string, userId: string): Discipline | undefined {
  const row = db
    .prepare(
      `SELECT discipline FROM discipline_changes WHERE team_id = ? AND user_id = ?
       ORDER BY applies_from DESC LIMIT 1`,
    )
    .get(teamId, userId) as { discipline: Discipline } | undefined;
  return row?.discipline;
}

/**
 * The discipline a person's answers to a pulse count under: the one their
 * answers to it were given under already, else the one in effect when the pulse
 * opened. Undefined when the person has none yet.
 */
export function disciplineForPulse(
  db: Db,
  teamId: string,
  userId: string,
  pulse: { id: number; openedAt: string },
): Discipline | undefined {
  const answered = db
    .prepare(
      `SELECT discipline FROM answers INDEXED BY answers_by_user
       WHERE user_id = ? AND pulse_id = ? ORDER BY updated_at DESC LIMIT 1`,
    )
    .get(userId, pulse.id) as { discipline: Discipline } | undefined;
  if (answered !== undefined) return answered.discipline;
  const row = db
    .prepare(
      `SELECT discipline FROM discipline_changes WHERE team_id = ? AND user_id = ? AND applies_from <= ?
       ORDER BY applies_from DESC LIMIT 1`,
    )
    .get(teamId, userId, pulse.openedAt) as { discipline: Discipline } | undefined;
  return row?.discipline;
}

/**
 * Records a person's first discipline, which holds from the start. False, and
 * nothing changes, when they have one already.
 */
export function setFirstDiscipline(
  db: Db,
  teamId: string,
  userId: string,
  discipline: Discipline,
  changedBy: string | null = null,
): boolean {
  return (
    db
      .prepare(
        `INSERT INTO discipline_changes (team_id, user_id, discipline, applies_from, changed_by)
         SELECT ?, ?, ?, '', ? WHERE NOT EXISTS
           (SELECT 1 FROM discipline_changes WHERE team_id = ? AND user_id = ?)`,
      )
      .run(teamId, userId, discipline, changedBy, teamId, userId).changes > 0
  );
}

/**
 * An admin's change of someone's discipline: from the start when they had none,
 * else for pulses opened from `at` on. Returns when it applies.
 */
export function changeDiscipline(
  db: Db,
  input: { teamId: string; userId: string; discipline: Discipline; changedBy: string; at: Date },
): 'now' | 'next_pulse' {
  return db
    .transaction(() => {
      if (setFirstDiscipline(db, input.teamId, input.userId, input.discipline, input.changedBy))
        return 'now' as const;
      db.prepare(
        `INSERT INTO discipline_changes (team_id, user_id, discipline, applies_from, changed_by)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (team_id, user_id, applies_from) DO UPDATE SET
           discipline = excluded.discipline, changed_by = excluded.changed_by`,
      ).run(input.teamId, input.userId, input.discipline, input.at.toISOString(), input.changedBy);
      return 'next_pulse' as const;
    })
    .immediate();
}
