import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { getSurvey } from '../../../storage/surveys.js';
import {
  DEFAULT_DIGEST_CRON,
  DEFAULT_PULSE_CRON,
  SETUP,
  setupModal,
  simpleWeekly,
  VALUE,
} from '../../../views/setup-modal.js';
import { isAdmin, personInfo } from '../../admins.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';
import { metadataSchema } from '../views/save-setup.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

interface Input {
  selected_option?: { value?: unknown } | null;
  selected_time?: unknown;
  value?: unknown;
}

/**
 * "Advanced: a cron schedule" in the setup form, and "Use a day and a time"
 * back: the form is redrawn in the other mode, carrying over the schedule the
 * admin had chosen. Every other field keeps what was entered, because its
 * block and action ids stay the same (Slack preserves those on views.update).
 */
export function switchScheduleMode(ctx: AppContext) {
  return async ({ ack, body, context }: Args): Promise<void> => {
    await ack();
    const teamId = tenantOf(context);
    const view = body.view;
    if (view === undefined || !(await isAdmin(ctx, teamId, body.user.id))) return;
    let meta: ReturnType<typeof metadataSchema.parse>;
    try {
      meta = metadataSchema.parse(JSON.parse(view.private_metadata || 'null'));
    } catch {
      return;
    }
    const state = (view.state?.values ?? {}) as Record<string, Record<string, Input>>;
    const input = (block: string) => state[block]?.[VALUE];
    const asCron = (ids: { day: string; time: string; cron: string }, fallback: string) => {
      if (meta.advanced) {
        const typed = input(ids.cron)?.value;
        return typeof typed === 'string' && typed.trim() !== '' ? typed.trim() : fallback;
      }
      const day = Number(input(ids.day)?.selected_option?.value);
      const time = String(input(ids.time)?.selected_time ?? '');
      const [hour, minute] = time.split(':').map(Number);
      return Number.isInteger(day) && Number.isInteger(hour) && Number.isInteger(minute)
        ? `${minute} ${hour} * * ${day}`
        : fallback;
    };
    const survey = meta.surveyId === null ? undefined : await getSurvey(ctx.db, meta.surveyId);
    // A form naming another tenant's survey is not redrawn: it would show that survey's setup.
    if (survey !== undefined && survey.teamId !== teamId) return;
    let pulseCron = asCron(
      { day: SETUP.pulseDay, time: SETUP.pulseTime, cron: SETUP.pulseCron },
      survey?.pulseCron ?? DEFAULT_PULSE_CRON,
    );
    let digestCron = asCron(
      { day: SETUP.digestDay, time: SETUP.digestTime, cron: SETUP.digestCron },
      survey?.digestCron ?? DEFAULT_DIGEST_CRON,
    );
    // Back to a day and a time: a schedule that is not one weekly slot starts from the default.
    if (meta.advanced) {
      if (simpleWeekly(pulseCron) === undefined) pulseCron = DEFAULT_PULSE_CRON;
      if (simpleWeekly(digestCron) === undefined) digestCron = DEFAULT_DIGEST_CRON;
    }
    const admin = await personInfo(ctx, teamId, body.user.id);
    try {
      await (await ctx.slackFor(teamId)).views.update({
        view_id: view.id,
        hash: view.hash,
        view: setupModal({
          survey,
          channelId: meta.channelId,
          timezone: admin.timezone ?? ctx.config.defaultTimezone,
          defaultThreshold: ctx.config.anonymityThreshold,
          now: ctx.now(),
          advanced: !meta.advanced,
          schedules: { pulseCron, digestCron },
        }),
      });
    } catch (error) {
      // hash_conflict: the form changed meanwhile; the admin clicks again on what they see.
      ctx.logger.warn('could not switch the setup form', { error: slackErrorCode(error) });
    }
  };
}
