import type { Dimension } from '../../../domain/dimensions.js';
import { changeBetween, scorePeriod } from '../../../domain/scoring.js';
import { lastWeeks } from '../../../domain/weeks.js';
import { scoreWeeks, thresholdOf } from '../../../jobs/post-digest.js';
import { weeklyTallies } from '../../../storage/scores.js';
import { gapMessage, scoreMessage, trendMessage } from '../../../views/scores.js';
import type { CommandHandler } from './command-handler.js';
import { surveyFor } from './survey-for.js';

/** `/alignment score [weeks]`: the latest week, or the last `weeks` weeks taken together. */
export const score: CommandHandler<{ name: 'score'; weeks: number }> = async (
  ctx,
  { command, respond },
  { weeks },
) => {
  const survey = surveyFor(ctx, command.team_id, command.channel_id);
  if (typeof survey === 'string')
    return void (await respond({ response_type: 'ephemeral', text: survey }));
  const span = lastWeeks(ctx.now(), survey.timezone, weeks);
  const first = span[0];
  const last = span.at(-1);
  if (first === undefined || last === undefined) return;
  const period =
    weeks === 1
      ? `week ${last.label.slice(1)}, ${last.range}`
      : `the last ${weeks} weeks (${first.label}–${last.label})`;
  const window = { period: 'span', start: first.start, end: last.end };
  const input = weeklyTallies(ctx.db, survey.id, [window]).get('span') ?? {
    tallies: new Map(),
    respondents: 0,
    invited: 0,
  };
  const threshold = thresholdOf(ctx, survey);
  await respond({
    response_type: 'ephemeral',
    ...scoreMessage({ period, score: scorePeriod(input, threshold), threshold }),
  });
};

/** `/alignment trend [dimension] [weeks]`. */
export const trend: CommandHandler<{
  name: 'trend';
  dimension: Dimension | undefined;
  weeks: number;
}> = async (ctx, { command, respond }, { dimension, weeks: count }) => {
  const survey = surveyFor(ctx, command.team_id, command.channel_id);
  if (typeof survey === 'string')
    return void (await respond({ response_type: 'ephemeral', text: survey }));
  const { weeks, scores } = scoreWeeks(ctx, survey, ctx.now(), count);
  const groups = scores.map((s) =>
    dimension === undefined
      ? s.index
      : s.dimensions.find((d) => d.dimension === dimension)?.overall,
  );
  const change = changeBetween(groups.at(-2), groups.at(-1));
  await respond({
    response_type: 'ephemeral',
    ...trendMessage({ dimension, weeks, groups, change, threshold: thresholdOf(ctx, survey) }),
  });
};

/** `/alignment gap`: the latest week's perception gaps. */
export const gap: CommandHandler<{ name: 'gap' }> = async (ctx, { command, respond }) => {
  const survey = surveyFor(ctx, command.team_id, command.channel_id);
  if (typeof survey === 'string')
    return void (await respond({ response_type: 'ephemeral', text: survey }));
  const { weeks, scores } = scoreWeeks(ctx, survey, ctx.now(), 1);
  const week = weeks.at(-1);
  const current = scores.at(-1);
  if (week === undefined || current === undefined) return;
  await respond({
    response_type: 'ephemeral',
    ...gapMessage({
      period: `week ${week.label.slice(1)}, ${week.range}`,
      score: current,
      threshold: thresholdOf(ctx, survey),
    }),
  });
};
