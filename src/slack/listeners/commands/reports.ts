import type { Dimension } from '../../../domain/dimensions.js';
import { lastWeeks } from '../../../domain/weeks.js';
import { weekTrends } from '../../../reports/calls.js';
import { orgLines } from '../../../reports/org.js';
import {
  closedWeeks,
  closedWindow,
  latestShownWeek,
  thresholdOf,
} from '../../../reports/published.js';
import { listSurveys } from '../../../storage/surveys.js';
import {
  gapMessage,
  NOTHING_CLOSED_YET,
  orgMessage,
  scoreMessage,
  trendMessage,
} from '../../../views/scores.js';
import type { CommandHandler } from './command-handler.js';
import { surveyFor } from './survey-for.js';

/**
 * `/alignment score [weeks]`: the latest closed week (or, when too few answered
 * it, the latest closed week with scores), or the last `weeks` closed weeks
 * taken together. A pulse still open never counts.
 */
export const score: CommandHandler<{ name: 'score'; weeks: number }> = async (
  ctx,
  { command, respond },
  { weeks },
) => {
  const survey = surveyFor(ctx, command.team_id, command.channel_id);
  if (typeof survey === 'string')
    return void (await respond({ response_type: 'ephemeral', text: survey }));
  const threshold = thresholdOf(ctx, survey);
  const { latest, shown } = latestShownWeek(ctx, survey);
  if (latest === undefined)
    return void (await respond({ response_type: 'ephemeral', text: NOTHING_CLOSED_YET }));
  const channelId = survey.leadershipChannels[0];
  if (weeks === 1) {
    const calls = shown === undefined ? undefined : weekTrends(ctx, survey, shown.week);
    await respond({
      response_type: 'ephemeral',
      ...scoreMessage({ latest, shown, calls, threshold, channelId }),
    });
    return;
  }
  const span = lastWeeks(latest.week.start, survey.timezone, weeks);
  await respond({
    response_type: 'ephemeral',
    ...scoreMessage({
      latest,
      shown: undefined,
      window: { weeks: span, score: closedWindow(ctx, survey, span) },
      threshold,
      channelId,
    }),
  });
};

/** `/alignment trend [dimension] [weeks]`: weekly scores up to the latest closed week. */
export const trend: CommandHandler<{
  name: 'trend';
  dimension: Dimension | undefined;
  weeks: number;
}> = async (ctx, { command, respond }, { dimension, weeks: count }) => {
  const survey = surveyFor(ctx, command.team_id, command.channel_id);
  if (typeof survey === 'string')
    return void (await respond({ response_type: 'ephemeral', text: survey }));
  const { weeks, scores, latest } = closedWeeks(ctx, survey, count);
  if (latest === undefined)
    return void (await respond({ response_type: 'ephemeral', text: NOTHING_CLOSED_YET }));
  const groups = scores.map((s) =>
    dimension === undefined
      ? s.index
      : s.dimensions.find((d) => d.dimension === dimension)?.overall,
  );
  const line = weekTrends(ctx, survey, latest)?.trends[dimension ?? 'index'];
  await respond({
    response_type: 'ephemeral',
    ...trendMessage({
      dimension,
      weeks,
      groups,
      line,
      threshold: thresholdOf(ctx, survey),
      channelId: survey.leadershipChannels[0],
    }),
  });
};

/** `/alignment gap`: the perception gaps of the week `score` shows. */
export const gap: CommandHandler<{ name: 'gap' }> = async (ctx, { command, respond }) => {
  const survey = surveyFor(ctx, command.team_id, command.channel_id);
  if (typeof survey === 'string')
    return void (await respond({ response_type: 'ephemeral', text: survey }));
  const { latest, shown } = latestShownWeek(ctx, survey);
  if (latest === undefined)
    return void (await respond({ response_type: 'ephemeral', text: NOTHING_CLOSED_YET }));
  const week = shown ?? latest;
  await respond({
    response_type: 'ephemeral',
    ...gapMessage({
      period: `the ${week.week.label}${week === latest ? ', the latest closed week' : ''}`,
      score: week.score,
      calls: weekTrends(ctx, survey, latest.week),
      threshold: thresholdOf(ctx, survey),
      channelId: survey.leadershipChannels[0],
    }),
  });
};

/** `/alignment score all` (admins): every survey of the workspace, one line each. */
export const scoreAll: CommandHandler<{ name: 'score-all' }> = async (
  ctx,
  { command, respond },
) => {
  const surveys = listSurveys(ctx.db, command.team_id);
  await respond({ response_type: 'ephemeral', ...orgMessage(orgLines(ctx, surveys)) });
};
