import type { Db } from './database.js';

export interface DeliveryFailure {
  id: number;
  teamId: string;
  surveyId: number | null;
  channelId: string | null;
  action: string;
  error: string;
  occurredAt: string;
}

/** A Slack call that failed for good: admins see it in the App Home. Never holds user content. */
export function recordDeliveryFailure(
  db: Db,
  f: {
    teamId: string;
    surveyId?: number;
    channelId?: string;
    action: string;
    error: string;
    at: Date;
  },
): void {
  db.prepare(
    `INSERT INTO delivery_failures (team_id, survey_id, channel_id, action, error, occurred_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(f.teamId, f.surveyId ?? null, f.channelId ?? null, f.action, f.error, f.at.toISOString());
}

export function recentDeliveryFailures(
  db: Db,
  teamId: string,
  since: Date,
  limit = 5,
): DeliveryFailure[] {
  return db
    .prepare(
      `SELECT id, team_id AS teamId, survey_id AS surveyId, channel_id AS channelId, action, error, occurred_at AS occurredAt
       FROM delivery_failures WHERE team_id = ? AND occurred_at >= ? ORDER BY occurred_at DESC, id DESC LIMIT ?`,
    )
    .all(teamId, since.toISOString(), limit) as DeliveryFailure[];
}

/** Failures no admin has been told about yet, oldest first. */
export function untoldFailures(db: Db): DeliveryFailure[] {
  return db
    .prepare(
      `SELECT id, team_id AS teamId, survey_id AS surveyId, channel_id AS channelId, action, error,
         occurred_at AS occurredAt
       FROM delivery_failures WHERE notified_at IS NULL ORDER BY occurred_at, id`,
    )
    .all() as DeliveryFailure[];
}

/** Whether admins were told of the same problem (same place, action and error) since `since`. */
export function toldSince(db: Db, f: DeliveryFailure, since: Date): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM delivery_failures
         WHERE team_id = ? AND survey_id IS ? AND channel_id IS ? AND action = ? AND error = ?
           AND notified_at >= ? LIMIT 1`,
      )
      .get(f.teamId, f.surveyId, f.channelId, f.action, f.error, since.toISOString()) !== undefined
  );
}

export function markTold(db: Db, ids: readonly number[], at: Date): void {
  const mark = db.prepare('UPDATE delivery_failures SET notified_at = ? WHERE id = ?');
  db.transaction(() => {
    for (const id of ids) mark.run(at.toISOString(), id);
  })();
}
