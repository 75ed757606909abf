import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { refreshAnswerCount } from '../../../jobs/refresh-pulse-messages.js';
import { forgetPerson } from '../../../storage/answers.js';
import { getPulse } from '../../../storage/pulses.js';
import { forgottenMessage } from '../../../views/forget-me.js';
import { tenantOf } from '../../tenant.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** "Delete my answers": deletes everything of the person who clicked, and says how much. */
export function confirmForgetMe(ctx: AppContext) {
  return async ({ ack, body, context, respond }: Args): Promise<void> => {
    await ack();
    const teamId = tenantOf(context);
    const deleted = await forgetPerson(ctx.db, teamId, body.user.id, ctx.now());
    // Neither who nor what they had: a log line must not single them out.
    ctx.logger.info('forget-me done');
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: forgottenMessage(deleted),
    });
    // The open pulse's count goes down: its answers were deleted outright.
    for (const pulseId of deleted.openPulses) {
      const pulse = await getPulse(ctx.db, pulseId);
      if (pulse !== undefined) await refreshAnswerCount(ctx, pulse);
    }
  };
}

/** "Keep them". */
export function cancelForgetMe() {
  return async ({ ack, respond }: Args): Promise<void> => {
    await ack();
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: 'Nothing was deleted.',
    });
  };
}
