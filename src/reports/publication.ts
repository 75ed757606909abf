import { sql } from 'kysely';
import type { FollowUp } from '../domain/agreements.js';
import { type Cell, publishCells } from '../domain/publication.js';
import { callWeek, GAP_TREND_WEEKS, type WeekCalls, weekShocks } from '../domain/trends.js';
import { lastWeeks, weekOf } from '../domain/weeks.js';
import {
  callAnswers,
  commentsToFreeze,
  isPublished,
  type PendingPulse,
  publishedSoFar,
  pulseTallies,
} from '../storage/publication.js';
import { getPulse } from '../storage/pulses.js';
import { engineOf, type Store } from '../storage/store.js';
import { getSurvey } from '../storage/surveys.js';
import { agreementsToFollow, followUpsOf } from './agreements.js';

/** Which closed pulse to work out, as of when, and the app's threshold for surveys without their own. */
export interface PublicationRequest {
  pulseId: number;
  /** ISO time it is published at. */
  at: string;
  /** False: its cells and comments only (a week too old for any output to show its calls). */
  calls: boolean;
  defaultThreshold: number;
}

/**
 * Everything a closed pulse publishes, worked out and not stored yet: its
 * cells, each judged against the survey's threshold for good, its comments as
 * frozen with it, the week's calls (trends, gaps) and what it says of each
 * open agreement. Plain data, so a worker thread can hand it back.
 */
export interface Publication {
  pulseId: number;
  surveyId: number;
  period: string;
  weekStart: string;
  threshold: number;
  respondents: number;
  invited: number;
  at: string;
  cells: Cell[];
  comments: string[];
  calls: WeekCalls | undefined;
  followUps: { agreementId: number; followUp: FollowUp }[];
  /** What it rests on besides the pulse itself (`publicationBasis`), as read. */
  basis: string;
}

/**
 * Works out a closed pulse's publication from one consistent read (every
 * figure from the same committed state, see `inSnapshot`), writing nothing.
 * Undefined when the pulse is published already, or gone. The heavy part of a
 * close (the calls over 16 weeks of answers): it runs in a worker thread on a
 * read-only connection of its own, so neither the write lock nor the event
 * loop waits for it (see jobs/publish-pulse.ts). Given a transaction, it reads
 * in that transaction.
 */
export function workOutPublication(
  db: Store,
  request: PublicationRequest,
): Promise<Publication | undefined> {
  return inSnapshot(db, async (db) => {
    if (await isPublished(db, request.pulseId)) return undefined;
    const pulse = await getPulse(db, request.pulseId);
    const survey = pulse === undefined ? undefined : await getSurvey(db, pulse.surveyId);
    if (pulse === undefined || survey === undefined) return undefined;
    const at = new Date(request.at);
    // As thresholdOf (reports/published.ts) says: the survey's own, or the app's.
    const threshold = survey.anonymityThreshold ?? request.defaultThreshold;
    const tallies = await pulseTallies(db, pulse.id);
    const week = weekOf(new Date(pulse.dueAt), survey.timezone);
    const pending: PendingPulse = {
      pulseId: pulse.id,
      surveyId: survey.id,
      period: week.period,
      weekStart: week.firstDay,
      dueAt: pulse.dueAt,
      publishedAt: request.at,
      respondents: tallies.respondents,
      invited: tallies.invited,
      threshold,
      unit: 'side',
      cells: publishCells(tallies, threshold),
    };
    const publication: Publication = {
      pulseId: pulse.id,
      surveyId: survey.id,
      period: pending.period,
      weekStart: pending.weekStart,
      threshold,
      respondents: pending.respondents,
      invited: pending.invited,
      at: request.at,
      cells: [...pending.cells],
      comments: await commentsToFreeze(db, pulse.id, tallies.respondents >= threshold),
      calls: undefined,
      followUps: [],
      basis: await publicationBasis(db, survey.id, at),
    };
    if (!request.calls) return publication;
    // The week's calls, on the answers of its last 16 closed weeks (this one included).
    const weeks = lastWeeks(week.start, survey.timezone, GAP_TREND_WEEKS);
    const weeksAgo = new Map(weeks.map((w, i) => [w.period, weeks.length - 1 - i]));
    const answers = await callAnswers(db, survey.id, weeksAgo, pending);
    // Week-wide shocks measured once, on every answer of the 16 weeks: the trends and the follow-ups allow for them.
    const shock = weekShocks(answers);
    publication.calls = callWeek(answers, shock);
    publication.followUps = await followUpsOf(db, survey, pending, at, shock);
    return publication;
  });
}

/**
 * Runs `read` on one committed state of the database, writing nothing. On
 * SQLite a deferred read transaction: in WAL mode it neither takes nor waits
 * for the write lock, and sees the state of its first read throughout. On
 * Postgres a read-only REPEATABLE READ transaction: one snapshot for all its
 * queries. Inside a transaction already, in that transaction.
 */
async function inSnapshot<T>(db: Store, read: (db: Store) => Promise<T>): Promise<T> {
  if (db.isTransaction) return read(db);
  if (engineOf(db) === 'postgres')
    return db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(read);
  // The Store's transactions begin IMMEDIATE (a write lock); this one is begun by hand.
  return db.connection().execute(async (connection) => {
    await sql`BEGIN DEFERRED`.execute(connection);
    let result: T;
    try {
      result = await read(connection);
    } catch (error) {
      await sql`ROLLBACK`.execute(connection).catch(() => undefined);
      throw error;
    }
    await sql`COMMIT`.execute(connection);
    return result;
  });
}

/**
 * What a survey's publication worked out at `at` rests on besides its own
 * pulse, in one word: the survey's published weeks (the calls and follow-ups
 * read them) and its open agreements recorded by then (each gets a
 * follow-up). A publication is stored only while this is unchanged, so one
 * worked out before another week of its survey was published, or before an
 * agreement was closed, is worked out again rather than stored stale.
 */
export async function publicationBasis(db: Store, surveyId: number, at: Date): Promise<string> {
  const agreements = (await agreementsToFollow(db, surveyId, at)).map((a) => a.id);
  return `${await publishedSoFar(db, surveyId)}|${agreements.join(',')}`;
}
