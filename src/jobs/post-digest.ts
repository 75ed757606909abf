import type { KnownBlock } from '@slack/types';
import type { AppContext } from '../context.js';
import { buildDigest, type Digest } from '../domain/digest.js';
import { describeError } from '../errors.js';
import { followUpOf } from '../reports/agreements.js';
import { weekTrends } from '../reports/calls.js';
import { closedWeekComments, closedWeeks, thresholdOf } from '../reports/published.js';
import { slackErrorCode } from '../slack/slack-errors.js';
import { closedUnsaid, markClosedSaid, openAgreements } from '../storage/agreements.js';
import { recordDeliveryFailure } from '../storage/delivery-failures.js';
import { claimDigest, recordDigest, releaseDigest } from '../storage/digests.js';
import type { Survey } from '../storage/surveys.js';
import { type DigestExtras, digestMessage, withoutChart } from '../views/digest.js';
import { type DeliveryProblem, deliver } from './deliver.js';

export const TREND_WEEKS = 12;

type DigestAgreements = NonNullable<DigestExtras['agreements']>;

export interface PostedDigest {
  /** The digest of the latest closed week; undefined when no pulse has closed yet. */
  digest: Digest | undefined;
  /** Channels the digest was posted to now (none when it had been posted already). */
  posted: string[];
  /**
   * Channels another attempt (another instance, or one that stopped) has
   * claimed the digest for and not recorded yet: it may be posting it now.
   */
  posting: string[];
  problems: DeliveryProblem[];
}

/**
 * Posts the digest of the survey's latest closed week (as of `asOf`) to each
 * digest channel, with the trend chart. A pulse still open is never part of it.
 * Once per survey, closed week and channel, across processes: each channel's
 * digest is claimed before it is posted, and a channel that has that week's
 * digest gets nothing more. If the chart cannot be drawn or uploaded, the text
 * digest still goes out and the failure is logged.
 */
export async function postDigest(
  ctx: AppContext,
  survey: Survey,
  asOf: Date,
): Promise<PostedDigest> {
  const threshold = thresholdOf(ctx, survey);
  const { weeks, scores, latest } = await closedWeeks(ctx, survey, TREND_WEEKS, asOf);
  if (latest === undefined) {
    ctx.logger.info('digest: no pulse has closed yet', { survey: survey.id });
    return { digest: undefined, posted: [], posting: [], problems: [] };
  }
  const week = latest;
  const digest = buildDigest({
    weeks,
    scores,
    threshold,
    comments: await closedWeekComments(ctx, survey, week, asOf),
    calls: await weekTrends(ctx, survey, week, asOf),
  });
  // Agreements are followed up only in a digest that shows scores.
  let agreements: DigestAgreements | undefined;
  if (digest.state === 'normal' || digest.state === 'first') {
    const open: DigestAgreements['open'] = [];
    for (const agreement of await openAgreements(ctx.db, survey.id))
      open.push({ agreement, followUp: await followUpOf(ctx, survey, agreement, asOf) });
    agreements = { open, closed: await closedUnsaid(ctx.db, survey.id) };
  }
  const message = digestMessage(digest, {
    surveyId: survey.id,
    timezone: survey.timezone,
    ...(agreements === undefined ? {} : { agreements }),
  });
  const posted: string[] = [];
  const posting: string[] = [];
  const problems: DeliveryProblem[] = [];
  let png: Buffer | undefined;
  for (const channelId of survey.digestChannels) {
    const claim = await claimDigest(ctx.db, survey.id, week.period, channelId, ctx.now());
    if (claim === 'posting') posting.push(channelId);
    if (claim !== 'claimed') continue;
    let sent = false;
    let fallback = false;
    const problem = await deliver(
      ctx,
      { teamId: survey.teamId, surveyId: survey.id, channelId, action: 'post the digest' },
      async (slack) => {
        let result: { ts?: string };
        try {
          result = await slack.chat.postMessage({
            channel: channelId,
            text: message.text,
            // The native chart block is not in @slack/types yet (views/digest.ts types it).
            blocks: message.blocks as KnownBlock[],
          });
        } catch (error) {
          // Slack refused the native chart (an older workspace, a changed rule):
          // the digest goes out without it, and the chart follows as a picture.
          if (slackErrorCode(error) !== 'invalid_blocks' || digest.chart === undefined) throw error;
          ctx.logger.warn('Slack refused the native chart: posting the PNG instead', {
            survey: survey.id,
            channel: channelId,
          });
          const plain = withoutChart(message);
          result = await slack.chat.postMessage({
            channel: channelId,
            text: plain.text,
            blocks: plain.blocks as KnownBlock[],
          });
          fallback = true;
        }
        sent = true;
        await recordDigest(ctx.db, survey.id, week.period, channelId, result.ts ?? '');
      },
    );
    if (problem !== undefined) {
      problems.push(problem);
      if (!sent) await releaseDigest(ctx.db, survey.id, week.period, channelId);
      continue;
    }
    posted.push(channelId);
    if (!fallback || digest.chart === undefined) continue;
    try {
      // Loaded only now: the chart libraries are the bulk of the app's memory.
      const { renderTrendChart } = await import('../charts/trend-chart.js');
      png ??= await renderTrendChart(digest.chart);
      const slack = await ctx.slackFor(survey.teamId);
      await slack.filesUploadV2({
        channel_id: channelId,
        file: png,
        filename: `alignment-trend-${week.period}.png`,
        title: digest.chart.title,
      });
    } catch (error) {
      const code = slackErrorCode(error);
      ctx.logger.warn('the digest went out without its chart', {
        survey: survey.id,
        channel: channelId,
        error: code === 'unknown_error' ? describeError(error) : code,
      });
      await recordDeliveryFailure(ctx.db, {
        teamId: survey.teamId,
        surveyId: survey.id,
        channelId,
        action: 'upload the digest chart',
        error: code,
        at: ctx.now(),
      });
    }
  }
  // Closed agreements are said once: in the first digest that went out after.
  if (posted.length > 0 && agreements !== undefined && agreements.closed.length > 0)
    await markClosedSaid(
      ctx.db,
      agreements.closed.map((a) => a.id),
      week.period,
    );
  ctx.logger.info('digest', {
    survey: survey.id,
    week: week.period,
    posted: posted.length,
    posting: posting.length,
    failed: problems.length,
  });
  return { digest, posted, posting, problems };
}
