import { TZDate } from '@date-fns/tz';
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import {
  DIMENSIONS,
  MAPPED_DISCIPLINES,
  SIDES,
  type SideMapping,
} from '../../../domain/dimensions.js';
import {
  cronSchema,
  nextDueAt,
  parseCronExpression,
  timezoneSchema,
} from '../../../domain/schedule.js';
import { slackTime } from '../../../domain/time-format.js';
import {
  channelsLeadingOtherSurveys,
  getSurvey,
  type SurveySettings,
  saveSurvey,
} from '../../../storage/surveys.js';
import {
  OPEN_HOURS,
  REMINDER_HOURS,
  SETUP,
  SIDE_BLOCKS,
  setupSavedModal,
  sidesText,
  VALUE,
} from '../../../views/setup-modal.js';
import { adminsOnly, isAdmin } from '../../admins.js';
import { tenantOf } from '../../tenant.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

interface Input {
  selected_option?: { value?: unknown } | null;
  selected_options?: { value?: unknown }[] | null;
  selected_conversations?: unknown;
  selected_time?: unknown;
  selected_date?: unknown;
  value?: unknown;
}

export const metadataSchema = z.object({
  surveyId: z.number().int().positive().nullable(),
  channelId: z.string().regex(/^[CGD][A-Z0-9]+$/),
  advanced: z.boolean().default(false),
});
const channelsSchema = z
  .array(z.string().regex(/^[CG][A-Z0-9]+$/))
  .min(1)
  .max(20);
const oneOf = (values: readonly number[]) =>
  z.coerce
    .number()
    .int()
    .refine((n) => values.includes(n));
const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const daySchema = z.coerce.number().int().min(0).max(6);
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * The setup form's submission: every field checked with zod, each problem sent
 * back on its own block; when all is well the survey is saved and its
 * schedules change at once, without a restart.
 */
export function saveSetup(ctx: AppContext) {
  return async ({ ack, body, context, view }: Args): Promise<void> => {
    const teamId = tenantOf(context);
    const state = (view.state?.values ?? {}) as Record<string, Record<string, Input>>;
    const input = (block: string) => state[block]?.[VALUE];
    const errors: Record<string, string> = {};
    const fail = (block: string, message: string) => {
      errors[block] ??= message;
    };
    if (!(await isAdmin(ctx, teamId, body.user.id))) {
      await ack({
        response_action: 'errors',
        errors: { [SETUP.leadership]: adminsOnly(ctx, 'change the setup') },
      });
      return;
    }
    let meta: z.infer<typeof metadataSchema> | undefined;
    try {
      meta = metadataSchema.parse(JSON.parse(view.private_metadata || 'null'));
    } catch {
      meta = undefined;
    }
    const existing =
      meta?.surveyId === null || meta === undefined
        ? undefined
        : await getSurvey(ctx.db, meta.surveyId);
    // Another tenant's survey is as good as none: a form never reaches across tenants.
    if (
      meta === undefined ||
      (meta.surveyId !== null && (existing === undefined || existing.teamId !== teamId))
    ) {
      await ack({
        response_action: 'errors',
        errors: {
          [SETUP.leadership]:
            'This form is out of date. Close it and run `/alignment setup` again.',
        },
      });
      return;
    }

    const leadership = channelsSchema.safeParse(input(SETUP.leadership)?.selected_conversations);
    if (!leadership.success) fail(SETUP.leadership, 'Choose at least one leadership channel.');
    else {
      const taken = await channelsLeadingOtherSurveys(
        ctx.db,
        teamId,
        leadership.data,
        existing?.id,
      );
      if (taken.length > 0)
        fail(
          SETUP.leadership,
          `${taken.map((c) => `<#${c}>`).join(', ')} already has its own survey. Set it up from there, or choose another channel.`,
        );
    }
    const digest = channelsSchema.safeParse(input(SETUP.digest)?.selected_conversations);
    if (!digest.success) fail(SETUP.digest, 'Choose at least one channel for the digest.');

    const schedule = (ids: { day: string; time: string; cron: string }): string | undefined => {
      if (meta?.advanced) {
        const custom = input(ids.cron)?.value;
        if (typeof custom !== 'string' || custom.trim() === '') {
          fail(
            ids.cron,
            'Write a schedule such as "0 9 * * 1" (Mondays at 09:00), or choose "Use a day and a time".',
          );
          return undefined;
        }
        const parsed = cronSchema.safeParse(custom);
        if (!parsed.success)
          fail(ids.cron, parsed.error.issues[0]?.message ?? 'This schedule cannot be read.');
        return parsed.success ? parsed.data.expression : undefined;
      }
      const day = daySchema.safeParse(input(ids.day)?.selected_option?.value);
      const time = timeSchema.safeParse(input(ids.time)?.selected_time);
      if (!day.success) fail(ids.day, 'Choose a day.');
      if (!time.success) fail(ids.time, 'Choose a time.');
      if (!day.success || !time.success) return undefined;
      const [hour, minute] = time.data.split(':').map(Number);
      return `${minute} ${hour} * * ${day.data}`;
    };
    const pulseCron = schedule({
      day: SETUP.pulseDay,
      time: SETUP.pulseTime,
      cron: SETUP.pulseCron,
    });
    const digestCron = schedule({
      day: SETUP.digestDay,
      time: SETUP.digestTime,
      cron: SETUP.digestCron,
    });

    const zone = input(SETUP.timezone)?.selected_option?.value;
    const timezone = timezoneSchema.safeParse(zone);
    if (zone === undefined || zone === null) fail(SETUP.timezone, 'Choose a time zone.');
    else if (!timezone.success)
      fail(SETUP.timezone, timezone.error.issues[0]?.message ?? 'Choose a time zone.');
    const questions = z.coerce
      .number()
      .int()
      .min(1)
      .max(10)
      .safeParse(input(SETUP.questions)?.selected_option?.value);
    if (!questions.success) fail(SETUP.questions, 'Choose from 1 to 10 questions.');
    const openHours = oneOf(OPEN_HOURS).safeParse(input(SETUP.openHours)?.selected_option?.value);
    if (!openHours.success) fail(SETUP.openHours, 'Choose how long a pulse stays open.');
    const delivery = z
      .enum(['channel', 'dm'])
      .safeParse(input(SETUP.delivery)?.selected_option?.value);
    if (!delivery.success) fail(SETUP.delivery, 'Choose how the pulse is delivered.');
    const reminder = oneOf(REMINDER_HOURS).safeParse(input(SETUP.reminder)?.selected_option?.value);
    if (!reminder.success) fail(SETUP.reminder, 'Choose when to remind.');
    else if (openHours.success && reminder.data >= openHours.data) {
      fail(
        SETUP.reminder,
        `A reminder ${reminder.data} hours before closing needs the pulse open longer than that. Choose an earlier reminder or a longer window.`,
      );
    }
    const threshold = z.coerce
      .number()
      .int()
      .min(3)
      .max(10)
      .safeParse(input(SETUP.threshold)?.selected_option?.value);
    if (!threshold.success) fail(SETUP.threshold, 'The anonymity threshold is 3 people or more.');

    const sides: Partial<SideMapping> = {};
    for (const d of MAPPED_DISCIPLINES) {
      const side = z.enum(SIDES).safeParse(input(SIDE_BLOCKS[d])?.selected_option?.value);
      if (side.success) sides[d] = side.data;
      else fail(SIDE_BLOCKS[d], 'Choose the Product side or the Engineering side.');
    }

    const customText = input(SETUP.customText)?.value;
    const text = typeof customText === 'string' ? customText.trim() : '';
    const dimension = z
      .enum(DIMENSIONS)
      .safeParse(input(SETUP.customDimension)?.selected_option?.value);
    const reversed = (input(SETUP.customReversed)?.selected_options ?? []).some(
      (o) => o.value === 'reversed',
    );
    if (text !== '' && !dimension.success)
      fail(SETUP.customDimension, 'Choose the dimension your question measures.');
    if (text === '' && dimension.success)
      fail(SETUP.customText, 'Write the question, or clear the dimension.');
    if ([...text].length > 300) fail(SETUP.customText, 'Keep the question to 300 characters.');

    let pausedUntil: string | null = null;
    const pause = input(SETUP.pausedUntil)?.selected_date;
    if (pause !== undefined && pause !== null && timezone.success) {
      const date = dateSchema.safeParse(pause);
      if (!date.success) fail(SETUP.pausedUntil, 'Choose a date.');
      else {
        const [y, m, d] = date.data.split('-').map(Number);
        const start = TZDate.tz(timezone.data, y ?? 0, (m ?? 1) - 1, d ?? 1);
        if (start.getTime() <= ctx.now().getTime())
          fail(SETUP.pausedUntil, 'Choose a date after today, or clear it to keep pulses running.');
        else pausedUntil = new Date(start.getTime()).toISOString();
      }
    }

    if (
      Object.keys(errors).length > 0 ||
      !leadership.success ||
      !digest.success ||
      pulseCron === undefined ||
      digestCron === undefined ||
      !timezone.success ||
      !questions.success ||
      !openHours.success ||
      !delivery.success ||
      !reminder.success ||
      !threshold.success ||
      sides.design === undefined ||
      sides.program === undefined ||
      sides.other === undefined
    ) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const settings: SurveySettings = {
      leadershipChannels: leadership.data,
      digestChannels: digest.data,
      pulseCron,
      digestCron,
      timezone: timezone.data,
      questionsPerPulse: questions.data,
      openHours: openHours.data,
      delivery: delivery.data,
      reminderHours: reminder.data === 0 ? null : reminder.data,
      anonymityThreshold: threshold.data,
      pausedUntil,
      sides: { design: sides.design, program: sides.program, other: sides.other },
    };
    const sidesChanged =
      existing !== undefined &&
      MAPPED_DISCIPLINES.some((d) => existing.sides[d] !== settings.sides[d]);
    const survey = await saveSurvey(ctx.db, {
      surveyId: existing?.id,
      teamId,
      by: body.user.id,
      at: ctx.now(),
      settings,
      customQuestion:
        text !== '' && dimension.success
          ? { text, dimension: dimension.data, reversed }
          : undefined,
    });
    // The new schedules are in effect before the admin is told it is saved.
    await ctx.reschedule();
    ctx.logger.info('survey saved', { survey: survey.id, by: body.user.id });
    const spec = parseCronExpression(survey.pulseCron);
    const next = spec.ok ? nextDueAt(spec.value, survey.timezone, ctx.now()) : undefined;
    const lines = [
      next === undefined
        ? 'Pulses are scheduled.'
        : `Next pulse: ${slackTime(next, survey.timezone)}${survey.pausedUntil ? ` — paused until ${slackTime(survey.pausedUntil, survey.timezone)}` : ''}.`,
      `Leadership: ${survey.leadershipChannels.map((c) => `<#${c}>`).join(', ')}. Digest: ${survey.digestChannels.map((c) => `<#${c}>`).join(', ')}.`,
      `${sidesText(survey.sides)}${sidesChanged ? ' (from the next pulse)' : ''}.`,
    ];
    if (text !== '') lines.push('Your question joins the rotation.');
    await ack({ response_action: 'update', view: setupSavedModal(lines.join('\n')) });
  };
}
