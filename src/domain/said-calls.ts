import { DIMENSIONS, type Dimension } from './dimensions.js';
import { type PublishedPulse, scorePublished } from './publication.js';
import { describeTally } from './scoring.js';
import {
  type CellPoint,
  cellTrend,
  GAP_TREND_WEEKS,
  GAP_WEEKS,
  type GapLine,
  MIN_CHANGE,
  type SaidCalls,
  SCOPES,
  type Scope,
  type TrendLine,
  type WeekCalls,
} from './trends.js';

/**
 * A week's calls as the outputs say them: each call frozen when the week closed,
 * and beside it numbers worked out from published cells only, so the words
 * never carry a number that is not a sum of published cells. Where the
 * published numbers do not bear a call out (a rise the cells put under 5
 * points, a widening they show as a narrowing), the call is said as no clear
 * change. `pulses` are the published pulses of the last 16 weeks, each with how
 * many weeks before the week in question it was.
 */
export function sayCalls(
  calls: WeekCalls,
  pulses: readonly (PublishedPulse & { weeksAgo: number })[],
): SaidCalls {
  const ago = (p: { weeksAgo: number }) => p.weeksAgo;

  const points = (scope: Scope): CellPoint[] =>
    pulses.flatMap((p) =>
      p.cells.flatMap((c) => {
        if (c.group !== 'all' || c.tally === undefined) return [];
        if (scope !== 'index' && c.dimension !== scope) return [];
        const described = describeTally(c.tally);
        return described === undefined
          ? []
          : [
              {
                statement: c.questionId,
                weeksAgo: ago(p),
                score: described.score,
                answers: described.answers,
              },
            ];
      }),
    );
  const trends = Object.fromEntries(
    SCOPES.map((scope): [Scope, TrendLine] => {
      const stored = calls.trends[scope] ?? 'not_enough_data';
      // The change over the weeks the published cells cover, and how many
      // weeks that is: "rose 12 points over 4 weeks", never stretched to 8.
      const fitted = cellTrend(points(scope));
      const change = fitted?.change;
      // Words and number always agree: a call the published cells do not bear
      // out (too small, or the other way) is said as no clear change.
      const borne =
        change !== undefined &&
        Math.abs(Math.round(change)) >= MIN_CHANGE &&
        (stored === 'rise' ? change > 0 : change < 0);
      const call = (stored === 'rise' || stored === 'fall') && !borne ? 'no_change' : stored;
      return [scope, { call, change, weeks: fitted?.weeks }];
    }),
  ) as Record<Scope, TrendLine>;

  const gapIn = (from: number, to: number, dimension: Dimension) => {
    const chosen = pulses.filter((p) => ago(p) >= from && ago(p) < to);
    return scorePublished(chosen).dimensions.find((d) => d.dimension === dimension)?.gap;
  };
  const gapOver = (from: number, to: number, dimension: Dimension) => {
    const gap = gapIn(from, to, dimension);
    return gap?.visible === true ? gap : undefined;
  };
  const gaps = Object.fromEntries(
    DIMENSIONS.map((d): [Dimension, GapLine] => {
      const published = gapIn(0, GAP_WEEKS, d);
      const gap = published?.visible === true ? published : undefined;
      const stored = calls.gaps[d] ?? 'not_enough_data';
      // "Apart by about N points" needs N: without a published gap, say no clear gap.
      const call =
        stored === 'apart' && (gap === undefined || Math.abs(Math.round(gap.points)) < MIN_CHANGE)
          ? 'no_clear_gap'
          : stored;
      // Why there is no number, when there is none: the rule that hid it, or that it was not asked.
      const hidden =
        published === undefined ? undefined : published.visible ? undefined : published.reason;
      return [d, { call, gap, hidden }];
    }),
  ) as Record<Dimension, GapLine>;

  let featured: SaidCalls['featured'];
  if (calls.featured !== undefined) {
    const from = gapOver(GAP_WEEKS, GAP_TREND_WEEKS, calls.featured)?.points;
    const to = gaps[calls.featured].gap?.points;
    let call = calls.featuredTrend;
    if ((call === 'widening' || call === 'narrowing') && from !== undefined && to !== undefined) {
      // Widening says the gap grew: the published numbers must show it grew.
      const grew = Math.abs(to) > Math.abs(from);
      if (grew !== (call === 'widening')) call = 'no_clear_change';
    }
    // The weeks the words cover: from the earliest week whose published gap
    // on this dimension the "from" figure includes, up to now.
    const dimension = calls.featured;
    const window = pulses.filter((p) => ago(p) < GAP_TREND_WEEKS);
    const withGap = window
      .filter(
        (p) =>
          scorePublished([p]).dimensions.find((d) => d.dimension === dimension)?.gap.visible ===
          true,
      )
      .map(ago);
    const span = withGap.length > 0 ? withGap : window.map(ago);
    const weeksCovered = span.length === 0 ? 0 : Math.max(...span) + 1;
    featured = { dimension, call, from, to, weeks: weeksCovered };
  }
  return { trends, gaps, featured };
}
