import { postDigest } from '../../../jobs/post-digest.js';
import { tenantOf } from '../../tenant.js';
import { type CommandHandler, reply } from './command-handler.js';
import { surveyFor } from './survey-for.js';

/**
 * `/alignment digest now` (admins): the digest of the latest closed week,
 * posted to the survey's digest channels. A pulse still open is never in it.
 */
export const digestNow: CommandHandler<{ name: 'digest-now' }> = async (
  ctx,
  { command, context, respond },
) => {
  const survey = await surveyFor(ctx, tenantOf(context), command.channel_id);
  if (typeof survey === 'string') return void (await reply(respond, survey));
  const result = await postDigest(ctx, survey, ctx.now());
  if (result.digest === undefined) {
    await reply(
      respond,
      'No pulse has closed yet, so there is nothing to digest: the digest shows only closed pulses, never one still taking answers. The first digest can go out once the first pulse closes.',
    );
    return;
  }
  const week = result.digest.week.label;
  const channels = (ids: string[]) => ids.map((id) => `<#${id}>`).join(', ');
  const lines: string[] = [];
  if (result.posted.length > 0)
    lines.push(
      `Digest for the ${week}, the latest closed week, posted in ${channels(result.posted)}.`,
    );
  for (const problem of result.problems) lines.push(`:warning: ${problem.advice}`);
  if (result.posting.length > 0)
    lines.push(
      `The digest for the ${week}, the latest closed week, is being posted in ${channels(result.posting)} right now.`,
    );
  const already = survey.digestChannels.filter(
    (id) =>
      !result.posted.includes(id) &&
      !result.posting.includes(id) &&
      !result.problems.some((p) => p.channelId === id),
  );
  if (already.length > 0)
    lines.push(
      `The digest for the ${week}, the latest closed week, was already posted in ${channels(already)}. Each closed week is digested once; the next digest covers the next pulse, after it closes.`,
    );
  await reply(
    respond,
    lines.join('\n') || 'The survey has no digest channel: pick one in `/alignment setup`.',
  );
};
