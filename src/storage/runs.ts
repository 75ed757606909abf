import type { Db } from './database.js';

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

const COLUMNS = `id, kind, survey_id AS surveyId, subject_id AS subjectId, scheduled_for AS scheduledFor, status, attempts,
  claimed_by AS claimedBy, last_error AS lastError, next_attempt_at AS nextAttemptAt`;

export interface RunKey {
  kind: RunKind;
  surveyId: number;
  /** An agreement's id, for agreement and review runs. */
  subjectId?: number;
  scheduledFor: Date;
}

/** A run's key as its four columns: kind, survey_id, subject_id, scheduled_for. */
const keyColumns = (key: RunKey) =>
  [key.kind, key.surveyId, key.subjectId ?? 0, key.scheduledFor.toISOString()] as const;

/**
 * Claims a run: inserts its row, keyed by kind, survey and scheduled time, in a
 * transaction that holds the write lock. Only the process whose insert went in
 * runs the job; everyone else gets undefined. This is what makes a run happen
 * once across processes sharing the file, double fires and restarts.
 */
export function claimRun(db: Db, key: RunKey, owner: string, at: Date): Run | undefined {
  const claim = db.transaction(() => {
    const inserted = db
      .prepare(
        `INSERT INTO schedule_runs (kind, survey_id, subject_id, scheduled_for, status, claimed_by, claimed_at)
         VALUES (?, ?, ?, ?, 'running', ?, ?)
         ON CONFLICT (kind, survey_id, subject_id, scheduled_for) DO NOTHING`,
      )
      .run(...keyColumns(key), owner, at.toISOString());
    return inserted.changes > 0 ? Number(inserted.lastInsertRowid) : undefined;
  });
  const id = claim.immediate();
  return id === undefined ? undefined : getRun(db, id);
}

/** Records a run that will not happen (too late to catch up, survey paused). */
export function recordSkipped(db: Db, key: RunKey, reason: string, at: Date): boolean {
  return (
    db
      .prepare(
        `INSERT INTO schedule_runs (kind, survey_id, subject_id, scheduled_for, status, claimed_at, finished_at, last_error)
         VALUES (?, ?, ?, ?, 'skipped', ?, ?, ?)
         ON CONFLICT (kind, survey_id, subject_id, scheduled_for) DO NOTHING`,
      )
      .run(...keyColumns(key), at.toISOString(), at.toISOString(), reason).changes > 0
  );
}

export function isClaimed(db: Db, key: RunKey): boolean {
  return (
    db
      .prepare(
        'SELECT 1 FROM schedule_runs WHERE kind = ? AND survey_id = ? AND subject_id = ? AND scheduled_for = ?',
      )
      .get(...keyColumns(key)) !== undefined
  );
}

export function getRun(db: Db, id: number): Run | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM schedule_runs WHERE id = ?`).get(id) as Run | undefined;
}

export function runsOf(db: Db, surveyId: number, kind?: RunKind): Run[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM schedule_runs WHERE survey_id = ? AND (? IS NULL OR kind = ?) ORDER BY scheduled_for, id`,
    )
    .all(surveyId, kind ?? null, kind ?? null) as Run[];
}

/** A workspace's runs skipped since `since` (a pulse while one was open, a pause, a long outage), newest first. */
export function recentSkips(
  db: Db,
  teamId: string,
  since: Date,
): { surveyId: number; kind: RunKind; scheduledFor: string; reason: string }[] {
  return db
    .prepare(
      `SELECT r.survey_id AS surveyId, r.kind, r.scheduled_for AS scheduledFor, coalesce(r.last_error, '') AS reason
       FROM schedule_runs r JOIN surveys s ON s.id = r.survey_id
       WHERE s.team_id = ? AND r.status = 'skipped' AND r.scheduled_for >= ?
       ORDER BY r.scheduled_for DESC LIMIT 5`,
    )
    .all(teamId, since.toISOString()) as {
    surveyId: number;
    kind: RunKind;
    scheduledFor: string;
    reason: string;
  }[];
}

export function finishRun(db: Db, id: number, at: Date): void {
  db.prepare(
    `UPDATE schedule_runs SET status = 'done', attempts = attempts + 1, finished_at = ?,
       next_attempt_at = NULL WHERE id = ?`,
  ).run(at.toISOString(), id);
}

/** A failed attempt: tried again at `retryAt`, or failed for good when there is none. */
export function failRun(
  db: Db,
  id: number,
  error: string,
  at: Date,
  retryAt: Date | undefined,
): void {
  db.prepare(
    `UPDATE schedule_runs SET attempts = attempts + 1, last_error = ?,
       status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'retrying' END,
       next_attempt_at = ?, finished_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END
     WHERE id = ?`,
  ).run(
    error,
    retryAt?.toISOString() ?? null,
    retryAt?.toISOString() ?? null,
    retryAt?.toISOString() ?? null,
    at.toISOString(),
    id,
  );
}

/**
 * Runs that should run now: retries whose time has come, and runs left
 * 'running' past their lease by a process that died. Each must still be taken
 * with takeRun, which only one process wins.
 */
export function runsToResume(db: Db, now: Date, staleBefore: Date): Run[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM schedule_runs
       WHERE (status = 'retrying' AND next_attempt_at <= ?) OR (status = 'running' AND claimed_at < ?)
       ORDER BY scheduled_for, id`,
    )
    .all(now.toISOString(), staleBefore.toISOString()) as Run[];
}

/** Takes a run found by runsToResume; false when another process took it first. */
export function takeRun(db: Db, run: Run, owner: string, now: Date, staleBefore: Date): boolean {
  return (
    db
      .prepare(
        `UPDATE schedule_runs SET status = 'running', claimed_by = ?, claimed_at = ?
         WHERE id = ? AND ((status = 'retrying' AND next_attempt_at <= ?) OR (status = 'running' AND claimed_at < ?))`,
      )
      .run(owner, now.toISOString(), run.id, now.toISOString(), staleBefore.toISOString()).changes >
    0
  );
}

/** A long run says it is still alive, so no other process takes it over as abandoned. */
export function renewClaim(db: Db, id: number, owner: string, at: Date): void {
  db.prepare(
    `UPDATE schedule_runs SET claimed_at = ? WHERE id = ? AND claimed_by = ? AND status = 'running'`,
  ).run(at.toISOString(), id, owner);
}

/** Runs some process has claimed and not finished: their claimants may have died. */
export function runningRuns(db: Db): Run[] {
  return db
    .prepare(
      `SELECT ${COLUMNS} FROM schedule_runs WHERE status = 'running' ORDER BY scheduled_for, id`,
    )
    .all() as Run[];
}

/** Takes over a run from a claimant known to be dead; false when someone else took it first. */
export function takeOrphan(db: Db, run: Run, owner: string, now: Date): boolean {
  return (
    db
      .prepare(
        `UPDATE schedule_runs SET claimed_by = ?, claimed_at = ?
         WHERE id = ? AND status = 'running' AND claimed_by IS ?`,
      )
      .run(owner, now.toISOString(), run.id, run.claimedBy).changes > 0
  );
}
