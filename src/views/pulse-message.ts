import { TZDate } from '@date-fns/tz';
import type { KnownBlock } from '@slack/types';
import { format } from 'date-fns/format';
import { formatInZone, slackTime } from '../domain/time-format.js';
import type { SlackMessage } from './help.js';

export const ANSWER_PULSE_ACTION = 'pulse_answer';

export interface PulseMessageInput {
  pulseId: number;
  /** When it was due: its name ("the alignment pulse of Mon 16 Nov"), one a pulse even in a week of two. */
  dueAt: string;
  questionCount: number;
  closesAt: string;
  timezone: string;
  answered: number;
  /** When it closed; undefined while open. */
  closedAt: string | undefined;
  /** The threshold it was published with, once closed: whether it shows scores. */
  threshold?: number | undefined;
}

/**
 * A pulse's name in every message about it: its day, not "this week's", so two
 * pulses of one week are never taken for each other.
 */
export const pulseName = (dueAt: string, timezone: string) =>
  `the alignment pulse of ${format(new TZDate(Date.parse(dueAt), timezone), 'EEE d MMM')}`;
const capital = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** The button that opens the pulse form; its value is the pulse's id. */
const answerButton = (pulseId: number): KnownBlock => ({
  type: 'actions',
  elements: [
    {
      type: 'button',
      action_id: ANSWER_PULSE_ACTION,
      text: { type: 'plain_text', text: 'Answer the pulse' },
      style: 'primary',
      value: String(pulseId),
    },
  ],
});

const leaders = (n: number) => `${n} ${n === 1 ? 'leader' : 'leaders'}`;

/**
 * The pulse as posted in the leadership channel or sent by DM: what it is, how
 * long it takes, when it closes, how many have answered (never who), and the button.
 */
export function pulseMessage(p: PulseMessageInput): SlackMessage {
  const name = pulseName(p.dueAt, p.timezone);
  if (p.closedAt !== undefined) {
    const text = `Closed — ${leaders(p.answered)} answered ${name}.`;
    // Only a pulse enough people answered has scores to come: say so, truthfully.
    const threshold = p.threshold ?? 3;
    const next =
      p.answered >= threshold
        ? 'Its scores are in the next digest, and in `/alignment score`.'
        : `Fewer than ${threshold} answered, so it shows no scores: nobody's answers can be singled out.`;
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${capital(name)}* · ${text}` } },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: `Closed ${slackTime(p.closedAt, p.timezone)}. ${next}` },
          ],
        },
      ],
    };
  }
  const closes = slackTime(p.closesAt, p.timezone);
  const questions = `${p.questionCount} ${p.questionCount === 1 ? 'question' : 'questions'}`;
  const text = `${capital(name)}: ${questions}, under a minute. Open until ${formatInZone(p.closesAt, p.timezone)}.`;
  const answered = p.answered === 0 ? 'No answers yet.' : `${leaders(p.answered)} answered so far.`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${capital(name)}*\n${questions} on how Product and Engineering work together — under a minute. Your answers are private; only group scores are shown.`,
      },
    },
    answerButton(p.pulseId),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Open until ${closes}. ${answered}` }] },
  ];
  return { text, blocks };
}

/** The one line a leadership channel gets when the pulse goes out by DM. */
export function dmNoticeMessage(p: {
  recipients: number;
  dueAt: string;
  closesAt: string;
  timezone: string;
}): SlackMessage {
  const name = capital(pulseName(p.dueAt, p.timezone));
  const text = `${name} went to ${leaders(p.recipients)} here by direct message. Open until ${formatInZone(p.closesAt, p.timezone)}.`;
  const shown = `${name} went to ${leaders(p.recipients)} here by direct message. Open until ${slackTime(p.closesAt, p.timezone)}.`;
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: shown }] }] };
}

export function reminderMessage(p: {
  pulseId: number;
  dueAt: string;
  closesAt: string;
  timezone: string;
  questionCount: number;
}): SlackMessage {
  const name = pulseName(p.dueAt, p.timezone);
  const text = `Reminder: ${name} closes ${formatInZone(p.closesAt, p.timezone)}. It takes under a minute.`;
  const shown = `Reminder: ${name} closes ${slackTime(p.closesAt, p.timezone)}. It takes under a minute.`;
  return {
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: shown } }, answerButton(p.pulseId)],
  };
}

/**
 * A pulse message posted again because the app stopped while posting it: Slack
 * may have taken the first post, so readers are told a copy may be above.
 */
export function postedAgain(message: SlackMessage): SlackMessage {
  return {
    text: message.text,
    blocks: [
      ...message.blocks,
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'Posted again: the app restarted while sending this, so an earlier copy may be above. Either button works.',
          },
        ],
      },
    ],
  };
}
