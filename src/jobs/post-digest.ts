import { type ChartSeries, renderTrendChart } from '../charts/trend-chart.js';
import type { AppContext } from '../context.js';
import { buildDigest, type Digest } from '../domain/digest.js';
import { DIMENSION_LABELS } from '../domain/dimensions.js';
import type { PeriodScore } from '../domain/scoring.js';
import type { Week } from '../domain/weeks.js';
import { describeError } from '../errors.js';
import { weekTrends } from '../reports/calls.js';
import { closedWeekComments, closedWeeks, thresholdOf } from '../reports/published.js';
import { slackErrorCode } from '../slack/slack-errors.js';
import { recordDeliveryFailure } from '../storage/delivery-failures.js';
import { claimDigest, recordDigest } from '../storage/digests.js';
import type { Survey } from '../storage/surveys.js';
import { digestMessage } from '../views/digest.js';
import { type DeliveryProblem, deliver } from './deliver.js';

export const TREND_WEEKS = 12;

export interface PostedDigest {
  /** The digest of the latest closed week; undefined when no pulse has closed yet. */
  digest: Digest | undefined;
  /** Channels the digest was posted to now (none when it had been posted already). */
  posted: string[];
  problems: DeliveryProblem[];
}

/**
 * Posts the digest of the survey's latest closed week (as of `asOf`) to each
 * digest channel, with the trend chart. A pulse still open is never part of it.
 * Idempotent per survey, closed week and channel: a channel that has that
 * week's digest gets nothing more. If the chart cannot be drawn or uploaded,
 * the text digest still goes out and the failure is logged.
 */
export async function postDigest(
  ctx: AppContext,
  survey: Survey,
  asOf: Date,
): Promise<PostedDigest> {
  const threshold = thresholdOf(ctx, survey);
  const { weeks, scores, latest } = closedWeeks(ctx, survey, TREND_WEEKS, asOf);
  if (latest === undefined) {
    ctx.logger.info('digest: no pulse has closed yet', { survey: survey.id });
    return { digest: undefined, posted: [], problems: [] };
  }
  const week = latest;
  const digest = buildDigest({
    weeks,
    scores,
    threshold,
    comments: closedWeekComments(ctx, survey, week, asOf),
    calls: weekTrends(ctx, survey, week, asOf),
  });
  const message = digestMessage(digest);
  const posted: string[] = [];
  const problems: DeliveryProblem[] = [];
  let chart: Buffer | undefined;
  for (const channelId of survey.digestChannels) {
    if (!claimDigest(ctx.db, survey.id, week.period, channelId)) continue;
    const problem = await deliver(
      ctx,
      { teamId: survey.teamId, surveyId: survey.id, channelId, action: 'post the digest' },
      async () => {
        const result = await ctx.slack.chat.postMessage({ channel: channelId, ...message });
        recordDigest(ctx.db, survey.id, week.period, channelId, result.ts ?? '');
      },
    );
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    posted.push(channelId);
    if (digest.state === 'no_data' || digest.state === 'too_few') continue;
    try {
      const png = chart ?? (await renderTrendChart(chartInput(digest, weeks, scores)));
      chart = png;
      await ctx.slack.filesUploadV2({
        channel_id: channelId,
        file: png,
        filename: `alignment-trend-${week.period}.png`,
        title: `Alignment trend, last ${TREND_WEEKS} weeks`,
      });
    } catch (error) {
      const code = slackErrorCode(error);
      ctx.logger.warn('the digest went out without its chart', {
        survey: survey.id,
        channel: channelId,
        error: code === 'unknown_error' ? describeError(error) : code,
      });
      recordDeliveryFailure(ctx.db, {
        teamId: survey.teamId,
        surveyId: survey.id,
        channelId,
        action: 'upload the digest chart',
        error: code,
        at: ctx.now(),
      });
    }
  }
  ctx.logger.info('digest', {
    survey: survey.id,
    week: week.period,
    posted: posted.length,
    failed: problems.length,
  });
  return { digest, posted, problems };
}

/** The chart's lines: the index, each dimension, and both sides of the most divided one. */
export function chartInput(digest: Digest, weeks: Week[], scores: PeriodScore[]) {
  const value = (g: { visible: boolean; score?: number } | undefined) =>
    g?.visible === true && g.score !== undefined ? Math.round(g.score) : null;
  const series: ChartSeries[] = [
    { name: 'Alignment index', kind: 'index', values: scores.map((s) => value(s.index)) },
  ];
  for (const line of digest.dimensions) {
    const values = scores.map((s) =>
      value(s.dimensions.find((d) => d.dimension === line.dimension)?.overall),
    );
    if (values.some((v) => v !== null))
      series.push({ name: DIMENSION_LABELS[line.dimension], kind: 'dimension', values });
  }
  const divided = digest.largestGap?.dimension;
  if (divided !== undefined) {
    for (const side of ['product', 'engineering'] as const) {
      series.push({
        name: `${DIMENSION_LABELS[divided]} — ${side === 'product' ? 'Product' : 'Engineering'}`,
        kind: side,
        values: scores.map((s) =>
          value(s.dimensions.find((d) => d.dimension === divided)?.byDiscipline[side]),
        ),
      });
    }
  }
  return {
    title: `Alignment trend · last ${TREND_WEEKS} weeks`,
    subtitle: `Scores 0–100, weeks ${weeks[0]?.label ?? ''}–${weeks.at(-1)?.label ?? ''}. Hidden where fewer than ${digest.threshold} answered.`,
    weeks: weeks.map((w) => w.label),
    series,
  };
}
