import type { WebClient } from '@slack/web-api';
import type { AppContext } from '../context.js';
import { slackErrorCode } from '../slack/slack-errors.js';
import { recordDeliveryFailure } from '../storage/delivery-failures.js';
import {
  abandonPulseMessage,
  beginPulseMessage,
  findPulseMessage,
  knownDmChannel,
  type PulseMessageKind,
  recordPulseMessage,
} from '../storage/pulses.js';
import { adviceFor } from '../views/advice.js';
import type { SlackMessage } from '../views/help.js';
import { postedAgain } from '../views/pulse-message.js';

export interface DeliveryProblem {
  channelId: string;
  error: string;
  advice: string;
}

/**
 * Runs one Slack delivery with the client of the workspace it is for; a failure
 * (Slack's refusal, or no usable token for the workspace) is logged (ids only),
 * stored for the admins' App Home, and returned instead of thrown, so one bad
 * channel or person does not stop the others.
 */
export async function deliver(
  ctx: AppContext,
  what: { teamId: string; surveyId: number; channelId: string; action: string },
  send: (slack: WebClient) => Promise<void>,
): Promise<DeliveryProblem | undefined> {
  try {
    await send(await ctx.slackFor(what.teamId));
    return undefined;
  } catch (error) {
    const code = slackErrorCode(error);
    ctx.logger.warn('Slack delivery failed', {
      action: what.action,
      survey: what.surveyId,
      channel: what.channelId,
      error: code,
    });
    await recordDeliveryFailure(ctx.db, { ...what, error: code, at: ctx.now() });
    return { channelId: what.channelId, error: code, advice: adviceFor(code, what.channelId) };
  }
}

/**
 * Posts a pulse's message once: noted before the call, its ts recorded the
 * moment Slack answers, so a post is repeated only if the process stopped
 * during that one call (then `again` marks the new copy, see postedAgain). A
 * post Slack refused is forgotten, to be tried afresh. False when it was posted before.
 */
export async function postPulseMessageOnce(
  ctx: AppContext,
  pulseId: number,
  where: { channelId: string; kind: PulseMessageKind; userId?: string },
  post: (again: boolean) => Promise<string | undefined>,
): Promise<boolean> {
  const before = await beginPulseMessage(ctx.db, pulseId, where);
  if (before === 'posted') return false;
  if (before === 'in_doubt')
    ctx.logger.warn('posting again a pulse message whose post was interrupted', {
      pulse: pulseId,
      kind: where.kind,
    });
  let ts: string | undefined;
  try {
    ts = await post(before === 'in_doubt');
  } catch (error) {
    // Slack's answer (refused, rate-limited, a server error) means it was not
    // posted; a time-out or a broken connection leaves it in doubt.
    if (slackErrorCode(error) !== 'request_failed')
      await abandonPulseMessage(ctx.db, pulseId, where);
    throw error;
  }
  await recordPulseMessage(ctx.db, pulseId, { ...where, ts: ts ?? '' });
  return true;
}

/** Makes a scheduled run fail (and so retry) when any delivery was refused. */
export function throwIfRefused(problems: readonly DeliveryProblem[]): void {
  if (problems.length > 0) {
    throw new Error(
      `Slack refused ${problems.map((p) => `${p.error} (${p.channelId})`).join(', ')}`,
    );
  }
}

/**
 * Sends a pulse's DM (the pulse itself or its reminder) to one person, once:
 * a DM already recorded for this pulse, person and kind is not sent again.
 * Returns the problem when Slack refused, undefined when sent or sent before.
 */
export async function sendPulseDm(
  ctx: AppContext,
  pulse: { id: number; teamId: string; surveyId: number },
  userId: string,
  kind: 'dm' | 'reminder',
  message: SlackMessage,
): Promise<DeliveryProblem | undefined> {
  const sent = await findPulseMessage(ctx.db, pulse.id, kind, { userId });
  if (sent !== undefined && sent.ts !== null) return undefined;
  const action = kind === 'dm' ? 'send the pulse by DM' : 'send a reminder';
  return deliver(
    ctx,
    { teamId: pulse.teamId, surveyId: pulse.surveyId, channelId: userId, action },
    async (slack) => {
      const channel =
        sent?.channelId ??
        (await knownDmChannel(ctx.db, pulse.teamId, userId)) ??
        (await openDm(slack, userId));
      await postPulseMessageOnce(
        ctx,
        pulse.id,
        { channelId: channel, kind, userId },
        async (again) => {
          const posted = await slack.chat.postMessage({
            channel,
            ...(again ? postedAgain(message) : message),
          });
          return posted.ts;
        },
      );
    },
  );
}

/** Opens (or finds) the app's DM with a person: conversations.open, a Tier 3 method. */
export async function openDm(slack: WebClient, userId: string): Promise<string> {
  const opened = await slack.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (channel === undefined) throw new Error('conversations.open returned no channel');
  return channel;
}
