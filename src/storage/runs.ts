import { type ExpressionBuilder, sql } from 'kysely';
import type { Schema } from './schema.js';
import { changed, type Store } from './store.js';

export type RunKind =
  | 'pulse'
  | 'digest'
  | 'remind'
  | 'close'
  | 'retention'
  /** The owners' DMs when an agreement is recorded. */
  | 'agreement'
  /** An agreement's review, on its date. */
  | 'review';

export interface Run {
  id: number;
  kind: RunKind;
  surveyId: number;
  /** What the run is about within the survey: an agreement's id; 0 for the survey itself. */
  subjectId: number;
  scheduledFor: string;
  status: 'running' | 'done' | 'failed' | 'retrying' | 'skipped';
  attempts: number;
  claimedBy: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

const COLUMNS = [
  'id',
  'kind',
  'survey_id as surveyId',
  'subject_id as subjectId',
  'scheduled_for as scheduledFor',
  'status',
  'attempts',
  'claimed_by as claimedBy',
  'last_error as lastError',
  'next_attempt_at as nextAttemptAt',
] as const;

/** A row read with COLUMNS: kind and status are text in the schema, checked by its constraints. */
const asRun = (row: Omit<Run, 'kind' | 'status'> & { kind: string; status: string }): Run =>
  row as Run;

export interface RunKey {
  kind: RunKind;
  surveyId: number;
  /** An agreement's id, for agreement and review runs. */
  subjectId?: number;
  scheduledFor: Date;
}

/** A run's key as its four columns: kind, survey_id, subject_id, scheduled_for. */
const keyColumns = (key: RunKey) => ({
  kind: key.kind,
  survey_id: key.surveyId,
  subject_id: key.subjectId ?? 0,
  scheduled_for: key.scheduledFor.toISOString(),
});

const KEY = ['kind', 'survey_id', 'subject_id', 'scheduled_for'] as const;

/**
 * Claims a run: inserts its row, keyed by kind, survey and scheduled time, and
 * does nothing when a row with that key is there already (the key is unique).
 * Only the process whose insert went in runs the job; everyone else gets
 * undefined. This is what makes a run happen once across processes sharing
 * the database, double fires and restarts.
 */
export async function claimRun(
  db: Store,
  key: RunKey,
  owner: string,
  at: Date,
): Promise<Run | undefined> {
  const row = await db
    .insertInto('schedule_runs')
    .values({
      ...keyColumns(key),
      status: 'running',
      claimed_by: owner,
      claimed_at: at.toISOString(),
    })
    .onConflict((oc) => oc.columns(KEY).doNothing())
    .returning(COLUMNS)
    .executeTakeFirst();
  return row === undefined ? undefined : asRun(row);
}

/** Records a run that will not happen (too late to catch up, survey paused). */
export async function recordSkipped(
  db: Store,
  key: RunKey,
  reason: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('schedule_runs')
    .values({
      ...keyColumns(key),
      status: 'skipped',
      claimed_at: at.toISOString(),
      finished_at: at.toISOString(),
      last_error: reason,
    })
    .onConflict((oc) => oc.columns(KEY).doNothing())
    .executeTakeFirst();
  return changed(result) > 0;
}

export async function isClaimed(db: Store, key: RunKey): Promise<boolean> {
  const k = keyColumns(key);
  const row = await db
    .selectFrom('schedule_runs')
    .select('id')
    .where('kind', '=', k.kind)
    .where('survey_id', '=', k.survey_id)
    .where('subject_id', '=', k.subject_id)
    .where('scheduled_for', '=', k.scheduled_for)
    .executeTakeFirst();
  return row !== undefined;
}

export async function getRun(db: Store, id: number): Promise<Run | undefined> {
  const row = await db
    .selectFrom('schedule_runs')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : asRun(row);
}

export async function runsOf(db: Store, surveyId: number, kind?: RunKind): Promise<Run[]> {
  let query = db.selectFrom('schedule_runs').select(COLUMNS).where('survey_id', '=', surveyId);
  if (kind !== undefined) query = query.where('kind', '=', kind);
  return (await query.orderBy('scheduled_for').orderBy('id').execute()).map(asRun);
}

/** A workspace's runs skipped since `since` (a pulse while one was open, a pause, a long outage), newest first. */
export async function recentSkips(
  db: Store,
  teamId: string,
  since: Date,
): Promise<{ surveyId: number; kind: RunKind; scheduledFor: string; reason: string }[]> {
  const rows = await db
    .selectFrom('schedule_runs as r')
    .innerJoin('surveys as s', 's.id', 'r.survey_id')
    .select((eb) => [
      'r.survey_id as surveyId',
      'r.kind',
      'r.scheduled_for as scheduledFor',
      eb.fn.coalesce('r.last_error', eb.val('')).as('reason'),
    ])
    .where('s.team_id', '=', teamId)
    .where('r.status', '=', 'skipped')
    .where('r.scheduled_for', '>=', since.toISOString())
    .orderBy('r.scheduled_for', 'desc')
    .limit(5)
    .execute();
  return rows.map((row) => ({ ...row, kind: row.kind as RunKind }));
}

export async function finishRun(db: Store, id: number, at: Date): Promise<void> {
  await db
    .updateTable('schedule_runs')
    .set((eb) => ({
      status: 'done',
      attempts: eb('attempts', '+', 1),
      finished_at: at.toISOString(),
      next_attempt_at: null,
    }))
    .where('id', '=', id)
    .execute();
}

/** A failed attempt: tried again at `retryAt`, or failed for good when there is none. */
export async function failRun(
  db: Store,
  id: number,
  error: string,
  at: Date,
  retryAt: Date | undefined,
): Promise<void> {
  await db
    .updateTable('schedule_runs')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error,
      status: retryAt === undefined ? 'failed' : 'retrying',
      next_attempt_at: retryAt?.toISOString() ?? null,
      finished_at: retryAt === undefined ? at.toISOString() : null,
    }))
    .where('id', '=', id)
    .execute();
}

/** Retries whose time has come, or runs left 'running' past their lease by a process that died. */
const resumable =
  (now: Date, staleBefore: Date) => (eb: ExpressionBuilder<Schema, 'schedule_runs'>) =>
    eb.or([
      eb.and([
        eb('status', '=', sql.lit('retrying')),
        eb('next_attempt_at', '<=', now.toISOString()),
      ]),
      eb.and([eb('status', '=', 'running'), eb('claimed_at', '<', staleBefore.toISOString())]),
    ]);

/**
 * Runs that should run now: retries whose time has come, and runs left
 * 'running' past their lease by a process that died. Each must still be taken
 * with takeRun, which only one process wins.
 */
export async function runsToResume(db: Store, now: Date, staleBefore: Date): Promise<Run[]> {
  const rows = await db
    .selectFrom('schedule_runs')
    .select(COLUMNS)
    .where(resumable(now, staleBefore))
    .orderBy('scheduled_for')
    .orderBy('id')
    .execute();
  return rows.map(asRun);
}

/**
 * Takes a run found by runsToResume; false when another process took it first.
 * One conditional update: of two processes taking the same run, the second
 * finds it no longer due (its status or claim time changed) and changes nothing.
 */
export async function takeRun(
  db: Store,
  run: Run,
  owner: string,
  now: Date,
  staleBefore: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('schedule_runs')
    .set({ status: 'running', claimed_by: owner, claimed_at: now.toISOString() })
    .where('id', '=', run.id)
    .where(resumable(now, staleBefore))
    .executeTakeFirst();
  return changed(result) > 0;
}

/** A long run says it is still alive, so no other process takes it over as abandoned. */
export async function renewClaim(db: Store, id: number, owner: string, at: Date): Promise<void> {
  await db
    .updateTable('schedule_runs')
    .set({ claimed_at: at.toISOString() })
    .where('id', '=', id)
    .where('claimed_by', '=', owner)
    .where('status', '=', 'running')
    .execute();
}

/** Runs some process has claimed and not finished: their claimants may have died. */
export async function runningRuns(db: Store): Promise<Run[]> {
  const rows = await db
    .selectFrom('schedule_runs')
    .select(COLUMNS)
    .where('status', '=', 'running')
    .orderBy('scheduled_for')
    .orderBy('id')
    .execute();
  return rows.map(asRun);
}

/**
 * Takes over a run from a claimant known to be dead; false when someone else
 * took it first (the claimant it was read with is no longer the one recorded).
 */
export async function takeOrphan(db: Store, run: Run, owner: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('schedule_runs')
    .set({ claimed_by: owner, claimed_at: now.toISOString() })
    .where('id', '=', run.id)
    .where('status', '=', 'running')
    .where('claimed_by', run.claimedBy === null ? 'is' : '=', run.claimedBy)
    .executeTakeFirst();
  return changed(result) > 0;
}
