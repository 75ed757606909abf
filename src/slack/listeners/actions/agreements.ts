import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { defaultReviewDay } from '../../../domain/agreements.js';
import { DIMENSIONS, type Dimension } from '../../../domain/dimensions.js';
import { type Agreement, closeAgreement, getAgreement } from '../../../storage/agreements.js';
import { getSurvey, type Survey } from '../../../storage/surveys.js';
import {
  agreementModal,
  closedWords,
  droppedModal,
  keepGoingModal,
  ownersOnly,
  who,
} from '../../../views/agreements.js';
import { escapeMrkdwn } from '../../../views/mrkdwn.js';
import { isAdmin } from '../../admins.js';
import { channelMembers } from '../../members.js';
import { publishHome } from '../../publish-home.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** A short modal that tells, where there is no message to answer in (the App Home). */
const notice = (text: string): ModalView => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Agreements' },
  close: { type: 'plain_text', text: 'OK' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

/**
 * Whether a person may record an agreement for a survey: a member of one of its
 * leadership channels (the people it asks), or an admin.
 */
export async function mayRecord(ctx: AppContext, survey: Survey, userId: string): Promise<boolean> {
  for (const channel of survey.leadershipChannels) {
    const members = await ctx
      .slackFor(survey.teamId)
      .then((slack) => channelMembers(slack, channel))
      .catch(() => [] as string[]);
    if (members.includes(userId)) return true;
  }
  return isAdmin(ctx, survey.teamId, userId).catch(() => false);
}

/** Opens the agreement form for a survey; the sentence to say instead, when it cannot. */
export async function openAgreementForm(
  ctx: AppContext,
  p: { triggerId: string; userId: string; survey: Survey; dimension: Dimension | undefined },
): Promise<string | undefined> {
  if (!(await mayRecord(ctx, p.survey, p.userId)))
    return `Only members of ${p.survey.leadershipChannels.map((c) => `<#${c}>`).join(', ')} record its agreements: they are the leaders it asks. Ask one of them, or an admin.`;
  try {
    await (await ctx.slackFor(p.survey.teamId)).views.open({
      trigger_id: p.triggerId,
      view: agreementModal({
        surveyId: p.survey.id,
        channelId: p.survey.leadershipChannels[0],
        dimension: p.dimension,
        reviewOn: defaultReviewDay(ctx.now(), p.survey.timezone),
      }),
    });
    return undefined;
  } catch (error) {
    const code = slackErrorCode(error);
    ctx.logger.warn('could not open the agreement form', { error: code });
    return code === 'expired_trigger_id'
      ? 'Slack took too long to open the form. Please try again.'
      : 'Slack could not open the form just now. Please try again in a moment.';
  }
}

const recordValue = z.object({
  surveyId: z.number().int().positive(),
  dimension: z.enum(DIMENSIONS).optional(),
});

/**
 * Says something privately to whoever clicked: in the conversation of the
 * message (its response_url), or, in the App Home, in a small modal.
 */
async function tell(ctx: AppContext, args: Args, text: string): Promise<void> {
  const body = args.body;
  try {
    if (body.response_url !== undefined)
      await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    else
      await (await ctx.slackFor(tenantOf(args.context))).views.open({
        trigger_id: body.trigger_id,
        view: notice(text),
      });
  } catch (error) {
    ctx.logger.warn('could not answer an agreement button', { error: slackErrorCode(error) });
  }
}

/** "Record what we agreed", on the digest's topic and in the App Home. */
export function recordFromButton(ctx: AppContext) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const { action, body } = args;
    let parsed: z.infer<typeof recordValue> | undefined;
    try {
      parsed = recordValue.parse(JSON.parse('value' in action ? String(action.value) : ''));
    } catch {
      parsed = undefined;
    }
    const survey = parsed === undefined ? undefined : await getSurvey(ctx.db, parsed.surveyId);
    if (survey === undefined || survey.teamId !== tenantOf(args.context)) {
      await tell(
        ctx,
        args,
        'That survey was removed, so there is nothing to record an agreement on.',
      );
      return;
    }
    const problem = await openAgreementForm(ctx, {
      triggerId: body.trigger_id,
      userId: body.user.id,
      survey,
      dimension: parsed?.dimension,
    });
    if (problem !== undefined) await tell(ctx, args, problem);
  };
}

/**
 * The agreement a review button is about, when the one who clicked may answer
 * it; otherwise they are told who can (or that it is closed) and nothing changes.
 */
async function ownAgreement(ctx: AppContext, args: Args): Promise<Agreement | undefined> {
  const { action, body } = args;
  const agreement = await getAgreement(
    ctx.db,
    Number('value' in action ? action.value : Number.NaN),
  );
  const survey = agreement === undefined ? undefined : await getSurvey(ctx.db, agreement.surveyId);
  if (agreement === undefined || survey === undefined || survey.teamId !== tenantOf(args.context)) {
    await tell(ctx, args, 'That agreement no longer exists: its survey was removed.');
    return undefined;
  }
  if (body.user.id !== agreement.productOwner && body.user.id !== agreement.engineeringOwner) {
    await tell(ctx, args, ownersOnly(agreement));
    return undefined;
  }
  if (agreement.status !== 'open') {
    await tell(
      ctx,
      args,
      `This agreement is already closed: ${closedWords(agreement, survey.timezone)}. Nothing changed.`,
    );
    return undefined;
  }
  return agreement;
}

/** The review's "Done". */
export function markDone(ctx: AppContext) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const agreement = await ownAgreement(ctx, args);
    if (agreement === undefined) return;
    const { body } = args;
    await closeAgreement(ctx.db, agreement.id, {
      status: 'done',
      by: body.user.id,
      at: ctx.now(),
    });
    ctx.logger.info('agreement done', { agreement: agreement.id });
    if (body.response_url !== undefined)
      await args
        .respond({
          replace_original: true,
          text: `Marked done by ${who(body.user.id)}: “${escapeMrkdwn(agreement.body)}”. The next digest says so.`,
        })
        .catch((error: unknown) =>
          ctx.logger.warn('could not update the review message', { error: slackErrorCode(error) }),
        );
    else await publishHome(ctx, tenantOf(args.context), body.user.id);
  };
}

/** The review's "Keep going": a new review date, in a modal. */
export function askNewDate(ctx: AppContext) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const agreement = await ownAgreement(ctx, args);
    const survey =
      agreement === undefined ? undefined : await getSurvey(ctx.db, agreement.surveyId);
    if (agreement === undefined || survey === undefined) return;
    await (await ctx.slackFor(survey.teamId)).views
      .open({
        trigger_id: args.body.trigger_id,
        view: keepGoingModal(agreement, defaultReviewDay(ctx.now(), survey.timezone)),
      })
      .catch((error: unknown) =>
        ctx.logger.warn('could not open the keep-going form', { error: slackErrorCode(error) }),
      );
  };
}

/** The review's "Dropped": a short note, in a modal. */
export function askWhyDropped(ctx: AppContext) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const agreement = await ownAgreement(ctx, args);
    if (agreement === undefined) return;
    await (await ctx.slackFor(tenantOf(args.context))).views
      .open({ trigger_id: args.body.trigger_id, view: droppedModal(agreement) })
      .catch((error: unknown) =>
        ctx.logger.warn('could not open the dropped form', { error: slackErrorCode(error) }),
      );
  };
}
