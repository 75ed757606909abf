import type { AppContext } from '../context.js';
import { adviceFor, slackErrorCode } from '../slack/slack-errors.js';
import { recordDeliveryFailure } from '../storage/delivery-failures.js';

export interface DeliveryProblem {
  channelId: string;
  error: string;
  advice: string;
}

/**
 * Runs one Slack delivery; a failure is logged (ids only), stored for the
 * admins' App Home, and returned instead of thrown, so one bad channel or
 * person does not stop the others.
 */
export async function deliver(
  ctx: AppContext,
  what: { teamId: string; surveyId: number; channelId: string; action: string },
  send: () => Promise<void>,
): Promise<DeliveryProblem | undefined> {
  try {
    await send();
    return undefined;
  } catch (error) {
    const code = slackErrorCode(error);
    ctx.logger.warn('Slack delivery failed', {
      action: what.action,
      survey: what.surveyId,
      channel: what.channelId,
      error: code,
    });
    recordDeliveryFailure(ctx.db, { ...what, error: code, at: ctx.now() });
    return { channelId: what.channelId, error: code, advice: adviceFor(code, what.channelId) };
  }
}

/** The DM channel with a person (conversations.open). */
export async function openDm(ctx: AppContext, userId: string): Promise<string> {
  const opened = await ctx.slack.conversations.open({ users: userId });
  const id = opened.channel?.id;
  if (id === undefined) throw new Error('conversations.open returned no channel');
  return id;
}
