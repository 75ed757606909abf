import { findSurveyByChannel } from '../../../storage/surveys.js';
import { tenantOf } from '../../tenant.js';
import { openAgreementForm } from '../actions/agreements.js';
import { type CommandHandler, reply } from './command-handler.js';
import type { Command } from './parse-command.js';

/** `/alignment agree [dimension]`: the agreement form for this channel's survey. */
export const agree: CommandHandler<Extract<Command, { name: 'agree' }>> = async (
  ctx,
  { command, context, respond },
  parsed,
) => {
  const survey = await findSurveyByChannel(ctx.db, tenantOf(context), command.channel_id);
  if (survey === undefined) {
    await reply(
      respond,
      'This channel has no survey. Type `/alignment agree` in your leadership channel, where the pulse goes.',
    );
    return;
  }
  const problem = await openAgreementForm(ctx, {
    triggerId: command.trigger_id,
    userId: command.user_id,
    survey,
    dimension: parsed.dimension,
  });
  if (problem !== undefined) await reply(respond, problem);
};
