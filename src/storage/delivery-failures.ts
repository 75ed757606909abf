import type { Store } from './store.js';

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
export async function recordDeliveryFailure(
  db: Store,
  f: {
    teamId: string;
    surveyId?: number;
    channelId?: string;
    action: string;
    error: string;
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('delivery_failures')
    .values({
      team_id: f.teamId,
      survey_id: f.surveyId ?? null,
      channel_id: f.channelId ?? null,
      action: f.action,
      error: f.error,
      occurred_at: f.at.toISOString(),
    })
    .execute();
}

function selectFailures(db: Store) {
  return db
    .selectFrom('delivery_failures')
    .select([
      'id',
      'team_id as teamId',
      'survey_id as surveyId',
      'channel_id as channelId',
      'action',
      'error',
      'occurred_at as occurredAt',
    ]);
}

export async function recentDeliveryFailures(
  db: Store,
  teamId: string,
  since: Date,
  limit = 5,
): Promise<DeliveryFailure[]> {
  return selectFailures(db)
    .where('team_id', '=', teamId)
    .where('occurred_at', '>=', since.toISOString())
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Failures no admin has been told about yet, oldest first. */
export async function untoldFailures(db: Store): Promise<DeliveryFailure[]> {
  return selectFailures(db)
    .where('notified_at', 'is', null)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

/** Whether admins were told of the same problem (same place, action and error) since `since`. */
export async function toldSince(db: Store, f: DeliveryFailure, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom('delivery_failures')
    .select('id')
    .where('team_id', '=', f.teamId)
    .where((eb) =>
      f.surveyId === null ? eb('survey_id', 'is', null) : eb('survey_id', '=', f.surveyId),
    )
    .where((eb) =>
      f.channelId === null ? eb('channel_id', 'is', null) : eb('channel_id', '=', f.channelId),
    )
    .where('action', '=', f.action)
    .where('error', '=', f.error)
    .where('notified_at', '>=', since.toISOString())
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many ids go in one `IN (…)` list. */
const CHUNK = 500;

/**
 * Marks failures told (or dropped) at `at`; returns the ids this call marked,
 * leaving out any another instance marked first, so a problem is told once.
 */
export async function markTold(db: Store, ids: readonly number[], at: Date): Promise<number[]> {
  if (ids.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const marked: number[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await trx
        .updateTable('delivery_failures')
        .set({ notified_at: at.toISOString() })
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .where('notified_at', 'is', null)
        .returning('id')
        .execute();
      marked.push(...rows.map((row) => row.id));
    }
    return marked;
  });
}
