import type { Digest } from '../domain/digest.js';
import { DIMENSION_LABELS, type Dimension } from '../domain/dimensions.js';
import { whole } from '../domain/scoring.js';
import { DIMENSION_PHRASES } from '../domain/topics.js';
import type { FeaturedGap, GapLine, TrendLine } from '../domain/trends.js';

/**
 * The words of the calls, the same in every output: "rose 24 points over 8
 * weeks", "no clear change", "not enough data yet", "apart by about 40
 * points", "the tech debt gap widened from 12 to 58 points". Never a change
 * between two single weeks.
 */

const points = (n: number) => `${n} ${n === 1 ? 'point' : 'points'}`;

/** A trend in words; empty when the week has no calls. */
export function trendWords(line: TrendLine | undefined): string {
  if (line === undefined) return '';
  const size = Math.abs(Math.round(line.change ?? 0));
  switch (line.call) {
    case 'rise':
      return `rose ${points(size)} over 8 weeks`;
    case 'fall':
      return `fell ${points(size)} over 8 weeks`;
    case 'no_change':
      return 'no clear change';
    case 'not_enough_data':
      return 'not enough data yet';
  }
}

/** "Engineering rates tech debt handling 38 points lower than Product does (Product 80, Engineering 42)." */
export function gapSentence(
  dimension: Dimension,
  difference: number,
  product: number,
  engineering: number,
): string {
  const size = Math.abs(Math.round(difference));
  const phrase = DIMENSION_PHRASES[dimension];
  const scores = `(Product ${whole(product)}, Engineering ${whole(engineering)})`;
  if (size === 0) return `Product and Engineering rate ${phrase} the same ${scores}.`;
  const [lower, higher] = difference > 0 ? ['Engineering', 'Product'] : ['Product', 'Engineering'];
  return `${lower} rates ${phrase} ${points(size)} lower than ${higher} does ${scores}.`;
}

/** A gap over the last 4 weeks, with its call, in one sentence. */
export function gapWords(dimension: Dimension, line: GapLine): string {
  const { gap } = line;
  const phrase = DIMENSION_PHRASES[dimension];
  if (line.call === 'aligned')
    return `Product and Engineering see ${phrase} alike: within 10 points over the last 4 weeks.`;
  if (gap === undefined)
    return `Not enough data yet to compare Product and Engineering on ${phrase}.`;
  const size = Math.abs(Math.round(gap.points));
  const scores = `(Product ${whole(gap.product)}, Engineering ${whole(gap.engineering)}, last 4 weeks)`;
  if (size === 0) return `Product and Engineering rate ${phrase} the same ${scores}.`;
  const [lower, higher] = gap.points > 0 ? ['Engineering', 'Product'] : ['Product', 'Engineering'];
  if (line.call === 'apart')
    return `Product and Engineering are apart by about ${points(size)} on ${phrase}: ${lower} rates it lower than ${higher} ${scores}.`;
  if (line.call === 'not_enough_data')
    return `${lower} rates ${phrase} ${points(size)} lower than ${higher} ${scores}; not enough data yet to call it a gap.`;
  return `${lower} rates ${phrase} ${points(size)} lower than ${higher} ${scores}: no clear gap, it could be noise.`;
}

/** Whether the featured gap is widening, in words; empty when there is nothing to say. */
export function gapTrendWords(featured: FeaturedGap | undefined): string {
  if (featured === undefined) return '';
  const name = `The ${DIMENSION_LABELS[featured.dimension].toLowerCase()} gap`;
  const span =
    featured.from === undefined || featured.to === undefined
      ? ''
      : ` from ${Math.abs(whole(featured.from))} to ${Math.abs(whole(featured.to))} points`;
  const over = `over the last ${featured.weeks} weeks`;
  switch (featured.call) {
    case 'widening':
      return `${name} widened${span} ${over}.`;
    case 'narrowing':
      return `${name} narrowed${span} ${over}.`;
    case 'no_clear_change':
      return `${name} shows no clear change ${over}.`;
    case 'not_enough_data':
      return '';
  }
}

/** The digest's featured gap in words: the gap with its call, then whether it is widening. */
export function largestGapWords(largest: NonNullable<Digest['largestGap']>): string {
  const { dimension, gap, call, trend } = largest;
  const sentence =
    call === undefined
      ? gapSentence(dimension, gap.points, gap.product, gap.engineering)
      : gapWords(dimension, { call, gap });
  const moved = gapTrendWords(trend === undefined ? undefined : { dimension, ...trend });
  return moved === '' ? sentence : `${sentence} ${moved}`;
}
