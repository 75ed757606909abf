import { postDigest } from '../../../jobs/post-digest.js';
import { type CommandHandler, reply } from './command-handler.js';
import { surveyFor } from './survey-for.js';

/** `/alignment digest now` (admins): this week's digest, posted to the survey's digest channels. */
export const digestNow: CommandHandler<{ name: 'digest-now' }> = async (
  ctx,
  { command, respond },
) => {
  const survey = surveyFor(ctx, command.team_id, command.channel_id);
  if (typeof survey === 'string') return void (await reply(respond, survey));
  const result = await postDigest(ctx, survey, ctx.now());
  const channels = (ids: string[]) => ids.map((id) => `<#${id}>`).join(', ');
  const lines: string[] = [];
  if (result.posted.length > 0)
    lines.push(`Digest for ${result.digest.week.label} posted in ${channels(result.posted)}.`);
  for (const problem of result.problems) lines.push(`:warning: ${problem.advice}`);
  const already = survey.digestChannels.filter(
    (id) => !result.posted.includes(id) && !result.problems.some((p) => p.channelId === id),
  );
  if (already.length > 0)
    lines.push(
      `This week's digest was already posted in ${channels(already)}; it goes out once a week per channel.`,
    );
  await reply(
    respond,
    lines.join('\n') || 'The survey has no digest channel: pick one in `/alignment setup`.',
  );
};
