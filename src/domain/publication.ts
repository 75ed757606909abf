import {
  DIMENSIONS,
  DISCIPLINES,
  type Dimension,
  type Discipline,
  SIDE_LABELS,
  SIDES,
  type Side,
} from './dimensions.js';
import {
  addCounts,
  type DimensionScore,
  describeTally,
  type Gap,
  type Group,
  gapBetween,
  type HiddenReason,
  NO_COUNTS,
  type PeriodScore,
  type Tally,
  type VisibleGroup,
} from './scoring.js';

/**
 * What the bot publishes, and the one rule every output obeys:
 *
 *   Every published number is a sum of publishable cells.
 *
 * A cell is one question of one closed pulse, for everyone ('all'), for the
 * Product side or for the Engineering side. Everyone is exactly the two sides
 * (each discipline counts with one, DESIGN.md), so no third group can be worked
 * out by subtraction and no small group (two designers, one TPM) forces a side
 * away. When a pulse closes, each cell is judged once, on its own pulse, and
 * frozen:
 *
 * - 'all' is shown when at least `threshold` distinct people answered the
 *   question (and the pulse);
 * - the two sides are shown together or not at all: both when each has at least
 *   `threshold` people; otherwise the short side is hidden ('too_few') and so is
 *   the other ('complement'), since 'all' minus one side is the other. That
 *   week then shows everyone only, and says which side was short.
 *
 * No group finer than a side (Design alone) is published: the gap never needs
 * one, and every finer group would need its own complement rule.
 *
 * A score for several weeks, several questions, a dimension or the index adds
 * up shown cells only: a hidden cell contributes nothing to any pool, so the
 * difference of any two outputs is itself a sum of shown cells and never
 * reveals a smaller group. Each person is counted with one side a pulse (their
 * discipline in effect when the pulse opened, under the sides the survey had
 * then), so nobody stands in both sides of one cell.
 *
 * Pulses published before the sides (migration 006) keep their cells by
 * discipline, frozen as they were; no pulse is ever published both ways. When
 * outputs pool weeks across the change, such a pulse's Product and Engineering
 * cells stand for its sides (they were the sides its gap compared).
 */

/** A side's cell group. */
export const sideGroup = (side: Side) => `${side}_side` as const;
export type SideGroup = ReturnType<typeof sideGroup>;
export type CellGroup = 'all' | SideGroup | Discipline;
export type CellHidden = Extract<HiddenReason, 'too_few' | 'complement'>;
/** How a pulse's cells are cut: by side, or (published before the sides) by discipline. */
export type PublishingUnit = 'side' | 'discipline';

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
  /** Per question, per side: answers of 1–5 (reversed flipped) and distinct people. */
  tallies: ReadonlyMap<string, ReadonlyMap<Side, Tally>>;
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
  /** The anonymity threshold it was published with. */
  threshold: number;
  unit: PublishingUnit;
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
    const bySide = p.tallies.get(question.id);
    if (bySide === undefined || bySide.size === 0) continue;
    const base = { questionId: question.id, dimension: question.dimension };
    let everyone: Tally = { counts: NO_COUNTS, respondents: 0 };
    for (const t of bySide.values())
      everyone = {
        counts: addCounts(everyone.counts, t.counts),
        respondents: everyone.respondents + t.respondents,
      };
    const open = p.respondents >= threshold && everyone.respondents >= threshold;
    cells.push({ ...base, group: 'all', ...(open ? shown(everyone) : held('too_few')) });
    // Both sides or neither: with 'all' shown, one side shown gives away the other.
    const bothLarge = SIDES.every((side) => (bySide.get(side)?.respondents ?? 0) >= threshold);
    for (const side of SIDES) {
      const tally = bySide.get(side);
      if (tally === undefined || tally.respondents === 0) continue;
      let judged: Pick<Cell, 'tally' | 'hidden'>;
      if (open && bothLarge) judged = shown(tally);
      else if (!open || tally.respondents < threshold) judged = held('too_few');
      else judged = held('complement');
      cells.push({ ...base, group: sideGroup(side), ...judged });
    }
  }
  return cells;
}

/** A cell with the pulse it belongs to: its unit and the threshold it was judged with. */
interface PulseCell extends Cell {
  pulseId: number;
  threshold: number;
  unit: PublishingUnit;
}

/** The side a cell stands for: a side cell, or a Product or Engineering cell published by discipline. */
function sideOfCell(c: PulseCell): Side | undefined {
  if (c.unit === 'side') return SIDES.find((s) => c.group === sideGroup(s));
  return c.group === 'product' || c.group === 'engineering' ? c.group : undefined;
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

/**
 * A pooled group: shown when any cell was, else hidden for the reason its cells
 * were, with the threshold of the pulse that hid it.
 */
function groupOf(cells: readonly PulseCell[]): Group {
  const total = pool(cells);
  const described = total === undefined ? undefined : describeTally(total);
  if (described !== undefined) return described;
  if (cells.length === 0) return { visible: false, reason: 'no_answers' };
  const short = cells.filter((c) => c.hidden === 'too_few');
  const reason = short.length > 0 ? 'too_few' : 'complement';
  const threshold = Math.max(...(short.length > 0 ? short : cells).map((c) => c.threshold));
  return { visible: false, reason, threshold };
}

/**
 * Why a gap could not be shown, as the rule that hid it: a side nobody on
 * answered, or a side with fewer than the threshold answering (the other side
 * is then hidden with it). Worded to follow "not shown: ".
 */
export function gapHiddenReason(cells: readonly PulseCell[]): string {
  const of = (side: Side) => cells.filter((c) => sideOfCell(c) === side);
  const everyone = cells.filter((c) => c.group === 'all');
  if (everyone.length > 0 && everyone.every((c) => c.tally === undefined)) {
    const n = Math.max(...everyone.map((c) => c.threshold));
    return `fewer than ${n} people answered`;
  }
  const short = SIDES.map((side) => {
    const mine = of(side);
    const tooFew = mine.filter((c) => c.hidden === 'too_few');
    return { side, mine, tooFew };
  });
  const empty = short.find((s) => s.mine.length === 0);
  if (empty !== undefined) return `nobody on the ${SIDE_LABELS[empty.side]} side answered`;
  const few = short
    .filter((s) => s.tooFew.length > 0)
    .sort((a, b) => b.tooFew.length - a.tooFew.length)[0];
  if (few !== undefined) {
    const n = Math.max(...few.tooFew.map((c) => c.threshold));
    return `fewer than ${n} on the ${SIDE_LABELS[few.side]} side answered`;
  }
  return 'Product and Engineering were not both shown in the same week';
}

function gapOf(cells: readonly PulseCell[]): Gap {
  // Only where both sides were shown for the same question of the same pulse,
  // so the two sides always compare the same weeks and statements.
  const key = (c: PulseCell) => `${c.pulseId}|${c.questionId}`;
  const sideMap = (side: Side) =>
    new Map(
      cells.filter((c) => sideOfCell(c) === side && c.tally !== undefined).map((c) => [key(c), c]),
    );
  const productCells = sideMap('product');
  const engineeringCells = sideMap('engineering');
  const both = [...productCells.keys()].filter((k) => engineeringCells.has(k));
  const product = groupOf(both.flatMap((k) => productCells.get(k) ?? []));
  const engineering = groupOf(both.flatMap((k) => engineeringCells.get(k) ?? []));
  if (product.visible && engineering.visible) return gapBetween(product, engineering);
  return { visible: false, reason: gapHiddenReason(cells) };
}

/**
 * The scores of one or more published pulses taken together (a week, or a
 * window of weeks): every group a sum of shown cells, the index the mean of the
 * dimensions shown.
 */
export function scorePublished(pulses: readonly PublishedPulse[]): PeriodScore {
  const cells: PulseCell[] = pulses.flatMap((p) =>
    p.cells.map((c) => ({ ...c, pulseId: p.pulseId, threshold: p.threshold, unit: p.unit })),
  );
  const dimensions: DimensionScore[] = DIMENSIONS.filter((d) =>
    cells.some((c) => c.dimension === d),
  ).map((dimension) => {
    const mine = cells.filter((c) => c.dimension === dimension);
    return {
      dimension,
      overall: groupOf(mine.filter((c) => c.group === 'all')),
      bySide: Object.fromEntries(
        SIDES.map((s) => [s, groupOf(mine.filter((c) => sideOfCell(c) === s))]),
      ) as Record<Side, Group>,
      byDiscipline: Object.fromEntries(
        DISCIPLINES.map((d) => [
          d,
          groupOf(mine.filter((c) => c.unit === 'discipline' && c.group === d)),
        ]),
      ) as Record<Discipline, Group>,
      gap: gapOf(mine),
    };
  });
  const visible = dimensions.map((d) => d.overall).filter((g): g is VisibleGroup => g.visible);
  const respondents = Math.max(0, ...pulses.map((p) => p.respondents));
  const invited = Math.max(0, ...pulses.map((p) => p.invited));
  let index: Group;
  if (visible.length === 0) {
    index =
      respondents === 0
        ? { visible: false, reason: 'no_answers' }
        : {
            visible: false,
            reason: 'too_few',
            threshold: Math.max(...pulses.map((p) => p.threshold)),
          };
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
    units: [...new Set(pulses.map((p) => p.unit))],
    threshold: pulses.length === 0 ? undefined : Math.max(...pulses.map((p) => p.threshold)),
  };
}
