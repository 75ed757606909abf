import { sql } from 'kysely';
import type { FollowUp, GapMove, ScoreMove } from '../domain/agreements.js';
import type { Dimension } from '../domain/dimensions.js';
import { changed, type Store } from './store.js';

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

const COLUMNS = [
  'id',
  'survey_id as surveyId',
  'dimension',
  'body',
  'product_owner as productOwner',
  'engineering_owner as engineeringOwner',
  'recorded_by as recordedBy',
  'recorded_at as recordedAt',
  'review_on as reviewOn',
  'review_at as reviewAt',
  'status',
  'closed_at as closedAt',
  'closed_by as closedBy',
  'note',
  'closed_said_in as closedSaidIn',
] as const;

/** A row read with COLUMNS: dimension and status are text in the schema, checked where written. */
const asAgreement = (
  row: Omit<Agreement, 'dimension' | 'status'> & { dimension: string; status: string },
): Agreement => row as Agreement;

/** The ids of a workspace's surveys, as a subquery. */
const surveysOf = (db: Store, teamId: string) =>
  db.selectFrom('surveys').select('id').where('team_id', '=', teamId);

/** The surveys of tenants that still have the app: the only ones whose agreements get DMs. */
const installedSurveys = (db: Store) =>
  db
    .selectFrom('surveys as s')
    .innerJoin('workspaces as w', 'w.team_id', 's.team_id')
    .select('s.id')
    .where('w.uninstalled_at', 'is', null);

/** How many ids go in one statement's IN list (SQLite's limit on variables is 32,766). */
const CHUNK = 500;

export async function createAgreement(
  db: Store,
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
): Promise<Agreement> {
  const row = await db
    .insertInto('agreements')
    .values({
      survey_id: a.surveyId,
      dimension: a.dimension,
      body: a.body,
      product_owner: a.productOwner,
      engineering_owner: a.engineeringOwner,
      recorded_by: a.recordedBy,
      recorded_at: a.recordedAt.toISOString(),
      review_on: a.reviewOn,
      review_at: a.reviewAt.toISOString(),
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return asAgreement(row);
}

/** The largest id an agreement can have (a 32-bit integer column on Postgres). */
const MAX_ID = 2_147_483_647;

/** The agreement with this id; none for an id no agreement can have (from a forged button). */
export async function getAgreement(db: Store, id: number): Promise<Agreement | undefined> {
  if (!Number.isInteger(id) || id < 1 || id > MAX_ID) return undefined;
  const row = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : asAgreement(row);
}

/** A survey's open agreements, oldest first. */
export async function openAgreements(db: Store, surveyId: number): Promise<Agreement[]> {
  const rows = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('survey_id', '=', surveyId)
    .where('status', '=', sql.lit('open'))
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  return rows.map(asAgreement);
}

/** Open agreements a person owns, in any survey of the workspace. */
export async function agreementsOwnedBy(
  db: Store,
  teamId: string,
  userId: string,
): Promise<Agreement[]> {
  const rows = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('survey_id', 'in', surveysOf(db, teamId))
    .where('status', '=', sql.lit('open'))
    .where((eb) => eb.or([eb('product_owner', '=', userId), eb('engineering_owner', '=', userId)]))
    .orderBy('review_at')
    .orderBy('id')
    .execute();
  return rows.map(asAgreement);
}

/** Closed agreements no digest has mentioned yet. */
export async function closedUnsaid(db: Store, surveyId: number): Promise<Agreement[]> {
  // closed_at is set whenever status is not 'open', so the order has no NULLs.
  const rows = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('survey_id', '=', surveyId)
    .where('status', '<>', 'open')
    .where('closed_said_in', 'is', null)
    .orderBy('closed_at')
    .orderBy('id')
    .execute();
  return rows.map(asAgreement);
}

/** Notes that the digest of `period` said these were closed. */
export async function markClosedSaid(
  db: Store,
  ids: readonly number[],
  period: string,
): Promise<void> {
  for (let from = 0; from < ids.length; from += CHUNK)
    await db
      .updateTable('agreements')
      .set({ closed_said_in: period })
      .where('id', 'in', ids.slice(from, from + CHUNK))
      .where('closed_said_in', 'is', null)
      .execute();
}

/** Open agreements whose owners' DMs were never claimed (the app stopped before it could). */
export async function agreementsWithoutDms(db: Store): Promise<Agreement[]> {
  const rows = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('status', '=', sql.lit('open'))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('schedule_runs as r')
            .select('r.id')
            .where('r.kind', '=', 'agreement')
            .whereRef('r.survey_id', '=', 'agreements.survey_id')
            .whereRef('r.subject_id', '=', 'agreements.id'),
        ),
      ),
    )
    .where('survey_id', 'in', installedSurveys(db))
    .execute();
  return rows.map(asAgreement);
}

/** Open agreements whose review is due by `now`. */
export async function dueReviews(db: Store, now: Date): Promise<Agreement[]> {
  const rows = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('status', '=', sql.lit('open'))
    .where('review_at', '<=', now.toISOString())
    .where('survey_id', 'in', installedSurveys(db))
    .orderBy('review_at')
    .orderBy('id')
    .execute();
  return rows.map(asAgreement);
}

/**
 * Closes an open agreement (Done or Dropped). False when it was not open any
 * more: someone closed it first, and nothing changes.
 */
export async function closeAgreement(
  db: Store,
  id: number,
  close: { status: 'done' | 'dropped'; by: string; at: Date; note?: string | undefined },
): Promise<boolean> {
  const result = await db
    .updateTable('agreements')
    .set({
      status: close.status,
      closed_by: close.by,
      closed_at: close.at.toISOString(),
      note: close.note ?? null,
    })
    .where('id', '=', id)
    .where('status', '=', sql.lit('open'))
    .executeTakeFirst();
  return changed(result) > 0;
}

/** "Keep going": a new review date for an open agreement. False when it is not open. */
export async function moveReview(
  db: Store,
  id: number,
  reviewOn: string,
  reviewAt: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('agreements')
    .set({ review_on: reviewOn, review_at: reviewAt.toISOString() })
    .where('id', '=', id)
    .where('status', '=', sql.lit('open'))
    .executeTakeFirst();
  return changed(result) > 0;
}

/** A workspace's agreements, for the export: every status, oldest first. */
export async function workspaceAgreements(db: Store, teamId: string): Promise<Agreement[]> {
  const rows = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('survey_id', 'in', surveysOf(db, teamId))
    .orderBy('survey_id')
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  return rows.map(asAgreement);
}

/**
 * How long a DM claimed with claimMessage may go unrecorded before it is taken
 * for lost with a process that stopped, and claimed anew: the scheduler's lease.
 */
export const MESSAGE_CLAIM_MS = 15 * 60_000;

/** Which DM: about which agreement, to whom, for what ('recorded', or 'review:' and the day). */
export interface MessageKey {
  agreementId: number;
  userId: string;
  purpose: string;
}

/**
 * Whether this DM about the agreement has gone to this person already (a
 * claim not yet recorded has not).
 */
export async function messageSent(
  db: Store,
  agreementId: number,
  userId: string,
  purpose: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('agreement_messages')
    .select('ts')
    .where('agreement_id', '=', agreementId)
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('channel_id', '<>', '')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Claims a DM before it is sent, so that it goes once however many processes
 * try: 'claimed' (send it, then recordMessage, or releaseMessage if Slack
 * would not take it), 'sent' (it went already), or 'sending' (claimed by
 * another attempt, which may be sending it now). A claim is the DM's row with
 * no channel yet ('') and the time it was claimed in `ts`; one older than
 * MESSAGE_CLAIM_MS (its process stopped while sending) is claimed anew.
 */
export async function claimMessage(
  db: Store,
  m: MessageKey,
  now: Date,
): Promise<'claimed' | 'sent' | 'sending'> {
  const inserted = await db
    .insertInto('agreement_messages')
    .values({
      agreement_id: m.agreementId,
      user_id: m.userId,
      purpose: m.purpose,
      channel_id: '',
      ts: now.toISOString(),
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (changed(inserted) > 0) return 'claimed';
  const retaken = await db
    .updateTable('agreement_messages')
    .set({ ts: now.toISOString() })
    .where('agreement_id', '=', m.agreementId)
    .where('user_id', '=', m.userId)
    .where('purpose', '=', m.purpose)
    .where('channel_id', '=', '')
    .where('ts', '<', new Date(now.getTime() - MESSAGE_CLAIM_MS).toISOString())
    .executeTakeFirst();
  if (changed(retaken) > 0) return 'claimed';
  const sent = await messageSent(db, m.agreementId, m.userId, m.purpose);
  return sent ? 'sent' : 'sending';
}

/** Gives up a claim whose DM was not sent (Slack refused it), so a retry sends it. */
export async function releaseMessage(db: Store, m: MessageKey): Promise<void> {
  await db
    .deleteFrom('agreement_messages')
    .where('agreement_id', '=', m.agreementId)
    .where('user_id', '=', m.userId)
    .where('purpose', '=', m.purpose)
    .where('channel_id', '=', '')
    .execute();
}

/** Records a DM sent: its claim becomes the DM's channel and ts. A DM recorded already stays. */
export async function recordMessage(
  db: Store,
  m: { agreementId: number; userId: string; purpose: string; channelId: string; ts: string },
): Promise<void> {
  await db
    .insertInto('agreement_messages')
    .values({
      agreement_id: m.agreementId,
      user_id: m.userId,
      purpose: m.purpose,
      channel_id: m.channelId,
      ts: m.ts,
    })
    .onConflict((oc) =>
      oc
        .columns(['agreement_id', 'user_id', 'purpose'])
        .doUpdateSet({ channel_id: m.channelId, ts: m.ts })
        .where('agreement_messages.channel_id', '=', ''),
    )
    .execute();
}

/**
 * forget-me: the person leaves every agreement of the workspace — as an owner
 * (who then reads as "a former leader"), as who recorded or closed one — and
 * the record of DMs sent to them goes. The agreements themselves stay: they
 * belong to the leadership team.
 */
export async function forgetInAgreements(db: Store, teamId: string, userId: string): Promise<void> {
  const inTeam = surveysOf(db, teamId);
  for (const column of ['product_owner', 'engineering_owner', 'recorded_by', 'closed_by'] as const)
    await db
      .updateTable('agreements')
      .set(column, null)
      .where(column, '=', userId)
      .where('survey_id', 'in', inTeam)
      .execute();
  await db
    .deleteFrom('agreement_messages')
    .where('user_id', '=', userId)
    .where(
      'agreement_id',
      'in',
      db.selectFrom('agreements').select('id').where('survey_id', 'in', inTeam),
    )
    .execute();
}

/**
 * Freezes what a week's close said of an agreement (see migration 005); a
 * follow-up stored again for the same agreement and pulse replaces it.
 */
export async function storeFollowUp(
  db: Store,
  agreementId: number,
  pulseId: number,
  f: FollowUp,
): Promise<void> {
  const figures = {
    weeks_after: f.weeksAfter,
    score_from: f.score.from ?? null,
    score_to: f.score.to ?? null,
    score_move: f.score.move,
    gap_from: f.gap.from ?? null,
    gap_to: f.gap.to ?? null,
    gap_move: f.gap.move,
    gap_hidden: f.gap.hidden ?? null,
  };
  await db
    .insertInto('agreement_follow_ups')
    .values({ agreement_id: agreementId, pulse_id: pulseId, ...figures })
    .onConflict((oc) => oc.columns(['agreement_id', 'pulse_id']).doUpdateSet(figures))
    .execute();
}

/** The follow-up the latest close published by `asOf` froze for an agreement, if any. */
export async function frozenFollowUp(
  db: Store,
  agreement: Agreement,
  asOf: Date,
): Promise<FollowUp | undefined> {
  const row = await db
    .selectFrom('agreement_follow_ups as f')
    .innerJoin('published_pulses as pp', 'pp.pulse_id', 'f.pulse_id')
    .select([
      'f.weeks_after',
      'f.score_from',
      'f.score_to',
      'f.score_move',
      'f.gap_from',
      'f.gap_to',
      'f.gap_move',
      'f.gap_hidden',
    ])
    .where('f.agreement_id', '=', agreement.id)
    .where('pp.published_at', '<=', asOf.toISOString())
    .orderBy('pp.published_at', 'desc')
    .orderBy('pp.pulse_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    since: agreement.recordedAt,
    weeksAfter: row.weeks_after,
    score: {
      from: row.score_from ?? undefined,
      to: row.score_to ?? undefined,
      move: row.score_move as ScoreMove,
    },
    gap: {
      from: row.gap_from ?? undefined,
      to: row.gap_to ?? undefined,
      move: row.gap_move as GapMove,
      hidden: row.gap_hidden ?? undefined,
    },
  };
}
