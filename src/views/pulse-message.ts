import type { KnownBlock } from '@slack/types';
import { formatInZone, slackTime } from '../domain/time-format.js';
import type { SlackMessage } from './help.js';

export const ANSWER_PULSE_ACTION = 'pulse_answer';

export interface PulseMessageInput {
  pulseId: number;
  questionCount: number;
  closesAt: string;
  timezone: string;
  answered: number;
  /** When it closed; undefined while open. */
  closedAt: string | undefined;
}

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
  if (p.closedAt !== undefined) {
    const text = `Closed — ${leaders(p.answered)} answered this alignment pulse.`;
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*Alignment pulse* · ${text}` } },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `Closed ${slackTime(p.closedAt, p.timezone)}. The results come in the next digest.`,
            },
          ],
        },
      ],
    };
  }
  const closes = slackTime(p.closesAt, p.timezone);
  const questions = `${p.questionCount} ${p.questionCount === 1 ? 'question' : 'questions'}`;
  const text = `This week's alignment pulse: ${questions}, under a minute. Open until ${formatInZone(p.closesAt, p.timezone)}.`;
  const answered = p.answered === 0 ? 'No answers yet.' : `${leaders(p.answered)} answered so far.`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*This week's alignment pulse*\n${questions} on how Product and Engineering work together — under a minute. Your answers are private; only group scores are shown.`,
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
  closesAt: string;
  timezone: string;
}): SlackMessage {
  const text = `This week's alignment pulse went to ${leaders(p.recipients)} here by direct message. Open until ${formatInZone(p.closesAt, p.timezone)}.`;
  const shown = `This week's alignment pulse went to ${leaders(p.recipients)} here by direct message. Open until ${slackTime(p.closesAt, p.timezone)}.`;
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: shown }] }] };
}

export function reminderMessage(p: {
  pulseId: number;
  closesAt: string;
  timezone: string;
  questionCount: number;
}): SlackMessage {
  const text = `Reminder: this week's alignment pulse closes ${formatInZone(p.closesAt, p.timezone)}. It takes under a minute.`;
  const shown = `Reminder: this week's alignment pulse closes ${slackTime(p.closesAt, p.timezone)}. It takes under a minute.`;
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
