import type { KnownBlock } from '@slack/types';
import type { Digest, Move } from '../domain/digest.js';
import { DIMENSION_LABELS, type Dimension } from '../domain/dimensions.js';
import { type Group, HIDDEN_REASONS, type VisibleGap, whole } from '../domain/scoring.js';
import { DIMENSION_PHRASES } from '../domain/topics.js';
import { type FeaturedGap, type GapLine, TREND_WEEKS, type TrendLine } from '../domain/trends.js';

/**
 * The words of the calls, the same in every output: "rose 24 points over 6
 * weeks", "no clear change", "not enough data yet", "apart", "the tech debt
 * gap widened from 12 to 58 points over 12 weeks". Never a change between two
 * single weeks, never a number past the weeks the data covers, and every
 * difference said equal to the difference of the numbers shown beside it.
 */

const points = (n: number) => `${n} ${n === 1 ? 'point' : 'points'}`;
const weeks = (n: number) => `${n} ${n === 1 ? 'week' : 'weeks'}`;

/** A trend in words; empty when the week has no calls. The span is the weeks the change covers. */
export function trendWords(line: TrendLine | undefined): string {
  if (line === undefined) return '';
  const size = Math.abs(Math.round(line.change ?? 0));
  const over = `over ${weeks(line.weeks ?? TREND_WEEKS)}`;
  switch (line.call) {
    case 'rise':
      return `rose ${points(size)} ${over}`;
    case 'fall':
      return `fell ${points(size)} ${over}`;
    case 'no_change':
      return 'no clear change';
    case 'not_enough_data':
      return 'not enough data yet';
  }
}

/** A score's name in a sentence: "One roadmap", "The alignment index". */
export const scopeName = (scope: Move['scope']) =>
  scope === 'index' ? 'The alignment index' : DIMENSION_LABELS[scope];

/** "One roadmap rose 38 points over 8 weeks, to 85." */
export function moveSentence(move: Move): string {
  const to = move.score === undefined ? '' : `, to ${whole(move.score)}`;
  return `${scopeName(move.scope)} ${trendWords(move.line)}${to}`;
}

/**
 * The two sides of a gap as shown, and the difference between those very
 * numbers (so "65 apart" is always 83 minus 18 as printed, never a rounding
 * of something else).
 */
export function sides(gap: VisibleGap): { product: number; engineering: number; apart: number } {
  const product = whole(gap.product);
  const engineering = whole(gap.engineering);
  return { product, engineering, apart: Math.abs(product - engineering) };
}

/** "Product 83, Engineering 18". */
export const sidesText = (gap: VisibleGap) => {
  const s = sides(gap);
  return `Product ${s.product}, Engineering ${s.engineering}`;
};

/** What a gap's call says, in a few words: "65 points apart", "aligned", "no clear gap". */
function gapCallWords(line: Pick<GapLine, 'call'> & { gap: VisibleGap }): string {
  const { apart } = sides(line.gap);
  switch (line.call) {
    case 'apart':
      return `${points(apart)} apart`;
    case 'aligned':
      return 'aligned';
    case 'no_clear_gap':
      return 'no clear gap';
    case 'not_enough_data':
      return 'too few leaders yet to call';
  }
}

/** Whether the featured gap widened or narrowed, as a clause: "widened from 31 over 12 weeks". */
function gapTrendClause(featured: Omit<FeaturedGap, 'dimension'>): string {
  const from = featured.from === undefined ? '' : ` from ${Math.abs(whole(featured.from))}`;
  const over = `over ${weeks(featured.weeks)}`;
  switch (featured.call) {
    case 'widening':
      return `widened${from} ${over}`;
    case 'narrowing':
      return `narrowed${from} ${over}`;
    case 'no_clear_change':
      return `no clear change ${over}`;
    case 'not_enough_data':
      return '';
  }
}

/**
 * A gap on one short line, for `/alignment gap`: the two sides as shown, then
 * the call — "*Tech debt* · 83 vs 18 · 65 points apart, widened from 31 over
 * 12 weeks". Without a call (a week published before calls), the numbers alone.
 */
export function gapLine(
  dimension: Dimension,
  line: { call: GapLine['call'] | undefined; gap: VisibleGap },
  featured?: Omit<FeaturedGap, 'dimension'> | undefined,
): string {
  const s = sides(line.gap);
  const call =
    line.call === undefined ? '' : ` · ${gapCallWords({ call: line.call, gap: line.gap })}`;
  const trend = featured === undefined ? '' : gapTrendClause(featured);
  return `*${DIMENSION_LABELS[dimension]}* · ${s.product} vs ${s.engineering}${call}${trend === '' ? '' : `, ${trend}`}`;
}

/**
 * The digest's featured gap as a sentence: "The tech debt gap widened from 31
 * to 65 points over 12 weeks (Product 83, Engineering 18, last 4 weeks)."
 * Undefined when there is nothing to say about it past its numbers.
 */
export function gapStory(largest: NonNullable<Digest['largestGap']>): string | undefined {
  const { dimension, gap, call, trend } = largest;
  const name = DIMENSION_LABELS[dimension].toLowerCase();
  const numbers = `(${sidesText(gap)}, ${gapWeeksWords(largest.weeks)})`;
  const { apart } = sides(gap);
  if (trend !== undefined && (trend.call === 'widening' || trend.call === 'narrowing')) {
    const verb = trend.call === 'widening' ? 'widened' : 'narrowed';
    const from = trend.from === undefined ? '' : ` from ${Math.abs(whole(trend.from))}`;
    return `the ${name} gap ${verb}${from} to ${points(apart)} over ${weeks(trend.weeks)} ${numbers}`;
  }
  if (call === 'apart')
    return `Product and Engineering are ${points(apart)} apart on ${name} ${numbers}`;
  return undefined;
}

/** The digest's featured gap when the headline does not tell it: its numbers and its call. */
export function gapSummary(largest: NonNullable<Digest['largestGap']>): string {
  const { dimension, gap, call, trend } = largest;
  const phrase = DIMENSION_PHRASES[dimension];
  const verdict =
    call === undefined ? `${points(sides(gap).apart)} apart` : gapCallWords({ call, gap });
  const moved = trend === undefined ? '' : gapTrendClause(trend);
  const over = largest.weeks === 1 ? 'this week' : `over the ${gapWeeksWords(largest.weeks)}`;
  return `largest on ${phrase}: ${sidesText(gap)} ${over}, ${verdict}${moved === '' ? '' : `; ${moved}`}.`;
}

/** The weeks a gap's numbers come from, as said beside them: "last 4 weeks", "this week". */
function gapWeeksWords(n: number): string {
  return n === 1 ? 'this week' : `last ${n} weeks`;
}

export const LEGEND = 'Scores run 0–100, higher is healthier.';

/**
 * Dimensions as two aligned columns — the name, then its score and its call —
 * in sections of at most five rows (Slack's ten fields), so nothing folds and
 * the numbers line up on a phone as on a desktop. One number a dimension, and
 * no colour: a colour that flips on noise says more than the call does.
 */
export function scoreFields(
  lines: readonly {
    dimension: Dimension;
    current: Group | undefined;
    trend?: TrendLine | undefined;
  }[],
  threshold: number,
): KnownBlock[] {
  const fields = lines.flatMap((line) => {
    const label = DIMENSION_LABELS[line.dimension];
    const g = line.current;
    if (g === undefined) return [`*${label}*`, 'not asked'];
    if (!g.visible) return [`*${label}*`, HIDDEN_REASONS[g.reason](g.threshold ?? threshold)];
    const words = trendWords(line.trend);
    return [`*${label}*`, `*${whole(g.score)}*${words === '' ? '' : ` · ${words}`}`];
  });
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < fields.length; i += 10)
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + 10).map((text) => ({ type: 'mrkdwn' as const, text })),
    });
  return blocks;
}
