import type { Db } from './database.js';

/** Claims the digest of a survey, week and channel; false when it was posted already. */
export function claimDigest(db: Db, surveyId: number, period: string, channelId: string): boolean {
  db.prepare(
    'INSERT INTO digests (survey_id, period, channel_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(surveyId, period, channelId);
  const row = db
    .prepare('SELECT ts FROM digests WHERE survey_id = ? AND period = ? AND channel_id = ?')
    .get(surveyId, period, channelId) as { ts: string | null };
  return row.ts === null;
}

export function recordDigest(
  db: Db,
  surveyId: number,
  period: string,
  channelId: string,
  ts: string,
): void {
  db.prepare('UPDATE digests SET ts = ? WHERE survey_id = ? AND period = ? AND channel_id = ?').run(
    ts,
    surveyId,
    period,
    channelId,
  );
}
