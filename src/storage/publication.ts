import { createHash } from 'node:crypto';
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
import type { Db } from './database.js';

/**
 * A closed pulse's answers, tallied for publishing: per question and side, how
 * many answers of 1–5 (reversed questions flipped) and how many distinct
 * people. Each person is counted with one side for the whole pulse: the side
 * of the discipline their answers were given under (their latest, should an
 * old database hold two), under the sides the pulse opened with. Individual
 * answers never leave this function.
 */
export function pulseTallies(db: Db, pulseId: number): PulseTallies {
  const questions = db
    .prepare(
      `SELECT q.id, q.dimension, q.reversed FROM pulse_questions pq JOIN questions q ON q.id = pq.question_id
       WHERE pq.pulse_id = ? ORDER BY pq.position`,
    )
    .all(pulseId) as { id: string; dimension: Dimension; reversed: number }[];
  const mapping = pulseSides(db, pulseId);
  const rows = db
    .prepare(
      `SELECT question_id AS questionId, user_id AS userId, discipline, value, updated_at AS updatedAt
       FROM answers WHERE pulse_id = ? ORDER BY updated_at`,
    )
    .all(pulseId) as {
    questionId: string;
    userId: string;
    discipline: Discipline;
    value: number;
    updatedAt: string;
  }[];
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
  const invited = (
    db.prepare('SELECT count(*) AS n FROM pulse_recipients WHERE pulse_id = ?').get(pulseId) as {
      n: number;
    }
  ).n;
  return {
    questions: questions.map((q) => ({ id: q.id, dimension: q.dimension })),
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
export function pulseSides(db: Db, pulseId: number): SideMapping {
  const row = db
    .prepare(
      'SELECT design_side AS design, program_side AS program, other_side AS other FROM pulses WHERE id = ?',
    )
    .get(pulseId) as SideMapping | undefined;
  if (row === undefined) throw new Error(`pulse ${pulseId} does not exist`);
  return row;
}

export function isPublished(db: Db, pulseId: number): boolean {
  return db.prepare('SELECT 1 FROM published_pulses WHERE pulse_id = ?').get(pulseId) !== undefined;
}

/** How many answered a published pulse and the threshold it was published with; undefined when it is not published. */
export function publishedHeadcount(
  db: Db,
  pulseId: number,
): { respondents: number; threshold: number } | undefined {
  return db
    .prepare('SELECT respondents, threshold FROM published_pulses WHERE pulse_id = ?')
    .get(pulseId) as { respondents: number; threshold: number } | undefined;
}

/**
 * Stores a pulse's published figures and the comments frozen with it (see
 * `commentsToFreeze`): the caller holds the write transaction that stores the
 * whole publication.
 */
export function storePublication(
  db: Db,
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
): void {
  db.prepare(
    `INSERT INTO published_pulses (pulse_id, survey_id, period, week_start, threshold, respondents,
       invited, published_at, unit, comments_frozen)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'side', 1)`,
  ).run(
    p.pulseId,
    p.surveyId,
    p.period,
    p.weekStart,
    p.threshold,
    p.respondents,
    p.invited,
    p.at.toISOString(),
  );
  const cell = db.prepare(
    `INSERT INTO published_cells (pulse_id, question_id, dimension, grp, hidden, respondents, n1, n2, n3, n4, n5)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const c of p.cells) {
    const counts: (number | null)[] =
      c.tally === undefined ? [null, null, null, null, null] : [...c.tally.counts];
    cell.run(
      p.pulseId,
      c.questionId,
      c.dimension,
      c.group,
      c.hidden ?? null,
      c.tally?.respondents ?? null,
      ...counts,
    );
  }
  insertComments(db, p.pulseId, p.comments);
}

/**
 * The comments a closed pulse freezes with it: the text only, in an order that
 * says nothing (sorted by a hash of the pulse and the text, so neither who wrote
 * a comment nor when changes where it appears), and only when at least the
 * threshold answered (`publish`). forget-me and retention delete the comments
 * rows, which link a comment to its author; the published text stays with its week.
 */
export function commentsToFreeze(db: Db, pulseId: number, publish: boolean): string[] {
  if (!publish) return [];
  const rows = db.prepare('SELECT body FROM comments WHERE pulse_id = ?').all(pulseId) as {
    body: string;
  }[];
  const key = (body: string) =>
    createHash('sha256').update(`${pulseId}\u0000${body}`).digest('hex');
  return rows
    .map((r) => ({ key: key(r.body), body: r.body }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.body);
}

function insertComments(db: Db, pulseId: number, bodies: readonly string[]): void {
  const put = db.prepare(
    'INSERT INTO published_comments (pulse_id, position, body) VALUES (?, ?, ?)',
  );
  bodies.forEach((body, i) => {
    put.run(pulseId, i, body);
  });
}

/**
 * Freezes the comments of pulses published before comments were frozen with
 * them (migration 006), as they would have been. Run at start; returns how many.
 */
export function freezeOlderComments(db: Db): number {
  const pending = db
    .prepare(
      'SELECT pulse_id AS pulseId, respondents >= threshold AS publish FROM published_pulses WHERE comments_frozen = 0',
    )
    .all() as { pulseId: number; publish: number }[];
  for (const p of pending)
    db.transaction(() => {
      insertComments(db, p.pulseId, commentsToFreeze(db, p.pulseId, p.publish === 1));
      db.prepare('UPDATE published_pulses SET comments_frozen = 1 WHERE pulse_id = ?').run(
        p.pulseId,
      );
    }).immediate();
  return pending.length;
}

/** Closed pulses with no publication yet: written by an older version, or by a close that failed. */
export function closedUnpublishedPulses(db: Db): number[] {
  return (
    db
      .prepare(
        `SELECT id FROM pulses WHERE closed_at IS NOT NULL
         AND id NOT IN (SELECT pulse_id FROM published_pulses) ORDER BY due_at, id`,
      )
      .all() as { id: number }[]
  ).map((r) => r.id);
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
export function publishedPulses(
  db: Db,
  surveyId: number,
  periods: readonly string[],
  asOf: Date,
  pending?: PendingPulse,
): (PublishedPulse & { weekStart: string })[] {
  return pulsesWithCells(db, surveyId, periods, asOf.toISOString(), pending).map(
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
function pulsesWithCells(
  db: Db,
  surveyId: number,
  periods: readonly string[],
  asOf: string | undefined,
  pending: PendingPulse | undefined,
): PulseWithCells[] {
  const pulses = db
    .prepare(
      `SELECT pp.pulse_id AS pulseId, pp.period, pp.week_start AS weekStart, pp.respondents, pp.invited,
         pp.threshold, pp.unit, p.due_at AS dueAt
       FROM published_pulses pp JOIN pulses p ON p.id = pp.pulse_id
       WHERE pp.survey_id = ? AND pp.period IN (SELECT value FROM json_each(?))
         AND (? IS NULL OR pp.published_at <= ?)
       ORDER BY p.due_at, pp.pulse_id`,
    )
    .all(surveyId, JSON.stringify(periods), asOf ?? null, asOf ?? null) as Omit<
    PulseWithCells,
    'cells'
  >[];
  const rows = db
    .prepare(
      `SELECT pulse_id AS pulseId, question_id AS questionId, dimension, grp, hidden, respondents,
         n1, n2, n3, n4, n5 FROM published_cells WHERE pulse_id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(pulses.map((p) => p.pulseId))) as CellRow[];
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
export function publicationVersion(db: Db, surveyId: number, asOf: Date): string {
  const row = db
    .prepare(
      `SELECT count(*) AS n, max(pulse_id) AS latest FROM published_pulses
       WHERE survey_id = ? AND published_at <= ?`,
    )
    .get(surveyId, asOf.toISOString()) as { n: number; latest: number | null };
  return `${row.n}:${row.latest ?? 0}`;
}

/**
 * Every pulse a survey has published, whenever, in one word: it changes exactly
 * when another is published. A publication worked out from one read is stored
 * only if this has not changed since (its calls read the published weeks).
 */
export function publishedSoFar(db: Db, surveyId: number): string {
  const row = db
    .prepare(
      'SELECT count(*) AS n, max(pulse_id) AS latest FROM published_pulses WHERE survey_id = ?',
    )
    .get(surveyId) as { n: number; latest: number | null };
  return `${row.n}:${row.latest ?? 0}`;
}

/** The latest week of a survey with a pulse published by `asOf`. */
export function latestPublishedWeek(
  db: Db,
  surveyId: number,
  asOf: Date,
): { period: string; weekStart: string } | undefined {
  return db
    .prepare(
      `SELECT period, week_start AS weekStart FROM published_pulses
       WHERE survey_id = ? AND published_at <= ? ORDER BY period DESC LIMIT 1`,
    )
    .get(surveyId, asOf.toISOString()) as { period: string; weekStart: string } | undefined;
}

/**
 * Up to `limit` anonymous comments of published pulses, as frozen when each
 * closed (only pulses that at least their threshold answered have any): bodies
 * only, never their authors or times, in the order frozen with them, which says
 * nothing of who wrote one or when.
 */
export function publishedComments(db: Db, pulseIds: readonly number[], limit = 3): string[] {
  return (
    db
      .prepare(
        `SELECT body FROM published_comments WHERE pulse_id IN (SELECT value FROM json_each(?))
         ORDER BY position, pulse_id LIMIT ?`,
      )
      .all(JSON.stringify(pulseIds), limit) as { body: string }[]
  ).map((r) => r.body);
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
export function callAnswers(
  db: Db,
  surveyId: number,
  weeksAgo: ReadonlyMap<string, number>,
  pending?: PendingPulse,
): TrendAnswer[] {
  const answers: TrendAnswer[] = [];
  for (const pulse of pulsesWithCells(db, surveyId, [...weeksAgo.keys()], undefined, pending)) {
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
    const reversed = new Set(
      (
        db
          .prepare(
            'SELECT id FROM questions WHERE reversed = 1 AND id IN (SELECT value FROM json_each(?))',
          )
          .all(JSON.stringify(shown.map(([id]) => id))) as { id: string }[]
      ).map((q) => q.id),
    );
    const sides = pulseSides(db, pulse.pulseId);
    const byDiscipline = pulse.unit === 'discipline';
    const week = weeksAgo.get(pulse.period) ?? 0;
    const rows = db
      .prepare(
        `SELECT user_id AS leader, question_id AS statement, discipline, value FROM answers
         WHERE pulse_id = ? AND question_id IN (SELECT value FROM json_each(?))`,
      )
      .all(pulse.pulseId, JSON.stringify(shown.map(([id]) => id))) as {
      leader: string;
      statement: string;
      discipline: Discipline;
      value: number;
    }[];
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
export function storeCalls(db: Db, pulseId: number, calls: WeekCalls): void {
  const put = db.prepare(
    'INSERT INTO published_calls (pulse_id, line, scope, call) VALUES (?, ?, ?, ?)',
  );
  for (const [scope, call] of Object.entries(calls.trends)) put.run(pulseId, 'trend', scope, call);
  for (const [scope, call] of Object.entries(calls.gaps)) put.run(pulseId, 'gap', scope, call);
  if (calls.featured !== undefined)
    put.run(pulseId, 'featured_gap_trend', calls.featured, calls.featuredTrend);
}

/** The calls stored with a pulse; undefined when it has none (published before calls were). */
export function publishedCalls(db: Db, pulseId: number): WeekCalls | undefined {
  const rows = db
    .prepare('SELECT line, scope, call FROM published_calls WHERE pulse_id = ?')
    .all(pulseId) as { line: string; scope: string; call: string }[];
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
export function publishedAround(
  db: Db,
  surveyId: number,
  at: Date,
  asOf: Date,
  before: number,
  pending?: PendingPulse,
): { before: string[]; after: string[] } {
  const rows = db
    .prepare(
      `SELECT DISTINCT period, published_at <= ? AS earlier FROM published_pulses
       WHERE survey_id = ? AND published_at <= ? ORDER BY period`,
    )
    .all(at.toISOString(), surveyId, asOf.toISOString()) as { period: string; earlier: number }[];
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
