import type { Db } from './database.js';

export interface DeliveryFailure {
  id: number;
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
      `SELECT id, survey_id AS surveyId, channel_id AS channelId, action, error, occurred_at AS occurredAt
       FROM delivery_failures WHERE team_id = ? AND occurred_at >= ? ORDER BY occurred_at DESC, id DESC LIMIT ?`,
    )
    .all(teamId, since.toISOString(), limit) as DeliveryFailure[];
}
