import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { AGREEMENT_MAX, dayIn, NOTE_MAX, reviewMoment } from '../../../domain/agreements.js';
import { DIMENSIONS, SIDE_LABELS, type Side } from '../../../domain/dimensions.js';
import { agreementDmsKey, sendOwnerDms } from '../../../jobs/agreements.js';
import {
  type Agreement,
  closeAgreement,
  createAgreement,
  getAgreement,
  moveReview,
} from '../../../storage/agreements.js';
import { getSurvey, type Survey } from '../../../storage/surveys.js';
import { AGREE, agreementRecordedModal, VALUE } from '../../../views/agreements.js';
import { personInfo } from '../../admins.js';
import { tenantOf } from '../../tenant.js';
import { mayRecord } from '../actions/agreements.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

interface Input {
  selected_option?: { value?: unknown } | null;
  selected_user?: unknown;
  selected_date?: unknown;
  value?: unknown;
}

const inputsOf = (view: ViewSubmitAction['view']) => {
  const state = (view.state?.values ?? {}) as Record<string, Record<string, Input>>;
  return (block: string) => state[block]?.[VALUE];
};
const userSchema = z.string().regex(/^[UW][A-Z0-9]+$/);
const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const done = (title: string, text: string): ModalView => ({
  type: 'modal',
  title: { type: 'plain_text', text: title },
  close: { type: 'plain_text', text: 'Done' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

/** A review day after today, in the survey's time zone; or the sentence saying what is wrong. */
function reviewDay(raw: unknown, now: Date, timezone: string): { day: string } | { error: string } {
  const parsed = daySchema.safeParse(raw);
  if (!parsed.success) return { error: 'Choose a review date.' };
  if (parsed.data <= dayIn(now, timezone))
    return { error: 'Choose a review date after today: the owners are asked then how it went.' };
  return { day: parsed.data };
}

/**
 * The agreement form's submission. Checked with zod and with Slack (owners
 * must be two different people, neither a bot nor deactivated; their
 * disciplines are never checked, so the form tells nobody a colleague's side);
 * each problem goes back on its own
 * block and nothing is stored. Once stored, the owners get their DMs as a run:
 * retried if Slack fails, the admins told once.
 */
export function recordAgreement(ctx: AppContext) {
  return async ({ ack, body, context, view }: Args): Promise<void> => {
    const input = inputsOf(view);
    const errors: Record<string, string> = {};
    const fail = (block: string, message: string) => {
      errors[block] ??= message;
    };
    const meta = z
      .object({ surveyId: z.number().int().positive() })
      .safeParse(JSON.parse(view.private_metadata || 'null'));
    const survey = meta.success ? await getSurvey(ctx.db, meta.data.surveyId) : undefined;
    if (survey === undefined || survey.teamId !== tenantOf(context)) {
      await ack({
        response_action: 'errors',
        errors: {
          [AGREE.dimension]:
            'This survey was removed, so the agreement cannot be recorded. Close the form.',
        },
      });
      return;
    }
    if (!(await mayRecord(ctx, survey, body.user.id))) {
      await ack({
        response_action: 'errors',
        errors: {
          [AGREE.dimension]:
            "Only members of the survey's leadership channel (or an admin) record its agreements.",
        },
      });
      return;
    }

    const dimension = z.enum(DIMENSIONS).safeParse(input(AGREE.dimension)?.selected_option?.value);
    if (!dimension.success) fail(AGREE.dimension, 'Choose the dimension it is about.');
    const raw = input(AGREE.body)?.value;
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') fail(AGREE.body, 'Write what was agreed, in a sentence.');
    else if ([...text].length > AGREEMENT_MAX)
      fail(AGREE.body, `Keep it to ${AGREEMENT_MAX} characters; it has ${[...text].length}.`);

    const owner = async (block: string, side: Side): Promise<string | undefined> => {
      const id = userSchema.safeParse(input(block)?.selected_user);
      if (!id.success) {
        fail(block, `Choose the owner from ${SIDE_LABELS[side]}.`);
        return undefined;
      }
      const person = await personInfo(ctx, survey.teamId, id.data).catch(() => undefined);
      if (person === undefined) {
        fail(block, 'Slack could not look this person up just now. Try again in a moment.');
        return undefined;
      }
      if (!person.isHuman) {
        fail(block, 'That is a bot or a deactivated account. Choose a leader.');
        return undefined;
      }
      // Their discipline is not checked: an answer that differs by it would tell
      // anyone who can open this form a colleague's side. Who owns it for which
      // side is the team's word.
      return id.data;
    };
    const product = await owner(AGREE.product, 'product');
    const sameTwice =
      userSchema.safeParse(input(AGREE.engineering)?.selected_user).data ===
      input(AGREE.product)?.selected_user;
    if (sameTwice)
      fail(
        AGREE.engineering,
        'Choose two different people: one owner from Product and one from Engineering.',
      );
    const engineering = sameTwice ? undefined : await owner(AGREE.engineering, 'engineering');
    const review = reviewDay(input(AGREE.review)?.selected_date, ctx.now(), survey.timezone);
    if ('error' in review) fail(AGREE.review, review.error);

    if (
      Object.keys(errors).length > 0 ||
      !dimension.success ||
      product === undefined ||
      engineering === undefined ||
      'error' in review
    ) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const agreement = await createAgreement(ctx.db, {
      surveyId: survey.id,
      dimension: dimension.data,
      body: text,
      productOwner: product,
      engineeringOwner: engineering,
      recordedBy: body.user.id,
      recordedAt: ctx.now(),
      reviewOn: review.day,
      reviewAt: reviewMoment(review.day, survey.timezone),
    });
    ctx.logger.info('agreement recorded', { survey: survey.id, agreement: agreement.id });
    await ack({ response_action: 'update', view: agreementRecordedModal(agreement) });
    await ctx.runOnce(agreementDmsKey(agreement), () => sendOwnerDms(ctx, agreement));
  };
}

/**
 * The agreement a review modal is about, when it is the tenant's own (another
 * tenant's is as good as none, and says no more), the one submitting owns it
 * and it is open.
 */
async function ownOpenAgreement(
  ctx: AppContext,
  view: ViewSubmitAction['view'],
  teamId: string,
  userId: string,
): Promise<{ error: string } | { agreement: Agreement; survey: Survey }> {
  const meta = z
    .object({ agreementId: z.number().int().positive() })
    .safeParse(JSON.parse(view.private_metadata || 'null'));
  const agreement = meta.success ? await getAgreement(ctx.db, meta.data.agreementId) : undefined;
  const survey = agreement === undefined ? undefined : await getSurvey(ctx.db, agreement.surveyId);
  if (agreement === undefined || survey === undefined || survey.teamId !== teamId)
    return { error: 'That agreement no longer exists: its survey was removed.' };
  if (userId !== agreement.productOwner && userId !== agreement.engineeringOwner)
    return { error: "Only the agreement's two owners can answer its review. Nothing changed." };
  if (agreement.status !== 'open') return { error: 'This agreement is already closed.' };
  return { agreement, survey };
}

/** "Keep going": the new review date. */
export function saveNewReviewDate(ctx: AppContext) {
  return async ({ ack, body, context, view }: Args): Promise<void> => {
    const found = await ownOpenAgreement(ctx, view, tenantOf(context), body.user.id);
    if ('error' in found) {
      await ack({ response_action: 'errors', errors: { [AGREE.review]: found.error } });
      return;
    }
    const { agreement, survey } = found;
    const review = reviewDay(
      inputsOf(view)(AGREE.review)?.selected_date,
      ctx.now(),
      survey.timezone,
    );
    if ('error' in review) {
      await ack({ response_action: 'errors', errors: { [AGREE.review]: review.error } });
      return;
    }
    await moveReview(ctx.db, agreement.id, review.day, reviewMoment(review.day, survey.timezone));
    ctx.logger.info('agreement kept going', { agreement: agreement.id });
    await ack({
      response_action: 'update',
      view: done(
        'Keep going',
        `Kept going. You and the other owner are asked again on ${review.day}; the digests keep following it.`,
      ),
    });
  };
}

/** "Dropped": closed, with its note. */
export function saveDropped(ctx: AppContext) {
  return async ({ ack, body, context, view }: Args): Promise<void> => {
    const found = await ownOpenAgreement(ctx, view, tenantOf(context), body.user.id);
    if ('error' in found) {
      await ack({ response_action: 'errors', errors: { [AGREE.note]: found.error } });
      return;
    }
    const raw = inputsOf(view)(AGREE.note)?.value;
    const note = typeof raw === 'string' ? raw.trim() : '';
    if (note === '' || [...note].length > NOTE_MAX) {
      await ack({
        response_action: 'errors',
        errors: {
          [AGREE.note]:
            note === ''
              ? 'Say in a line why it was dropped: the team reads it in the next digest.'
              : `Keep it to ${NOTE_MAX} characters.`,
        },
      });
      return;
    }
    await closeAgreement(ctx.db, found.agreement.id, {
      status: 'dropped',
      by: body.user.id,
      at: ctx.now(),
      note,
    });
    ctx.logger.info('agreement dropped', { agreement: found.agreement.id });
    await ack({
      response_action: 'update',
      view: done('Agreement dropped', 'Dropped, with your note. The next digest says so, once.'),
    });
  };
}
