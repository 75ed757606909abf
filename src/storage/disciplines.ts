import type { Discipline } from '../domain/dimensions.js';
import type { Db } from './database.js';

/**
 * The disciplines people are counted under (`discipline_changes`), and so the
 * side each counts with. The rules, enforced here:
 *
 * - A person's first discipline is their own choice. It counts from the pulse
 *   they are answering when that pulse was sent to them; otherwise (they joined
 *   the channel since it went out, or forget-me took them off its list) from
 *   the next pulse. So `forget-me` cannot reopen a discipline for the pulse
 *   open now: someone who forgot themselves and answers again gets their side
 *   from an admin, or from the next pulse after choosing.
 * - After that only an admin changes it, never their own, and the change holds
 *   for pulses opened after it. So nobody can move into a small group to pad it
 *   and subtract their own answers, and answers already given keep the
 *   discipline they were given under.
 */

interface ChangeRow {
  discipline: Discipline;
  appliesFrom: string;
  changedBy: string | null;
  changedAt: string;
}

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

/** Whether a pulse went to this person, or has no list to tell (Slack could not list the channel). */
function sentTo(db: Db, pulseId: number, userId: string): boolean {
  const row = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM pulse_recipients WHERE pulse_id = ? AND user_id = ?) AS mine,
         EXISTS (SELECT 1 FROM pulse_recipients WHERE pulse_id = ?) AS listed`,
    )
    .get(pulseId, userId, pulseId) as { mine: number; listed: number };
  return row.mine === 1 || row.listed === 0;
}

/**
 * The discipline a person's answers to a pulse count under: the one their
 * answers to it were given under already, else the one in effect when the pulse
 * opened. A first discipline the person chose after the pulse opened counts in
 * it only when the pulse was sent to them. Undefined when none counts.
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
      `SELECT discipline, applies_from AS appliesFrom, changed_by AS changedBy, changed_at AS changedAt
       FROM discipline_changes WHERE team_id = ? AND user_id = ? AND applies_from <= ?
       ORDER BY applies_from DESC LIMIT 1`,
    )
    .get(teamId, userId, pulse.openedAt) as ChangeRow | undefined;
  if (row === undefined) return undefined;
  const chosenSinceItOpened =
    row.appliesFrom === '' && row.changedBy === null && row.changedAt >= pulse.openedAt;
  if (chosenSinceItOpened && !sentTo(db, pulse.id, userId)) return undefined;
  return row.discipline;
}

/**
 * Where a person stands in a pulse they have not answered yet, before the form
 * opens: counted (under this discipline), asked to choose their first, or to
 * wait for the next pulse (this one went out before they were on its list, or
 * before the discipline they chose since).
 */
export type Standing =
  | { kind: 'counted'; discipline: Discipline }
  | { kind: 'choose' }
  | { kind: 'next_pulse'; discipline: Discipline | undefined };

export function standingInPulse(
  db: Db,
  teamId: string,
  userId: string,
  pulse: { id: number; openedAt: string },
): Standing {
  const discipline = disciplineForPulse(db, teamId, userId, pulse);
  if (discipline !== undefined) return { kind: 'counted', discipline };
  const current = currentDiscipline(db, teamId, userId);
  if (current !== undefined) return { kind: 'next_pulse', discipline: current };
  return sentTo(db, pulse.id, userId)
    ? { kind: 'choose' }
    : { kind: 'next_pulse', discipline: undefined };
}

/**
 * Records a person's first discipline, chosen at `at`: by themself
 * (`changedBy` null; see the rule above for the pulse open now), or by an
 * admin, which counts at once. False, and nothing changes, when they have one already.
 */
export function setFirstDiscipline(
  db: Db,
  input: {
    teamId: string;
    userId: string;
    discipline: Discipline;
    at: Date;
    changedBy?: string | null;
  },
): boolean {
  return (
    db
      .prepare(
        `INSERT INTO discipline_changes (team_id, user_id, discipline, applies_from, changed_by, changed_at)
         SELECT ?, ?, ?, '', ?, ? WHERE NOT EXISTS
           (SELECT 1 FROM discipline_changes WHERE team_id = ? AND user_id = ?)`,
      )
      .run(
        input.teamId,
        input.userId,
        input.discipline,
        input.changedBy ?? null,
        input.at.toISOString(),
        input.teamId,
        input.userId,
      ).changes > 0
  );
}

/**
 * An admin's change of someone else's discipline: from the start when they
 * had none (so it counts in the pulse open now), else for pulses opened from
 * `at` on. Never an admin's own: refused before it gets here (role.ts), and
 * refused here too. Returns when it applies.
 */
export function changeDiscipline(
  db: Db,
  input: { teamId: string; userId: string; discipline: Discipline; changedBy: string; at: Date },
): 'now' | 'next_pulse' {
  if (input.changedBy === input.userId)
    throw new Error('an admin cannot change their own discipline');
  return db
    .transaction(() => {
      if (setFirstDiscipline(db, input)) return 'now' as const;
      // The same discipline again changes nothing (and records nothing).
      if (currentDiscipline(db, input.teamId, input.userId) === input.discipline)
        return 'next_pulse' as const;
      db.prepare(
        `INSERT INTO discipline_changes (team_id, user_id, discipline, applies_from, changed_by, changed_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (team_id, user_id, applies_from) DO UPDATE SET
           discipline = excluded.discipline, changed_by = excluded.changed_by,
           changed_at = excluded.changed_at`,
      ).run(
        input.teamId,
        input.userId,
        input.discipline,
        input.at.toISOString(),
        input.changedBy,
        input.at.toISOString(),
      );
      return 'next_pulse' as const;
    })
    .immediate();
}
