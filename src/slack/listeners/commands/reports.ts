import type { AppContext } from '../../../context.js';
import type { Dimension } from '../../../domain/dimensions.js';
import { lastWeeks } from '../../../domain/weeks.js';
import { weekTrends } from '../../../reports/calls.js';
import { fromFrozen } from '../../../reports/frozen-answers.js';
import { orgLines } from '../../../reports/org.js';
import {
  closedWeeks,
  closedWindow,
  latestShownWeek,
  thresholdOf,
} from '../../../reports/published.js';
import type { Survey } from '../../../storage/surveys.js';
import { listSurveys } from '../../../storage/surveys.js';
import { gapLine } from '../../../views/calls.js';
import type { SlackMessage } from '../../../views/help.js';
import {
  gapMessage,
  NOTHING_CLOSED_YET,
  orgMessage,
  scoreMessage,
  trendMessage,
} from '../../../views/scores.js';
import { tenantOf } from '../../tenant.js';
import type { CommandAnswer } from './command-handler.js';
import { surveyFor } from './survey-for.js';

/**
 * `/alignment score [weeks]`: the latest closed week (or, when too few answered
 * it, the latest closed week with scores), or the last `weeks` closed weeks
 * taken together. A pulse still open never counts.
 */
export const score: CommandAnswer<{ name: 'score'; weeks: number }> = async (
  ctx,
  { command, context },
  { weeks },
) => {
  const survey = await surveyFor(ctx, tenantOf(context), command.channel_id);
  if (typeof survey === 'string') return survey;
  return fromFrozen(ctx, survey, `score ${weeks}`, () => scoreAnswer(ctx, survey, weeks));
};

async function scoreAnswer(
  ctx: AppContext,
  survey: Survey,
  weeks: number,
): Promise<SlackMessage | string> {
  const threshold = thresholdOf(ctx, survey);
  const { latest, shown } = await latestShownWeek(ctx, survey);
  if (latest === undefined) return NOTHING_CLOSED_YET;
  const channelId = survey.leadershipChannels[0];
  if (weeks === 1) {
    const calls = shown === undefined ? undefined : await weekTrends(ctx, survey, shown.week);
    return scoreMessage({ latest, shown, calls, threshold, channelId });
  }
  const span = lastWeeks(latest.week.start, survey.timezone, weeks);
  return scoreMessage({
    latest,
    shown: undefined,
    window: { weeks: span, score: await closedWindow(ctx, survey, span) },
    threshold,
    channelId,
  });
}

/** `/alignment trend [dimension] [weeks]`: weekly scores up to the latest closed week. */
export const trend: CommandAnswer<{
  name: 'trend';
  dimension: Dimension | undefined;
  weeks: number;
}> = async (ctx, { command, context }, { dimension, weeks: count }) => {
  const survey = await surveyFor(ctx, tenantOf(context), command.channel_id);
  if (typeof survey === 'string') return survey;
  return fromFrozen(ctx, survey, `trend ${dimension ?? 'index'} ${count}`, () =>
    trendAnswer(ctx, survey, dimension, count),
  );
};

async function trendAnswer(
  ctx: AppContext,
  survey: Survey,
  dimension: Dimension | undefined,
  count: number,
): Promise<SlackMessage | string> {
  const { weeks, scores, latest } = await closedWeeks(ctx, survey, count);
  if (latest === undefined) return NOTHING_CLOSED_YET;
  const groups = scores.map((s) =>
    dimension === undefined
      ? s.index
      : s.dimensions.find((d) => d.dimension === dimension)?.overall,
  );
  const said = await weekTrends(ctx, survey, latest);
  const line = said?.trends[dimension ?? 'index'];
  // When the gap is the story on this dimension, each week's two sides beside its score.
  const gapOf = dimension === undefined ? undefined : said?.gaps[dimension];
  const featured = said?.featured?.dimension === dimension ? said?.featured : undefined;
  const story =
    dimension !== undefined &&
    gapOf?.gap !== undefined &&
    (gapOf.call === 'apart' || featured !== undefined);
  return trendMessage({
    dimension,
    weeks,
    groups,
    line,
    threshold: thresholdOf(ctx, survey),
    channelId: survey.leadershipChannels[0],
    sides:
      story && gapOf?.gap !== undefined
        ? {
            weeks: scores.map((s) => {
              const d = s.dimensions.find((x) => x.dimension === dimension);
              const none = { visible: false as const, reason: 'no_answers' as const };
              return {
                product: d?.bySide.product ?? none,
                engineering: d?.bySide.engineering ?? none,
              };
            }),
            gap: `Perception gap, last 4 weeks: ${gapLine(dimension, { call: gapOf.call, gap: gapOf.gap }, featured)}`,
          }
        : undefined,
  });
}

/** `/alignment gap`: the perception gaps of the week `score` shows. */
export const gap: CommandAnswer<{ name: 'gap' }> = async (ctx, { command, context }) => {
  const survey = await surveyFor(ctx, tenantOf(context), command.channel_id);
  if (typeof survey === 'string') return survey;
  return fromFrozen(ctx, survey, 'gap', () => gapAnswer(ctx, survey));
};

async function gapAnswer(ctx: AppContext, survey: Survey): Promise<SlackMessage | string> {
  const { latest, shown } = await latestShownWeek(ctx, survey);
  if (latest === undefined) return NOTHING_CLOSED_YET;
  const week = shown ?? latest;
  return gapMessage({
    period: `the ${week.week.label}${week === latest ? ', the latest closed week' : ''}`,
    score: week.score,
    calls: await weekTrends(ctx, survey, latest.week),
    threshold: thresholdOf(ctx, survey),
    channelId: survey.leadershipChannels[0],
  });
}

/** `/alignment score all` (admins): every survey of the workspace, one line each. */
export const scoreAll: CommandAnswer<{ name: 'score-all' }> = async (ctx, { context }) =>
  orgMessage(await orgLines(ctx, await listSurveys(ctx.db, tenantOf(context))));
