import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import {
  type Dimension,
  type Discipline,
  type Side,
  type SideMapping,
  sideOf,
} from '../domain/dimensions.js';
import {
  type Cell,
  type CellGroup,
  type CellHidden,
  type PublishedPulse,
  type PulseTallies,
  sideGroup,
} from '../domain/publication.js';
import type { Counts, Tally } from '../domain/scoring.js';
import type { TrendAnswer, WeekCalls } from '../domain/trends.js';
import { firstRow, prepared } from './prepared.js';
import { changed, type Store } from './store.js';

/** Rows a multi-row insert writes at a time (SQLite allows 32,766 parameters a statement). */
const CHUNK = 500;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * A closed pulse's answers, tallied for publishing: per question and side, how
 * many answers of 1–5 (reversed questions flipped) and how many distinct
 * people. Each person is counted with one side for the whole pulse: the side
 * of the discipline their answers were given under (their latest, should an
 * old database hold two), under the sides the pulse opened with. Individual
 * answers never leave this function.
 */
export async function pulseTallies(db: Store, pulseId: number): Promise<PulseTallies> {
  const questions = await db
    .selectFrom('pulse_questions as pq')
    .innerJoin('questions as q', 'q.id', 'pq.question_id')
    .select(['q.id', 'q.dimension', 'q.reversed'])
    .where('pq.pulse_id', '=', pulseId)
    .orderBy('pq.position')
    .execute();
  const mapping = await pulseSides(db, pulseId);
  const rows = await db
    .selectFrom('answers')
    .select(['question_id as questionId', 'user_id as userId', 'discipline', 'value'])
    .where('pulse_id', '=', pulseId)
    .orderBy('updated_at')
    .$narrowType<{ discipline: Discipline }>()
    .execute();
  const disciplineOf = new Map<string, Discipline>();
  for (const row of rows) disciplineOf.set(row.userId, row.discipline);
  const reversed = new Map(questions.map((q) => [q.id, q.reversed === 1]));
  const tallies = new Map<string, Map<Side, { counts: number[]; people: Set<string> }>>();
  for (const row of rows) {
    if (!reversed.has(row.questionId)) continue;
    const side = sideOf(disciplineOf.get(row.userId) ?? row.discipline, mapping);
    const bySide = tallies.get(row.questionId) ?? new Map();
    tallies.set(row.questionId, bySide);
    const group = bySide.get(side) ?? { counts: [0, 0, 0, 0, 0], people: new Set() };
    bySide.set(side, group);
    const value = reversed.get(row.questionId) === true ? 6 - row.value : row.value;
    group.counts[value - 1] += 1;
    group.people.add(row.userId);
  }
  const { invited } = await db
    .selectFrom('pulse_recipients')
    .select((eb) => eb.fn.countAll<number>().as('invited'))
    .where('pulse_id', '=', pulseId)
    .executeTakeFirstOrThrow();
  return {
    questions: questions.map((q) => ({ id: q.id, dimension: q.dimension as Dimension })),
    tallies: new Map(
      [...tallies].map(([questionId, bySide]) => [
        questionId,
        new Map(
          [...bySide].map(([side, g]) => [
            side,
            { counts: g.counts as unknown as Counts, respondents: g.people.size },
          ]),
        ),
      ]),
    ),
    respondents: disciplineOf.size,
    invited,
  };
}

/** The sides a pulse opened with: which side Design, Program / TPM and Other count with. */
export async function pulseSides(db: Store, pulseId: number): Promise<SideMapping> {
  const row = await db
    .selectFrom('pulses')
    .select(['design_side as design', 'program_side as program', 'other_side as other'])
    .where('id', '=', pulseId)
    .$narrowType<SideMapping>()
    .executeTakeFirst();
  if (row === undefined) throw new Error(`pulse ${pulseId} does not exist`);
  return row;
}

export async function isPublished(db: Store, pulseId: number): Promise<boolean> {
  const row = await db
    .selectFrom('published_pulses')
    .select('pulse_id')
    .where('pulse_id', '=', pulseId)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many answered a published pulse and the threshold it was published with; undefined when it is not published. */
export function publishedHeadcount(
  db: Store,
  pulseId: number,
): Promise<{ respondents: number; threshold: number } | undefined> {
  return db
    .selectFrom('published_pulses')
    .select(['respondents', 'threshold'])
    .where('pulse_id', '=', pulseId)
    .executeTakeFirst();
}

/**
 * Stores a pulse's published figures and the comments frozen with it (see
 * `commentsToFreeze`): the caller holds the write transaction that stores the
 * whole publication.
 */
export async function storePublication(
  db: Store,
  p: {
    pulseId: number;
    surveyId: number;
    period: string;
    weekStart: string;
    threshold: number;
    respondents: number;
    invited: number;
    at: Date;
    cells: readonly Cell[];
    comments: readonly string[];
  },
): Promise<void> {
  await db
    .insertInto('published_pulses')
    .values({
      pulse_id: p.pulseId,
      survey_id: p.surveyId,
      period: p.period,
      week_start: p.weekStart,
      threshold: p.threshold,
      respondents: p.respondents,
      invited: p.invited,
      published_at: p.at.toISOString(),
      unit: 'side',
      comments_frozen: 1,
    })
    .execute();
  const cells = p.cells.map((c) => {
    const [n1, n2, n3, n4, n5] = c.tally?.counts ?? [null, null, null, null, null];
    return {
      pulse_id: p.pulseId,
      question_id: c.questionId,
      dimension: c.dimension,
      grp: c.group,
      hidden: c.hidden ?? null,
      respondents: c.tally?.respondents ?? null,
      n1,
      n2,
      n3,
      n4,
      n5,
    };
  });
  for (const chunk of chunks(cells)) await db.insertInto('published_cells').values(chunk).execute();
  await insertComments(db, p.pulseId, p.comments);
}

/**
 * The comments a closed pulse freezes with it: the text only, in an order that
 * says nothing (sorted by a hash of the pulse and the text, so neither who wrote
 * a comment nor when changes where it appears), and only when at least the
 * threshold answered (`publish`). forget-me and retention delete the comments
 * rows, which link a comment to its author; the published text stays with its week.
 */
export async function commentsToFreeze(
  db: Store,
  pulseId: number,
  publish: boolean,
): Promise<string[]> {
  if (!publish) return [];
  const rows = await db
    .selectFrom('comments')
    .select('body')
    .where('pulse_id', '=', pulseId)
    .execute();
  const key = (body: string) =>
    createHash('sha256').update(`${pulseId}\u0000${body}`).digest('hex');
  return rows
    .map((r) => ({ key: key(r.body), body: r.body }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.body);
}

async function insertComments(
  db: Store,
  pulseId: number,
  bodies: readonly string[],
): Promise<void> {
  const rows = bodies.map((body, position) => ({ pulse_id: pulseId, position, body }));
  for (const chunk of chunks(rows))
    await db.insertInto('published_comments').values(chunk).execute();
}

/**
 * Freezes the comments of pulses published before comments were frozen with
 * them (migration 006), as they would have been. Run at start; returns how many
 * it froze (none that another instance starting at once froze first).
 */
export async function freezeOlderComments(db: Store): Promise<number> {
  const pending = await db
    .selectFrom('published_pulses')
    .select([
      'pulse_id as pulseId',
      sql<number>`CASE WHEN respondents >= threshold THEN 1 ELSE 0 END`.as('publish'),
    ])
    .where('comments_frozen', '=', 0)
    .execute();
  let frozen = 0;
  for (const p of pending)
    await db.transaction().execute(async (trx) => {
      // Marked first, and only while unfrozen: of two instances, one freezes them.
      const marked = await trx
        .updateTable('published_pulses')
        .set({ comments_frozen: 1 })
        .where('pulse_id', '=', p.pulseId)
        .where('comments_frozen', '=', 0)
        .executeTakeFirst();
      if (changed(marked) === 0) return;
      await insertComments(trx, p.pulseId, await commentsToFreeze(trx, p.pulseId, p.publish === 1));
      frozen += 1;
    });
  return frozen;
}

/** Closed pulses with no publication yet: written by an older version, or by a close that failed. */
export async function closedUnpublishedPulses(db: Store): Promise<number[]> {
  const rows = await db
    .selectFrom('pulses')
    .select('id')
    .where('closed_at', 'is not', null)
    .where('id', 'not in', (eb) => eb.selectFrom('published_pulses').select('pulse_id'))
    .orderBy('due_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

interface CellRow {
  pulseId: number;
  questionId: string;
  dimension: Dimension;
  grp: CellGroup;
  hidden: CellHidden | null;
  respondents: number | null;
  n1: number | null;
  n2: number | null;
  n3: number | null;
  n4: number | null;
  n5: number | null;
}

/**
 * A pulse being published: its figures worked out from a consistent read, not
 * stored yet. The week's calls and follow-ups are worked out with it among the
 * published pulses (`pending` below), as they were when the publication was
 * stored first and read back in the same transaction; no output ever sees it.
 */
export interface PendingPulse extends PublishedPulse {
  surveyId: number;
  weekStart: string;
  dueAt: string;
  /** ISO time it will be published at (published_at). */
  publishedAt: string;
}

/**
 * The published pulses of a survey in the given weeks (ISO periods), published
 * by `asOf`, oldest first, with their cells; with `pending` among them when it
 * belongs there.
 */
export async function publishedPulses(
  db: Store,
  surveyId: number,
  periods: readonly string[],
  asOf: Date,
  pending?: PendingPulse,
): Promise<(PublishedPulse & { weekStart: string })[]> {
  return (await pulsesWithCells(db, surveyId, periods, asOf.toISOString(), pending)).map(
    ({ pulseId, period, weekStart, respondents, invited, threshold, unit, cells }) => ({
      pulseId,
      period,
      weekStart,
      respondents,
      invited,
      threshold,
      unit,
      cells,
    }),
  );
}

/** A published pulse as read for working out: when it is due, to keep them in order. */
type PulseWithCells = PublishedPulse & { weekStart: string; dueAt: string };

/** publishedPulses, published by `asOf` (any time when undefined), each with its due time. */
async function pulsesWithCells(
  db: Store,
  surveyId: number,
  periods: readonly string[],
  asOf: string | undefined,
  pending: PendingPulse | undefined,
): Promise<PulseWithCells[]> {
  const pulses =
    periods.length === 0
      ? []
      : await db
          .selectFrom('published_pulses as pp')
          .innerJoin('pulses as p', 'p.id', 'pp.pulse_id')
          .select([
            'pp.pulse_id as pulseId',
            'pp.period',
            'pp.week_start as weekStart',
            'pp.respondents',
            'pp.invited',
            'pp.threshold',
            'pp.unit',
            'p.due_at as dueAt',
          ])
          .where('pp.survey_id', '=', surveyId)
          .where('pp.period', 'in', periods)
          .$if(asOf !== undefined, (q) => q.where('pp.published_at', '<=', asOf as string))
          .orderBy('p.due_at')
          .orderBy('pp.pulse_id')
          .$narrowType<{ unit: PublishedPulse['unit'] }>()
          .execute();
  const rows: CellRow[] =
    pulses.length === 0
      ? []
      : await db
          .selectFrom('published_cells')
          .select([
            'pulse_id as pulseId',
            'question_id as questionId',
            'dimension',
            'grp',
            'hidden',
            'respondents',
            'n1',
            'n2',
            'n3',
            'n4',
            'n5',
          ])
          .where(
            'pulse_id',
            'in',
            pulses.map((p) => p.pulseId),
          )
          .$narrowType<Pick<CellRow, 'dimension' | 'grp' | 'hidden'>>()
          .execute();
  const cellsOf = new Map<number, Cell[]>();
  for (const row of rows) {
    const list = cellsOf.get(row.pulseId) ?? [];
    cellsOf.set(row.pulseId, list);
    const tally: Tally | undefined =
      row.hidden === null
        ? {
            counts: [row.n1 ?? 0, row.n2 ?? 0, row.n3 ?? 0, row.n4 ?? 0, row.n5 ?? 0],
            respondents: row.respondents ?? 0,
          }
        : undefined;
    list.push({
      questionId: row.questionId,
      dimension: row.dimension,
      group: row.grp,
      tally,
      hidden: row.hidden ?? undefined,
    });
  }
  const published = pulses.map((p) => ({ ...p, cells: cellsOf.get(p.pulseId) ?? [] }));
  if (!belongs(pending, surveyId, asOf) || !periods.includes(pending.period)) return published;
  // Where the database would have put it: by due time, then id.
  return [...published, pending].sort((a, b) =>
    a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.pulseId - b.pulseId,
  );
}

/** Whether the pulse being published counts among a survey's pulses published by `asOf` (any time when undefined). */
function belongs(
  pending: PendingPulse | undefined,
  surveyId: number,
  asOf: string | undefined,
): pending is PendingPulse {
  return (
    pending !== undefined &&
    pending.surveyId === surveyId &&
    (asOf === undefined || pending.publishedAt <= asOf)
  );
}

/**
 * What a survey has published by `asOf`, in one word: it changes exactly when
 * another pulse is published (how many, and the latest), so an answer built
 * from published figures stays right for as long as it does not.
 */
export async function publicationVersion(db: Store, surveyId: number, asOf: Date): Promise<string> {
  const row = await firstRow(publishedBy(db, surveyId, asOf.toISOString()));
  return `${row?.n ?? 0}:${row?.latest ?? 0}`;
}

const publishedBy = prepared((db, surveyId: number, asOf: string) =>
  db
    .selectFrom('published_pulses')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('pulse_id').as('latest')])
    .where('survey_id', '=', surveyId)
    .where('published_at', '<=', asOf),
);

/**
 * Every pulse a survey has published, whenever, in one word: it changes exactly
 * when another is published. A publication worked out from one read is stored
 * only if this has not changed since (its calls read the published weeks).
 */
export async function publishedSoFar(db: Store, surveyId: number): Promise<string> {
  const row = await db
    .selectFrom('published_pulses')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('pulse_id').as('latest')])
    .where('survey_id', '=', surveyId)
    .executeTakeFirstOrThrow();
  return `${row.n}:${row.latest ?? 0}`;
}

/** The latest week of a survey with a pulse published by `asOf`. */
export function latestPublishedWeek(
  db: Store,
  surveyId: number,
  asOf: Date,
): Promise<{ period: string; weekStart: string } | undefined> {
  return db
    .selectFrom('published_pulses')
    .select(['period', 'week_start as weekStart'])
    .where('survey_id', '=', surveyId)
    .where('published_at', '<=', asOf.toISOString())
    .orderBy('period', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Up to `limit` anonymous comments of published pulses, as frozen when each
 * closed (only pulses that at least their threshold answered have any): bodies
 * only, never their authors or times, in the order frozen with them, which says
 * nothing of who wrote one or when.
 */
export async function publishedComments(
  db: Store,
  pulseIds: readonly number[],
  limit = 3,
): Promise<string[]> {
  if (pulseIds.length === 0) return [];
  const rows = await db
    .selectFrom('published_comments')
    .select('body')
    .where('pulse_id', 'in', pulseIds)
    .orderBy('position')
    .orderBy('pulse_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.body);
}

/**
 * The answers a week's calls are worked out from: those of published pulses in
 * the given weeks (`pending` among them when its week is one) whose question
 * was shown for everyone that week, each with its side and whether that side's
 * group was large enough to publish (shown, or hidden only because the other
 * side was short). A pulse published by side gives each person the side of
 * their discipline under its sides; one published before the sides counted only
 * Product and Engineering as the gap's two sides, and gives the others none.
 * Reversed statements flipped, 0–100. Read only while a publication is worked
 * out, never by an output.
 */
export async function callAnswers(
  db: Store,
  surveyId: number,
  weeksAgo: ReadonlyMap<string, number>,
  pending?: PendingPulse,
): Promise<TrendAnswer[]> {
  const answers: TrendAnswer[] = [];
  const pulses = await pulsesWithCells(db, surveyId, [...weeksAgo.keys()], undefined, pending);
  for (const pulse of pulses) {
    // Its cells by statement and group; only statements shown for everyone count.
    const cells = new Map<string, Map<string, Cell>>();
    for (const cell of pulse.cells) {
      const groups = cells.get(cell.questionId) ?? new Map<string, Cell>();
      cells.set(cell.questionId, groups.set(cell.group, cell));
    }
    const shown = [...cells].filter(([, groups]) => {
      const everyone = groups.get('all');
      return everyone !== undefined && everyone.hidden === undefined;
    });
    if (shown.length === 0) continue;
    const statements = shown.map(([id]) => id);
    const reversed = new Set(
      (
        await db
          .selectFrom('questions')
          .select('id')
          .where('reversed', '=', 1)
          .where('id', 'in', statements)
          .execute()
      ).map((q) => q.id),
    );
    const sides = await pulseSides(db, pulse.pulseId);
    const byDiscipline = pulse.unit === 'discipline';
    const week = weeksAgo.get(pulse.period) ?? 0;
    const rows = await db
      .selectFrom('answers')
      .select(['user_id as leader', 'question_id as statement', 'discipline', 'value'])
      .where('pulse_id', '=', pulse.pulseId)
      .where('question_id', 'in', statements)
      .$narrowType<{ discipline: Discipline }>()
      .execute();
    for (const row of rows) {
      const groups = cells.get(row.statement);
      const everyone = groups?.get('all');
      if (groups === undefined || everyone === undefined) continue;
      const side: Side | undefined = byDiscipline
        ? row.discipline === 'product' || row.discipline === 'engineering'
          ? row.discipline
          : undefined
        : sideOf(row.discipline, sides);
      const group =
        side === undefined
          ? undefined
          : groups.get(byDiscipline ? row.discipline : sideGroup(side));
      answers.push({
        leader: row.leader,
        side,
        groupLargeEnough:
          group !== undefined && (group.hidden === undefined || group.hidden === 'complement'),
        statement: row.statement,
        dimension: everyone.dimension,
        weeksAgo: week,
        value: ((reversed.has(row.statement) ? 6 - row.value : row.value) - 1) * 25,
      });
    }
  }
  return answers;
}

/** Stores a week's calls with the pulse whose close made them. */
export async function storeCalls(db: Store, pulseId: number, calls: WeekCalls): Promise<void> {
  const rows = [
    ...Object.entries(calls.trends).map(([scope, call]) => ({ line: 'trend', scope, call })),
    ...Object.entries(calls.gaps).map(([scope, call]) => ({ line: 'gap', scope, call })),
    ...(calls.featured === undefined
      ? []
      : [{ line: 'featured_gap_trend', scope: calls.featured, call: calls.featuredTrend }]),
  ].map((row) => ({ pulse_id: pulseId, ...row }));
  if (rows.length > 0) await db.insertInto('published_calls').values(rows).execute();
}

/** The calls stored with a pulse; undefined when it has none (published before calls were). */
export async function publishedCalls(db: Store, pulseId: number): Promise<WeekCalls | undefined> {
  const rows = await db
    .selectFrom('published_calls')
    .select(['line', 'scope', 'call'])
    .where('pulse_id', '=', pulseId)
    .execute();
  if (rows.length === 0) return undefined;
  const of = (line: string) =>
    Object.fromEntries(rows.filter((r) => r.line === line).map((r) => [r.scope, r.call]));
  const featured = rows.find((r) => r.line === 'featured_gap_trend');
  return {
    trends: of('trend') as WeekCalls['trends'],
    gaps: of('gap') as WeekCalls['gaps'],
    featured: featured?.scope as Dimension | undefined,
    featuredTrend: (featured?.call ?? 'not_enough_data') as WeekCalls['featuredTrend'],
  };
}

/**
 * The closed weeks around a moment: the last `before` published up to it, and
 * every one published after it, up to `asOf` (`pending` among them when it
 * belongs there). Periods, oldest first.
 */
export async function publishedAround(
  db: Store,
  surveyId: number,
  at: Date,
  asOf: Date,
  before: number,
  pending?: PendingPulse,
): Promise<{ before: string[]; after: string[] }> {
  const rows: { period: string; earlier: number }[] = await db
    .selectFrom('published_pulses')
    .select([
      'period',
      sql<number>`CASE WHEN published_at <= ${at.toISOString()} THEN 1 ELSE 0 END`.as('earlier'),
    ])
    .distinct()
    .where('survey_id', '=', surveyId)
    .where('published_at', '<=', asOf.toISOString())
    .orderBy('period')
    .execute();
  if (belongs(pending, surveyId, asOf.toISOString())) {
    const earlier = pending.publishedAt <= at.toISOString() ? 1 : 0;
    if (!rows.some((r) => r.period === pending.period && r.earlier === earlier))
      rows.push({ period: pending.period, earlier });
    rows.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  }
  const earlier = rows.filter((r) => r.earlier === 1).map((r) => r.period);
  const later = rows.filter((r) => r.earlier === 0).map((r) => r.period);
  return {
    before: earlier.slice(-before),
    after: later.filter((p) => !earlier.includes(p)),
  };
}
