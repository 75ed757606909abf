import { changed, type Store } from './store.js';

/**
 * How long a digest claimed with claimDigest may go unrecorded before it is
 * taken for lost with a process that stopped, and claimed anew: the
 * scheduler's lease.
 */
export const DIGEST_CLAIM_MS = 15 * 60_000;

/**
 * Claims the digest of a survey, week and channel before it is posted, so that
 * it goes once however many processes try: 'claimed' (post it, then
 * recordDigest, or releaseDigest if Slack would not take it), 'posted' (it
 * went already), or 'posting' (claimed by another attempt, which may be
 * posting it now). A claim is the digest's row with no ts yet, posted_at the
 * time it was claimed; one older than DIGEST_CLAIM_MS (its process stopped
 * while posting) is claimed anew.
 */
export async function claimDigest(
  db: Store,
  surveyId: number,
  period: string,
  channelId: string,
  now: Date,
): Promise<'claimed' | 'posted' | 'posting'> {
  const inserted = await db
    .insertInto('digests')
    .values({
      survey_id: surveyId,
      period,
      channel_id: channelId,
      posted_at: now.toISOString(),
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (changed(inserted) > 0) return 'claimed';
  const retaken = await db
    .updateTable('digests')
    .set({ posted_at: now.toISOString() })
    .where('survey_id', '=', surveyId)
    .where('period', '=', period)
    .where('channel_id', '=', channelId)
    .where('ts', 'is', null)
    .where('posted_at', '<', new Date(now.getTime() - DIGEST_CLAIM_MS).toISOString())
    .executeTakeFirst();
  if (changed(retaken) > 0) return 'claimed';
  const row = await db
    .selectFrom('digests')
    .select('ts')
    .where('survey_id', '=', surveyId)
    .where('period', '=', period)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return row?.ts != null ? 'posted' : 'posting';
}

/** Gives up a claim whose digest was not posted (Slack refused it), so a retry posts it. */
export async function releaseDigest(
  db: Store,
  surveyId: number,
  period: string,
  channelId: string,
): Promise<void> {
  await db
    .deleteFrom('digests')
    .where('survey_id', '=', surveyId)
    .where('period', '=', period)
    .where('channel_id', '=', channelId)
    .where('ts', 'is', null)
    .execute();
}

export async function recordDigest(
  db: Store,
  surveyId: number,
  period: string,
  channelId: string,
  ts: string,
): Promise<void> {
  await db
    .updateTable('digests')
    .set({ ts })
    .where('survey_id', '=', surveyId)
    .where('period', '=', period)
    .where('channel_id', '=', channelId)
    .execute();
}
