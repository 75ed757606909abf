import { TZDate } from '@date-fns/tz';
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { format } from 'date-fns/format';
import {
  DEFAULT_SIDES,
  DIMENSION_LABELS,
  DIMENSIONS,
  DISCIPLINE_LABELS,
  disciplinesOf,
  MAPPED_DISCIPLINES,
  type MappedDiscipline,
  SIDE_LABELS,
  SIDES,
  type SideMapping,
} from '../domain/dimensions.js';
import type { Survey } from '../storage/surveys.js';
import { timeZoneMenu } from './time-zones.js';

export const SETUP_CALLBACK = 'setup_submit';
export const SETUP = {
  leadership: 'leadership',
  pulseDay: 'pulse_day',
  pulseTime: 'pulse_time',
  pulseCron: 'pulse_cron',
  scheduleMode: 'schedule_mode',
  timezone: 'timezone',
  questions: 'questions',
  openHours: 'open_hours',
  delivery: 'delivery',
  reminder: 'reminder',
  digest: 'digest',
  digestDay: 'digest_day',
  digestTime: 'digest_time',
  digestCron: 'digest_cron',
  threshold: 'threshold',
  customText: 'custom_text',
  customDimension: 'custom_dimension',
  customReversed: 'custom_reversed',
  pausedUntil: 'paused_until',
  sides: 'sides',
  designSide: 'side_design',
  programSide: 'side_program',
  otherSide: 'side_other',
} as const;

/** The form's block for each discipline whose side an admin chooses. */
export const SIDE_BLOCKS: Record<MappedDiscipline, string> = {
  design: SETUP.designSide,
  program: SETUP.programSide,
  other: SETUP.otherSide,
};
export const VALUE = 'value';
/** The button that swaps the day-and-time pickers for cron expressions, and back. */
export const SETUP_SCHEDULE_MODE_ACTION = 'setup_schedule_mode';
export const DEFAULT_PULSE_CRON = '0 9 * * 1';
export const DEFAULT_DIGEST_CRON = '0 16 * * 5';

/** What the setup form carries between Slack and the app. */
export interface SetupMetadata {
  surveyId: number | null;
  channelId: string;
  advanced: boolean;
}

export const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;
export const OPEN_HOURS = [24, 48, 72, 96, 120, 168] as const;
export const REMINDER_HOURS = [0, 4, 12, 24, 48] as const;

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

/** A cron expression as a day and a time, when it is that simple ("0 9 * * 1"). */
export function simpleWeekly(cron: string): { day: number; time: string } | undefined {
  const match = /^(\d{1,2}) (\d{1,2}) \* \* ([0-7])$/.exec(cron.trim());
  if (match === null) return undefined;
  const [, minute, hour, day] = match;
  return {
    day: Number(day) % 7,
    time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
  };
}

const dayOptions = WEEKDAYS.map((d, i) => option(d, String(i)));

/**
 * A schedule as a weekday and a time, or, under "advanced", as a cron
 * expression (for a pulse on several days, or every other week).
 */
function scheduleBlocks(
  label: string,
  ids: { day: string; time: string; cron: string },
  cron: string,
  advanced: boolean,
): KnownBlock[] {
  if (advanced)
    return [
      {
        type: 'input',
        block_id: ids.cron,
        label: plain(`${label}: schedule (cron)`),
        hint: plain(
          'Minute, hour, day of month, month, weekday: "0 9 * * 1" is Mondays at 09:00, "0 9 * * 1-5" every weekday.',
        ),
        element: {
          type: 'plain_text_input',
          action_id: VALUE,
          max_length: 100,
          initial_value: cron,
        },
      },
    ];
  const simple = simpleWeekly(cron);
  const day = dayOptions[simple?.day ?? 1];
  return [
    {
      type: 'input',
      block_id: ids.day,
      label: plain(`${label}: day`),
      element: {
        type: 'static_select',
        action_id: VALUE,
        options: dayOptions,
        ...(day ? { initial_option: day } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.time,
      label: plain(`${label}: time`),
      element: { type: 'timepicker', action_id: VALUE, initial_time: simple?.time ?? '09:00' },
    },
  ];
}

function select(
  blockId: string,
  label: string,
  options: PlainTextOption[],
  initial: string,
  hint?: string,
): KnownBlock {
  const initialOption = options.find((o) => o.value === initial);
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(hint === undefined ? {} : { hint: plain(hint) }),
    element: {
      type: 'static_select',
      action_id: VALUE,
      options,
      ...(initialOption ? { initial_option: initialOption } : {}),
    },
  };
}

/**
 * The two sides of the perception gap: Product and Engineering make their
 * own; Design, Program / TPM and Other each count with the side chosen here.
 */
function sideBlocks(s: Survey | undefined): KnownBlock[] {
  const sides = s?.sides ?? DEFAULT_SIDES;
  const options = SIDES.map((side) => option(`${SIDE_LABELS[side]} side`, side));
  return [
    {
      type: 'section',
      block_id: SETUP.sides,
      text: {
        type: 'mrkdwn',
        text: '*The two sides of the gap.* The perception gap compares the Product side with the Engineering side. Product and Engineering make their own; choose where the others stand. A change applies from the next pulse.',
      },
    },
    ...MAPPED_DISCIPLINES.map(
      (d): KnownBlock => ({
        type: 'input',
        block_id: SIDE_BLOCKS[d],
        label: plain(`${DISCIPLINE_LABELS[d]} counts with`),
        element: {
          type: 'radio_buttons',
          action_id: VALUE,
          options,
          initial_option: options.find((o) => o.value === sides[d]) ?? options[0],
        },
      }),
    ),
  ];
}

/** The setup form, filled with the survey's current settings (or the defaults for a new one). */
export function setupModal(p: {
  survey: Survey | undefined;
  channelId: string;
  timezone: string;
  defaultThreshold: number;
  now: Date;
  /** Cron expressions in place of the day and time; by default only when a schedule needs one. */
  advanced?: boolean | undefined;
  /** The schedules to show, when they differ from the saved ones (switching modes). */
  schedules?: { pulseCron: string; digestCron: string } | undefined;
}): ModalView {
  const s = p.survey;
  const pulseCron = p.schedules?.pulseCron ?? s?.pulseCron ?? DEFAULT_PULSE_CRON;
  const digestCron = p.schedules?.digestCron ?? s?.digestCron ?? DEFAULT_DIGEST_CRON;
  const advanced =
    p.advanced ?? (simpleWeekly(pulseCron) === undefined || simpleWeekly(digestCron) === undefined);
  const zones = timeZoneMenu(s?.timezone ?? p.timezone, p.now);
  const metadata: SetupMetadata = { surveyId: s?.id ?? null, channelId: p.channelId, advanced };
  const leadership = s?.leadershipChannels ?? [p.channelId];
  const digest = s?.digestChannels ?? [p.channelId];
  const delivery = [
    option('Post in the channel', 'channel'),
    option('Send each member a DM', 'dm'),
  ];
  const initialDelivery = delivery.find((o) => o.value === (s?.delivery ?? 'channel'));
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: SETUP.leadership,
      label: plain('Leadership channels'),
      hint: plain('Who is asked: the people in these channels. Invite the bot to each.'),
      element: {
        type: 'multi_conversations_select',
        action_id: VALUE,
        initial_conversations: leadership,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
      },
    },
    ...scheduleBlocks(
      'Pulse',
      { day: SETUP.pulseDay, time: SETUP.pulseTime, cron: SETUP.pulseCron },
      pulseCron,
      advanced,
    ),
    {
      type: 'actions',
      block_id: SETUP.scheduleMode,
      elements: [
        {
          type: 'button',
          action_id: SETUP_SCHEDULE_MODE_ACTION,
          text: plain(advanced ? 'Use a day and a time' : 'Advanced: a cron schedule'),
          value: advanced ? 'simple' : 'advanced',
        },
      ],
    },
    {
      type: 'input',
      block_id: SETUP.timezone,
      label: plain('Time zone'),
      hint: plain(
        'Pulses and digests follow this zone; each reader sees times in their own. Type a city to find it.',
      ),
      element: {
        type: 'static_select',
        action_id: VALUE,
        option_groups: zones.option_groups,
        ...(zones.initial_option ? { initial_option: zones.initial_option } : {}),
      },
    },
    select(
      SETUP.questions,
      'Questions per pulse',
      Array.from({ length: 10 }, (_, i) => option(String(i + 1), String(i + 1))),
      String(s?.questionsPerPulse ?? 5),
    ),
    select(
      SETUP.openHours,
      'A pulse stays open for',
      OPEN_HOURS.map((h) =>
        option(h % 24 === 0 ? `${h / 24} ${h === 24 ? 'day' : 'days'}` : `${h} hours`, String(h)),
      ),
      String(s?.openHours ?? 72),
    ),
    {
      type: 'input',
      block_id: SETUP.delivery,
      label: plain('Delivery'),
      element: {
        type: 'radio_buttons',
        action_id: VALUE,
        options: delivery,
        ...(initialDelivery ? { initial_option: initialDelivery } : {}),
      },
    },
    select(
      SETUP.reminder,
      'Reminder to those who have not answered',
      REMINDER_HOURS.map((h) =>
        option(h === 0 ? 'No reminder' : `${h} hours before closing`, String(h)),
      ),
      String(s === undefined ? 24 : (s.reminderHours ?? 0)),
    ),
    {
      type: 'input',
      block_id: SETUP.digest,
      label: plain('Digest channels'),
      hint: plain('Where the weekly digest with its chart goes, usually the exec channel.'),
      element: {
        type: 'multi_conversations_select',
        action_id: VALUE,
        initial_conversations: digest,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
      },
    },
    ...scheduleBlocks(
      'Digest',
      { day: SETUP.digestDay, time: SETUP.digestTime, cron: SETUP.digestCron },
      digestCron,
      advanced,
    ),
    select(
      SETUP.threshold,
      'Anonymity threshold',
      Array.from({ length: 8 }, (_, i) => option(`${i + 3} people`, String(i + 3))),
      String(s?.anonymityThreshold ?? p.defaultThreshold),
      'No score is shown for a group with fewer people than this. In a group of exactly this many, someone who knows their own answers can work out the total of the others: raise it if that matters for your team. A change applies to pulses that close from now on.',
    ),
    { type: 'divider' },
    ...sideBlocks(s),
    { type: 'divider' },
    {
      type: 'input',
      block_id: SETUP.customText,
      optional: true,
      label: plain('Add a question of your own'),
      hint: plain(
        'A statement to agree or disagree with, such as "We review the roadmap together every month."',
      ),
      element: { type: 'plain_text_input', action_id: VALUE, max_length: 300 },
    },
    {
      type: 'input',
      block_id: SETUP.customDimension,
      optional: true,
      label: plain('…measuring'),
      element: {
        type: 'static_select',
        action_id: VALUE,
        placeholder: plain('Choose a dimension'),
        options: DIMENSIONS.map((d) => option(DIMENSION_LABELS[d], d)),
      },
    },
    {
      type: 'input',
      block_id: SETUP.customReversed,
      optional: true,
      label: plain('Scoring'),
      element: {
        type: 'checkboxes',
        action_id: VALUE,
        options: [option('Agreeing with it is unhealthy (the score is flipped)', 'reversed')],
      },
    },
    { type: 'divider' },
    {
      type: 'input',
      block_id: SETUP.pausedUntil,
      optional: true,
      label: plain('Pause pulses until'),
      hint: plain('For holidays or a reorg. Clear the date to resume.'),
      element: {
        type: 'datepicker',
        action_id: VALUE,
        ...(s?.pausedUntil
          ? {
              initial_date: format(new TZDate(Date.parse(s.pausedUntil), s.timezone), 'yyyy-MM-dd'),
            }
          : {}),
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: SETUP_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plain('Alignment Pulse setup'),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks,
  };
}

/** Which disciplines make up each side: "Product side: Product, Design · Engineering side: …". */
export function sidesText(sides: SideMapping): string {
  return SIDES.map(
    (side) =>
      `*${SIDE_LABELS[side]} side:* ${disciplinesOf(side, sides)
        .map((d) => DISCIPLINE_LABELS[d])
        .join(', ')}`,
  ).join(' · ');
}

/** Shown in place of the form once the settings are saved. */
export function setupSavedModal(summary: string): ModalView {
  return {
    type: 'modal',
    title: plain('Alignment Pulse setup'),
    close: plain('Done'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*Saved.*\n${summary}` } }],
  };
}
