import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { DISCIPLINES } from '../../../domain/dimensions.js';
import { formatInZone } from '../../../domain/time-format.js';
import { refreshAnswerCount } from '../../../jobs/refresh-pulse-messages.js';
import { otherSurveyThisWeek, saveSubmission } from '../../../storage/answers.js';
import { standingInPulse } from '../../../storage/disciplines.js';
import { getPulseInZone } from '../../../storage/pulses.js';
import { pulseQuestions } from '../../../storage/questions.js';
import { getSurvey } from '../../../storage/surveys.js';
import {
  COMMENT_BLOCK,
  COMMENT_MAX_LENGTH,
  DISCIPLINE_BLOCK,
  pulseThanksModal,
  QUESTION_BLOCK_PREFIX,
  questionBlockId,
  VALUE_ACTION,
} from '../../../views/pulse-modal.js';
import { answeredElsewhere, notCountedHere } from '../../../views/pulse-standing.js';
import { tenantOf } from '../../tenant.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const metadataSchema = z.object({ pulseId: z.number().int().positive() });
const likertSchema = z.coerce.number().int().min(1).max(5);
const disciplineSchema = z.enum(DISCIPLINES);

interface InputState {
  selected_option?: { value?: unknown } | null;
  value?: unknown;
}

/**
 * The pulse form's submission. Every check happens before anything is stored;
 * a problem goes back to the form on the block it concerns. Valid answers are
 * written in one transaction *before* Slack is told the submission succeeded,
 * so an acknowledged answer is never lost.
 */
export function submitPulse(ctx: AppContext) {
  return async ({ ack, body, context, view }: Args): Promise<void> => {
    const state = (view.state?.values ?? {}) as Record<string, Record<string, InputState>>;
    const blockIds = Object.keys(state);
    const reject = (errors: Record<string, string>) => ack({ response_action: 'errors', errors });
    const fallbackBlock =
      blockIds.find((id) => id.startsWith(QUESTION_BLOCK_PREFIX)) ?? blockIds[0];
    const rejectForm = async (message: string) => {
      if (fallbackBlock === undefined) return ack();
      return reject({ [fallbackBlock]: message });
    };

    let metadata: unknown;
    try {
      metadata = JSON.parse(view.private_metadata || 'null');
    } catch {
      metadata = null;
    }
    const parsed = metadataSchema.safeParse(metadata);
    const pulse = parsed.success ? await getPulseInZone(ctx.db, parsed.data.pulseId) : undefined;
    const teamId = tenantOf(context);
    if (pulse === undefined || pulse.teamId !== teamId) {
      await rejectForm(
        'This form belongs to a pulse that no longer exists. Close it; the next pulse will arrive on schedule.',
      );
      return;
    }
    const rejectClosed = (closedAt: string) =>
      rejectForm(
        `This pulse closed on ${formatInZone(closedAt, pulse.timezone)}. Your answers were not saved.`,
      );
    const closedAt =
      pulse.closedAt ?? (pulse.closesAt <= ctx.now().toISOString() ? pulse.closesAt : undefined);
    if (closedAt !== undefined) {
      await rejectClosed(closedAt);
      return;
    }
    const elsewhereNote = async (surveyId: number) =>
      `${answeredElsewhere((await getSurvey(ctx.db, surveyId))?.leadershipChannels[0], false)} These answers were not saved.`;

    const userId = body.user.id;
    const errors: Record<string, string> = {};
    const questions = await pulseQuestions(ctx.db, pulse.id);
    const asked = new Set(questions.map((q) => questionBlockId(q.id)));
    for (const blockId of blockIds) {
      if (blockId.startsWith(QUESTION_BLOCK_PREFIX) && !asked.has(blockId)) {
        errors[blockId] =
          'This question is not part of this pulse. Close the form and click Answer the pulse again.';
      }
    }
    const values = new Map<string, number>();
    for (const question of questions) {
      const blockId = questionBlockId(question.id);
      const raw = state[blockId]?.[VALUE_ACTION]?.selected_option?.value;
      const value = likertSchema.safeParse(raw);
      if (raw === undefined || raw === null)
        errors[blockId] = 'Choose an answer, from Strongly disagree to Strongly agree.';
      else if (!value.success)
        errors[blockId] =
          'Choose one of the five answers, from Strongly disagree to Strongly agree.';
      else values.set(question.id, value.data);
    }
    const rawComment = state[COMMENT_BLOCK]?.[VALUE_ACTION]?.value;
    const comment = typeof rawComment === 'string' ? rawComment : undefined;
    if (rawComment !== undefined && rawComment !== null && comment === undefined) {
      errors[COMMENT_BLOCK] = 'Write your comment as plain text.';
    } else if (comment !== undefined && [...comment].length > COMMENT_MAX_LENGTH) {
      errors[COMMENT_BLOCK] =
        `Keep the comment to ${COMMENT_MAX_LENGTH} characters (it has ${[...comment].length}).`;
    }
    const rawDiscipline = state[DISCIPLINE_BLOCK]?.[VALUE_ACTION]?.selected_option?.value;
    const discipline = disciplineSchema.safeParse(rawDiscipline);
    // A form opened before the person's discipline was forgotten has no
    // discipline block: the error goes on a question, asking to reopen it.
    const askedDiscipline =
      DISCIPLINE_BLOCK in state ||
      (Array.isArray(view.blocks) &&
        view.blocks.some(
          (b) => (b as { block_id?: unknown } | null)?.block_id === DISCIPLINE_BLOCK,
        ));
    const noDiscipline = askedDiscipline
      ? {
          [DISCIPLINE_BLOCK]:
            'Choose your discipline, so scores can compare Product and Engineering.',
        }
      : {
          [fallbackBlock ?? DISCIPLINE_BLOCK]:
            'This form needs your discipline first: close it and click Answer the pulse again.',
        };

    // A form with something to correct, or without a discipline, first learns
    // whether this pulse can count the person at all (a form opened before may
    // say otherwise) and whether they have a discipline: that answer comes
    // before the form's own. A form with nothing to correct goes straight to
    // the store, whose transaction checks the same and says the same.
    if (Object.keys(errors).length > 0 || !discipline.success) {
      const elsewhere = await otherSurveyThisWeek(ctx.db, userId, pulse);
      if (elsewhere !== undefined) {
        await rejectForm(await elsewhereNote(elsewhere));
        return;
      }
      const standing = await standingInPulse(ctx.db, pulse.teamId, userId, pulse);
      if (standing.kind === 'next_pulse') {
        await rejectForm(`${notCountedHere(standing.discipline)} Your answers were not saved.`);
        return;
      }
      // The discipline rule (storage/disciplines.ts) decides; the form's choice
      // counts only for a person who has none yet.
      if (standing.kind !== 'counted') {
        if (rawDiscipline !== undefined && rawDiscipline !== null && !discipline.success)
          errors[DISCIPLINE_BLOCK] = 'Choose Product, Engineering, Design, Program / TPM or Other.';
        else if (!discipline.success) Object.assign(errors, noDiscipline);
      }
      if (Object.keys(errors).length > 0) {
        await reject(errors);
        return;
      }
    }

    const saved = await saveSubmission(ctx.db, {
      teamId: pulse.teamId,
      pulseId: pulse.id,
      userId,
      chosenDiscipline: discipline.success ? discipline.data : undefined,
      values,
      comment,
      at: ctx.now(),
    });
    if (!saved.ok) {
      if (saved.reason === 'no_discipline') await reject(noDiscipline);
      else if (saved.reason === 'next_pulse')
        await rejectForm(`${notCountedHere(saved.discipline)} Your answers were not saved.`);
      else if (saved.reason === 'closed') await rejectClosed(saved.closedAt);
      else await rejectForm(await elsewhereNote(saved.surveyId));
      return;
    }
    const counted = saved.discipline;
    ctx.logger.info('pulse answered', { pulse: pulse.id, questions: values.size });
    await ack({
      response_action: 'update',
      view: pulseThanksModal({
        closesAt: pulse.closesAt,
        timezone: pulse.timezone,
        discipline: counted,
      }),
    });
    await refreshAnswerCount(ctx, pulse);
  };
}
