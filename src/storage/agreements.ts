import type { FollowUp, GapMove, ScoreMove } from '../domain/agreements.js';
import type { Dimension } from '../domain/dimensions.js';
import type { Db } from './database.js';

export type AgreementStatus = 'open' | 'done' | 'dropped';

/** An agreement as stored. A person forgotten (forget-me) reads as null: "a former leader". */
export interface Agreement {
  id: number;
  surveyId: number;
  dimension: Dimension;
  body: string;
  productOwner: string | null;
  engineeringOwner: string | null;
  recordedBy: string | null;
  recordedAt: string;
  /** The review's day, YYYY-MM-DD in the survey's time zone. */
  reviewOn: string;
  /** The moment the review is due (09:00 on that day, in the survey's time zone). */
  reviewAt: string;
  status: AgreementStatus;
  closedAt: string | null;
  closedBy: string | null;
  note: string | null;
  /** The digest week that said it was closed. */
  closedSaidIn: string | null;
}

const FIELDS: [column: string, field: keyof Agreement][] = [
  ['id', 'id'],
  ['survey_id', 'surveyId'],
  ['dimension', 'dimension'],
  ['body', 'body'],
  ['product_owner', 'productOwner'],
  ['engineering_owner', 'engineeringOwner'],
  ['recorded_by', 'recordedBy'],
  ['recorded_at', 'recordedAt'],
  ['review_on', 'reviewOn'],
  ['review_at', 'reviewAt'],
  ['status', 'status'],
  ['closed_at', 'closedAt'],
  ['closed_by', 'closedBy'],
  ['note', 'note'],
  ['closed_said_in', 'closedSaidIn'],
];
/** The select list, from the table itself or from it under an alias. */
const columns = (alias = '') =>
  FIELDS.map(([column, field]) => `${alias}${column} AS ${field}`).join(', ');
const COLUMNS = columns();

export function createAgreement(
  db: Db,
  a: {
    surveyId: number;
    dimension: Dimension;
    body: string;
    productOwner: string;
    engineeringOwner: string;
    recordedBy: string;
    recordedAt: Date;
    reviewOn: string;
    reviewAt: Date;
  },
): Agreement {
  const id = Number(
    db
      .prepare(
        `INSERT INTO agreements (survey_id, dimension, body, product_owner, engineering_owner,
           recorded_by, recorded_at, review_on, review_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.surveyId,
        a.dimension,
        a.body,
        a.productOwner,
        a.engineeringOwner,
        a.recordedBy,
        a.recordedAt.toISOString(),
        a.reviewOn,
        a.reviewAt.toISOString(),
      ).lastInsertRowid,
  );
  return getAgreement(db, id) as Agreement;
}

export function getAgreement(db: Db, id: number): Agreement | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM agreements WHERE id = ?`).get(id) as
    | Agreement
    | undefined;
}

/** A survey's open agreements, oldest first. */
export function openAgreements(db: Db, surveyId: number): Agreement[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM agreements WHERE survey_id = ? AND status = 'open' ORDER BY recorded_at, id`,
    )
    .all(surveyId) as Agreement[];
}

/** Open agreements a person owns, in any survey of the workspace. */
export function agreementsOwnedBy(db: Db, teamId: string, userId: string): Agreement[] {
  return db
    .prepare(
      `SELECT ${columns('a.')} FROM agreements a
       JOIN surveys s ON s.id = a.survey_id
       WHERE s.team_id = ? AND a.status = 'open' AND (a.product_owner = ? OR a.engineering_owner = ?)
       ORDER BY a.review_at, a.id`,
    )
    .all(teamId, userId, userId) as Agreement[];
}

/** Closed agreements no digest has mentioned yet. */
export function closedUnsaid(db: Db, surveyId: number): Agreement[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM agreements
       WHERE survey_id = ? AND status <> 'open' AND closed_said_in IS NULL ORDER BY closed_at, id`,
    )
    .all(surveyId) as Agreement[];
}

/** Notes that the digest of `period` said these were closed. */
export function markClosedSaid(db: Db, ids: readonly number[], period: string): void {
  const put = db.prepare(
    'UPDATE agreements SET closed_said_in = ? WHERE id = ? AND closed_said_in IS NULL',
  );
  db.transaction(() => {
    for (const id of ids) put.run(period, id);
  })();
}

/** The surveys of tenants that still have the app: the only ones whose agreements get DMs. */
const INSTALLED_SURVEYS = `SELECT s.id FROM surveys s JOIN workspaces w ON w.team_id = s.team_id
  WHERE w.uninstalled_at IS NULL`;

/** Open agreements whose owners' DMs were never claimed (the app stopped before it could). */
export function agreementsWithoutDms(db: Db): Agreement[] {
  return db
    .prepare(
      `SELECT ${columns('a.')} FROM agreements a WHERE a.status = 'open' AND NOT EXISTS (
         SELECT 1 FROM schedule_runs r WHERE r.kind = 'agreement' AND r.subject_id = a.id)
       AND a.survey_id IN (${INSTALLED_SURVEYS})`,
    )
    .all() as Agreement[];
}

/** Open agreements whose review is due by `now`. */
export function dueReviews(db: Db, now: Date): Agreement[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM agreements WHERE status = 'open' AND review_at <= ?
       AND survey_id IN (${INSTALLED_SURVEYS}) ORDER BY review_at, id`,
    )
    .all(now.toISOString()) as Agreement[];
}

/**
 * Closes an open agreement (Done or Dropped). False when it was not open any
 * more: someone closed it first, and nothing changes.
 */
export function closeAgreement(
  db: Db,
  id: number,
  close: { status: 'done' | 'dropped'; by: string; at: Date; note?: string | undefined },
): boolean {
  return (
    db
      .prepare(
        `UPDATE agreements SET status = ?, closed_by = ?, closed_at = ?, note = ?
         WHERE id = ? AND status = 'open'`,
      )
      .run(close.status, close.by, close.at.toISOString(), close.note ?? null, id).changes > 0
  );
}

/** "Keep going": a new review date for an open agreement. False when it is not open. */
export function moveReview(db: Db, id: number, reviewOn: string, reviewAt: Date): boolean {
  return (
    db
      .prepare(
        `UPDATE agreements SET review_on = ?, review_at = ? WHERE id = ? AND status = 'open'`,
      )
      .run(reviewOn, reviewAt.toISOString(), id).changes > 0
  );
}

/** A workspace's agreements, for the export: every status, oldest first. */
export function workspaceAgreements(db: Db, teamId: string): Agreement[] {
  return db
    .prepare(
      `SELECT ${columns('a.')} FROM agreements a
       JOIN surveys s ON s.id = a.survey_id WHERE s.team_id = ? ORDER BY a.survey_id, a.recorded_at, a.id`,
    )
    .all(teamId) as Agreement[];
}

/** Whether this DM about the agreement has gone to this person already. */
export function messageSent(db: Db, agreementId: number, userId: string, purpose: string): boolean {
  return (
    db
      .prepare(
        'SELECT 1 FROM agreement_messages WHERE agreement_id = ? AND user_id = ? AND purpose = ?',
      )
      .get(agreementId, userId, purpose) !== undefined
  );
}

export function recordMessage(
  db: Db,
  m: { agreementId: number; userId: string; purpose: string; channelId: string; ts: string },
): void {
  db.prepare(
    `INSERT INTO agreement_messages (agreement_id, user_id, purpose, channel_id, ts)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  ).run(m.agreementId, m.userId, m.purpose, m.channelId, m.ts);
}

/**
 * forget-me: the person leaves every agreement of the workspace — as an owner
 * (who then reads as "a former leader"), as who recorded or closed one — and
 * the record of DMs sent to them goes. The agreements themselves stay: they
 * belong to the leadership team.
 */
export function forgetInAgreements(db: Db, teamId: string, userId: string): void {
  const inTeam = 'survey_id IN (SELECT id FROM surveys WHERE team_id = ?)';
  for (const column of ['product_owner', 'engineering_owner', 'recorded_by', 'closed_by'])
    db.prepare(`UPDATE agreements SET ${column} = NULL WHERE ${column} = ? AND ${inTeam}`).run(
      userId,
      teamId,
    );
  db.prepare(
    `DELETE FROM agreement_messages WHERE user_id = ?
     AND agreement_id IN (SELECT id FROM agreements WHERE ${inTeam})`,
  ).run(userId, teamId);
}

/** Freezes what a week's close said of an agreement (see migration 005). */
export function storeFollowUp(db: Db, agreementId: number, pulseId: number, f: FollowUp): void {
  db.prepare(
    `INSERT OR REPLACE INTO agreement_follow_ups (agreement_id, pulse_id, weeks_after,
       score_from, score_to, score_move, gap_from, gap_to, gap_move, gap_hidden)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    agreementId,
    pulseId,
    f.weeksAfter,
    f.score.from ?? null,
    f.score.to ?? null,
    f.score.move,
    f.gap.from ?? null,
    f.gap.to ?? null,
    f.gap.move,
    f.gap.hidden ?? null,
  );
}

/** The follow-up the latest close published by `asOf` froze for an agreement, if any. */
export function frozenFollowUp(db: Db, agreement: Agreement, asOf: Date): FollowUp | undefined {
  const row = db
    .prepare(
      `SELECT f.* FROM agreement_follow_ups f JOIN published_pulses pp ON pp.pulse_id = f.pulse_id
       WHERE f.agreement_id = ? AND pp.published_at <= ?
       ORDER BY pp.published_at DESC, pp.pulse_id DESC LIMIT 1`,
    )
    .get(agreement.id, asOf.toISOString()) as
    | {
        weeks_after: number;
        score_from: number | null;
        score_to: number | null;
        score_move: ScoreMove;
        gap_from: number | null;
        gap_to: number | null;
        gap_move: GapMove;
        gap_hidden: string | null;
      }
    | undefined;
  if (row === undefined) return undefined;
  return {
    since: agreement.recordedAt,
    weeksAfter: row.weeks_after,
    score: {
      from: row.score_from ?? undefined,
      to: row.score_to ?? undefined,
      move: row.score_move,
    },
    gap: {
      from: row.gap_from ?? undefined,
      to: row.gap_to ?? undefined,
      move: row.gap_move,
      hidden: row.gap_hidden ?? undefined,
    },
  };
}
