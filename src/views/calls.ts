import type { KnownBlock } from '@slack/types';
import type { Digest } from '../domain/digest.js';
import { DIMENSION_LABELS, type Dimension } from '../domain/dimensions.js';
import { type Group, HIDDEN_REASONS, percent, whole } from '../domain/scoring.js';
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

/** Whether the featured gap is widening, as a clause; empty when there is nothing to say. */
function gapTrendClause(featured: Omit<FeaturedGap, 'dimension'>): string {
  const span =
    featured.from === undefined || featured.to === undefined
      ? ''
      : ` from ${Math.abs(whole(featured.from))} to ${Math.abs(whole(featured.to))} points`;
  const over = `over the last ${featured.weeks} weeks`;
  switch (featured.call) {
    case 'widening':
      return `and the gap widened${span} ${over}`;
    case 'narrowing':
      return `and the gap narrowed${span} ${over}`;
    case 'no_clear_change':
      return `with no clear change ${over}`;
    case 'not_enough_data':
      return '';
  }
}

/**
 * A gap's sentence with its trend folded in, so the verdict and how it moved
 * read as one plain sentence: "Product and Engineering are apart by about 60
 * points on tech debt handling: … (Product 86, Engineering 26, last 4 weeks),
 * and the gap widened from 32 to 60 points over the last 12 weeks."
 */
export function withGapTrend(
  sentence: string,
  featured: Omit<FeaturedGap, 'dimension'> | undefined,
): string {
  const clause = featured === undefined ? '' : gapTrendClause(featured);
  return clause === '' ? sentence : `${sentence.replace(/\.$/, '')}, ${clause}.`;
}

/** The digest's featured gap in words: the gap with its call and whether it is widening, in one sentence. */
export function largestGapWords(largest: NonNullable<Digest['largestGap']>): string {
  const { dimension, gap, call, trend } = largest;
  const sentence =
    call === undefined
      ? gapSentence(dimension, gap.points, gap.product, gap.engineering)
      : gapWords(dimension, { call, gap });
  return withGapTrend(sentence, trend);
}

/**
 * The one colour rule: the dot follows the score shown beside it (0–100), the
 * same in every message. Stated once, in LEGEND.
 */
export function dot(score: number): string {
  const shown = Math.round(score);
  if (shown >= 75) return '🟢';
  return shown >= 60 ? '🟡' : '🔴';
}

export const LEGEND =
  'Scores run from 0 (all strongly disagree) to 100 (all strongly agree): 🟢 75 and up · 🟡 60–74 · 🔴 under 60.';

/**
 * Dimensions as two aligned columns — the name, then its score, call and
 * favorable share — in sections of at most five rows (Slack's ten fields), so
 * nothing folds and the numbers line up on a phone as on a desktop.
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
    if (g === undefined) return [`⚪ *${label}*`, 'not asked'];
    if (!g.visible) return [`⚪ *${label}*`, HIDDEN_REASONS[g.reason](g.threshold ?? threshold)];
    const words = trendWords(line.trend);
    return [
      `${dot(g.score)} *${label}*`,
      `*${whole(g.score)}*${words === '' ? '' : ` · ${words}`} · ${percent(g.favorable)}% favorable`,
    ];
  });
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < fields.length; i += 10)
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + 10).map((text) => ({ type: 'mrkdwn' as const, text })),
    });
  return blocks;
}
