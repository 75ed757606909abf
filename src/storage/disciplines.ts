import { sql } from 'kysely';
import type { Discipline } from '../domain/dimensions.js';
import { firstRow, prepared } from './prepared.js';
import { indexedBy, lockFor, type Store } from './store.js';

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

/**
 * Holds a person of a workspace until the transaction `trx` ends: work that
 * reads what a person has (their discipline, their answers this week) and
 * writes on the strength of it takes turns with other such work for them.
 */
export async function lockPerson(trx: Store, teamId: string, userId: string): Promise<void> {
  await lockFor(trx, `person:${teamId}:${userId}`);
}

/** The discipline a person is counted under from now on; undefined when never set. */
export async function currentDiscipline(
  db: Store,
  teamId: string,
  userId: string,
): Promise<Discipline | undefined> {
  const row = await firstRow(latestChange(db, teamId, userId));
  return row?.discipline as Discipline | undefined;
}

const latestChange = prepared((db, teamId: string, userId: string) =>
  db
    .selectFrom('discipline_changes')
    .select('discipline')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .orderBy('applies_from', 'desc')
    .limit(1),
);

/** Whether a pulse went to this person, or has no list to tell (Slack could not list the channel). */
async function sentTo(db: Store, pulseId: number, userId: string): Promise<boolean> {
  const row = await firstRow(onList(db, pulseId, userId));
  return row !== undefined && (Number(row.mine) === 1 || Number(row.listed) === 0);
}

const onList = prepared(
  (_db, pulseId: number, userId: string) =>
    sql<{ mine: number; listed: number }>`
    SELECT
      CASE WHEN EXISTS (SELECT 1 FROM pulse_recipients WHERE pulse_id = ${pulseId} AND user_id = ${userId})
        THEN 1 ELSE 0 END AS mine,
      CASE WHEN EXISTS (SELECT 1 FROM pulse_recipients WHERE pulse_id = ${pulseId})
        THEN 1 ELSE 0 END AS listed`,
);

/**
 * The discipline a person's answers to a pulse count under: the one their
 * answers to it were given under already, else the one in effect when the pulse
 * opened. A first discipline the person chose after the pulse opened counts in
 * it only when the pulse was sent to them. Undefined when none counts.
 */
export async function disciplineForPulse(
  db: Store,
  teamId: string,
  userId: string,
  pulse: { id: number; openedAt: string },
): Promise<Discipline | undefined> {
  const answered = await firstRow(answeredUnder(db, userId, pulse.id));
  if (answered !== undefined) return answered.discipline;
  const row: ChangeRow | undefined = await firstRow(
    changeInEffect(db, teamId, userId, pulse.openedAt),
  );
  if (row === undefined) return undefined;
  const chosenSinceItOpened =
    row.appliesFrom === '' && row.changedBy === null && row.changedAt >= pulse.openedAt;
  if (chosenSinceItOpened && !(await sentTo(db, pulse.id, userId))) return undefined;
  return row.discipline;
}

const answeredUnder = prepared(
  (db, userId: string, pulseId: number) =>
    sql<{ discipline: Discipline }>`
      SELECT discipline FROM answers ${indexedBy(db, 'answers_by_user')}
      WHERE user_id = ${userId} AND pulse_id = ${pulseId}
      ORDER BY updated_at DESC LIMIT 1`,
);

const changeInEffect = prepared((db, teamId: string, userId: string, openedAt: string) =>
  db
    .selectFrom('discipline_changes')
    .select([
      (eb) => eb.ref('discipline').$castTo<Discipline>().as('discipline'),
      'applies_from as appliesFrom',
      'changed_by as changedBy',
      'changed_at as changedAt',
    ])
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .where('applies_from', '<=', openedAt)
    .orderBy('applies_from', 'desc')
    .limit(1),
);

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

export async function standingInPulse(
  db: Store,
  teamId: string,
  userId: string,
  pulse: { id: number; openedAt: string },
): Promise<Standing> {
  const discipline = await disciplineForPulse(db, teamId, userId, pulse);
  if (discipline !== undefined) return { kind: 'counted', discipline };
  const current = await currentDiscipline(db, teamId, userId);
  if (current !== undefined) return { kind: 'next_pulse', discipline: current };
  return (await sentTo(db, pulse.id, userId))
    ? { kind: 'choose' }
    : { kind: 'next_pulse', discipline: undefined };
}

/**
 * Records a person's first discipline, chosen at `at`: by themself
 * (`changedBy` null; see the rule above for the pulse open now), or by an
 * admin, which counts at once. False, and nothing changes, when they have one
 * already (of two first choices at once, the one stored first holds).
 */
export async function setFirstDiscipline(
  db: Store,
  input: {
    teamId: string;
    userId: string;
    discipline: Discipline;
    at: Date;
    changedBy?: string | null;
  },
): Promise<boolean> {
  // A person's first discipline applies from '': their key (team, user, '')
  // is taken while they have any, so a second first choice does nothing.
  const result = await sql`
    INSERT INTO discipline_changes (team_id, user_id, discipline, applies_from, changed_by, changed_at)
    SELECT ${input.teamId}, ${input.userId}, ${input.discipline}, '', ${input.changedBy ?? null},
      ${input.at.toISOString()}
    WHERE NOT EXISTS
      (SELECT 1 FROM discipline_changes WHERE team_id = ${input.teamId} AND user_id = ${input.userId})
    ON CONFLICT (team_id, user_id, applies_from) DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

/**
 * An admin's change of someone else's discipline: from the start when they
 * had none (so it counts in the pulse open now), else for pulses opened from
 * `at` on. Never an admin's own: refused before it gets here (role.ts), and
 * refused here too. Returns when it applies.
 */
export async function changeDiscipline(
  db: Store,
  input: { teamId: string; userId: string; discipline: Discipline; changedBy: string; at: Date },
): Promise<'now' | 'next_pulse'> {
  if (input.changedBy === input.userId)
    throw new Error('an admin cannot change their own discipline');
  return db.transaction().execute(async (trx) => {
    await lockPerson(trx, input.teamId, input.userId);
    if (await setFirstDiscipline(trx, input)) return 'now' as const;
    // The same discipline again changes nothing (and records nothing).
    if ((await currentDiscipline(trx, input.teamId, input.userId)) === input.discipline)
      return 'next_pulse' as const;
    const at = input.at.toISOString();
    await trx
      .insertInto('discipline_changes')
      .values({
        team_id: input.teamId,
        user_id: input.userId,
        discipline: input.discipline,
        applies_from: at,
        changed_by: input.changedBy,
        changed_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['team_id', 'user_id', 'applies_from']).doUpdateSet((eb) => ({
          discipline: eb.ref('excluded.discipline'),
          changed_by: eb.ref('excluded.changed_by'),
          changed_at: eb.ref('excluded.changed_at'),
        })),
      )
      .execute();
    return 'next_pulse' as const;
  });
}
