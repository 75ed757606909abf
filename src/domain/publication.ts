import { DIMENSIONS, DISCIPLINES, type Dimension, type Discipline } from './dimensions.js';
import {
  addCounts,
  type DimensionScore,
  describeTally,
  type Gap,
  type Group,
  gapBetween,
  HIDDEN_REASONS,
  type HiddenReason,
  type PeriodScore,
  scoreDimension,
  type Tally,
  type VisibleGroup,
} from './scoring.js';

/**
 * What the bot publishes, and the one rule every output obeys:
 *
 *   Every published number is a sum of publishable cells.
 *
 * A cell is one question of one closed pulse, for everyone ('all') or for one
 * discipline. When a pulse closes, each cell is judged once, on its own pulse:
 * shown when at least `threshold` distinct people stand behind it and hiding it
 * is not needed to protect another (secondary suppression, `scoreDimension`),
 * hidden otherwise. The judgement is frozen with the cell. A score for several
 * weeks, several questions, a dimension or the index adds up shown cells only:
 * a hidden cell contributes nothing to any pool, so the difference of any two
 * outputs is itself a sum of shown cells and never reveals a smaller group.
 * Each person is counted under one discipline a pulse (the discipline in effect
 * when the pulse opened), so nobody stands in two groups of one cell.
 */

export type CellGroup = Discipline | 'all';
export type CellHidden = Extract<HiddenReason, 'too_few' | 'complement'>;

export interface Cell {
  questionId: string;
  dimension: Dimension;
  group: CellGroup;
  /** The answers and people behind a shown cell; undefined when hidden. */
  tally: Tally | undefined;
  hidden: CellHidden | undefined;
}

/** A closed pulse's raw tallies, the input to publishing it. */
export interface PulseTallies {
  questions: readonly { id: string; dimension: Dimension }[];
  /** Per question, per discipline: answers of 1–5 (reversed flipped) and distinct people. */
  tallies: ReadonlyMap<string, ReadonlyMap<Discipline, Tally>>;
  /** Distinct people who answered the pulse. */
  respondents: number;
  invited: number;
}

/** A published pulse, as every output reads it. */
export interface PublishedPulse {
  pulseId: number;
  /** The ISO week the pulse belongs to, in its survey's time zone. */
  period: string;
  respondents: number;
  invited: number;
  cells: readonly Cell[];
}

const shown = (tally: Tally): Pick<Cell, 'tally' | 'hidden'> => ({ tally, hidden: undefined });
const held = (hidden: CellHidden): Pick<Cell, 'tally' | 'hidden'> => ({ tally: undefined, hidden });

/**
 * The cells a closed pulse publishes, judged once and for good. A pulse fewer
 * than `threshold` people answered publishes only hidden cells.
 */
export function publishCells(p: PulseTallies, threshold: number): Cell[] {
  const cells: Cell[] = [];
  for (const question of p.questions) {
    const tallies = p.tallies.get(question.id);
    if (tallies === undefined || tallies.size === 0) continue;
    const base = { questionId: question.id, dimension: question.dimension };
    const scored = scoreDimension(question.dimension, tallies, threshold);
    const everyone = [...tallies.values()].reduce(
      (sum, t) => ({
        counts: addCounts(sum.counts, t.counts),
        respondents: sum.respondents + t.respondents,
      }),
      { counts: [0, 0, 0, 0, 0] as Tally['counts'], respondents: 0 },
    );
    const open = p.respondents >= threshold && scored.overall.visible;
    cells.push({ ...base, group: 'all', ...(open ? shown(everyone) : held('too_few')) });
    for (const discipline of DISCIPLINES) {
      const tally = tallies.get(discipline);
      if (tally === undefined) continue;
      const group = scored.byDiscipline[discipline];
      let judged: Pick<Cell, 'tally' | 'hidden'>;
      if (!open) judged = held('too_few');
      else if (group.visible) judged = shown(tally);
      else judged = held(group.reason === 'complement' ? 'complement' : 'too_few');
      cells.push({ ...base, group: discipline, ...judged });
    }
  }
  return cells;
}

/** Adds up shown cells; undefined when none. The most people behind any one of them. */
function pool(cells: readonly Cell[]): Tally | undefined {
  let total: Tally | undefined;
  for (const cell of cells) {
    if (cell.tally === undefined) continue;
    total =
      total === undefined
        ? cell.tally
        : {
            counts: addCounts(total.counts, cell.tally.counts),
            respondents: Math.max(total.respondents, cell.tally.respondents),
          };
  }
  return total;
}

/** A pooled group: shown when any cell was, else hidden for the reason its cells were. */
function groupOf(cells: readonly Cell[]): Group {
  const total = pool(cells);
  const described = total === undefined ? undefined : describeTally(total);
  if (described !== undefined) return described;
  if (cells.length === 0) return { visible: false, reason: 'no_answers' };
  return {
    visible: false,
    reason: cells.some((c) => c.hidden === 'too_few') ? 'too_few' : 'complement',
  };
}

function gapOf(cells: readonly (Cell & { pulseId: number })[], threshold: number): Gap {
  // Only where both sides were shown for the same question of the same pulse,
  // so the two sides always compare the same weeks and statements.
  const key = (c: Cell & { pulseId: number }) => `${c.pulseId}|${c.questionId}`;
  const side = (group: Discipline) =>
    new Map(
      cells.filter((c) => c.group === group && c.tally !== undefined).map((c) => [key(c), c]),
    );
  const productCells = side('product');
  const engineeringCells = side('engineering');
  const both = [...productCells.keys()].filter((k) => engineeringCells.has(k));
  const product = groupOf(both.flatMap((k) => productCells.get(k) ?? []));
  const engineering = groupOf(both.flatMap((k) => engineeringCells.get(k) ?? []));
  if (product.visible && engineering.visible) return gapBetween(product, engineering);
  const sideGroup = (g: Discipline) => groupOf(cells.filter((c) => c.group === g));
  const p = sideGroup('product');
  const e = sideGroup('engineering');
  // Name the side too few answered, rather than one hidden only to protect it.
  const sides = [
    { who: 'Product', group: p },
    { who: 'Engineering', group: e },
  ].filter((x) => !x.group.visible);
  const missing = sides.find((x) => !x.group.visible && x.group.reason === 'too_few') ??
    sides[0] ?? { who: 'Product', group: p };
  return {
    visible: false,
    reason: missing.group.visible
      ? 'Product and Engineering were not both shown in the same week'
      : `${missing.who}: ${HIDDEN_REASONS[missing.group.reason](threshold)}`,
  };
}

/**
 * The scores of one or more published pulses taken together (a week, or a
 * window of weeks): every group a sum of shown cells, the index the mean of the
 * dimensions shown.
 */
export function scorePublished(pulses: readonly PublishedPulse[], threshold: number): PeriodScore {
  const cells = pulses.flatMap((p) => p.cells.map((c) => ({ ...c, pulseId: p.pulseId })));
  const dimensions: DimensionScore[] = DIMENSIONS.filter((d) =>
    cells.some((c) => c.dimension === d),
  ).map((dimension) => {
    const mine = cells.filter((c) => c.dimension === dimension);
    return {
      dimension,
      overall: groupOf(mine.filter((c) => c.group === 'all')),
      byDiscipline: Object.fromEntries(
        DISCIPLINES.map((d) => [d, groupOf(mine.filter((c) => c.group === d))]),
      ) as Record<Discipline, Group>,
      gap: gapOf(mine, threshold),
    };
  });
  const visible = dimensions.map((d) => d.overall).filter((g): g is VisibleGroup => g.visible);
  const respondents = Math.max(0, ...pulses.map((p) => p.respondents));
  const invited = Math.max(0, ...pulses.map((p) => p.invited));
  let index: Group;
  if (visible.length === 0) {
    index = { visible: false, reason: respondents === 0 ? 'no_answers' : 'too_few' };
  } else {
    const mean = (pick: (g: VisibleGroup) => number) =>
      visible.reduce((sum, g) => sum + pick(g), 0) / visible.length;
    index = {
      visible: true,
      score: mean((g) => g.score),
      favorable: mean((g) => g.favorable),
      neutral: mean((g) => g.neutral),
      unfavorable: mean((g) => g.unfavorable),
      respondents,
      answers: visible.reduce((sum, g) => sum + g.answers, 0),
      standardError:
        Math.sqrt(visible.reduce((sum, g) => sum + g.standardError ** 2, 0)) / visible.length,
    };
  }
  return {
    index,
    dimensions,
    respondents,
    invited,
    responseRate: invited === 0 ? undefined : respondents / invited,
    pulses: pulses.length,
    respondentsLeast: Math.min(respondents, ...pulses.map((p) => p.respondents)),
  };
}
