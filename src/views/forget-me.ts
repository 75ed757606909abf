import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from './help.js';

export const FORGET_ME_CONFIRM_ACTION = 'forget_me_confirm';
export const FORGET_ME_CANCEL_ACTION = 'forget_me_cancel';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What stays after forget-me, said the same way before and after. */
const WHAT_STAYS =
  'Group scores already published from closed pulses stay as they are: each is a total over at least 3 people, holds nothing that is yours alone, and is never recomputed. A comment already published with a closed week stays in it, as it was shown: anonymous, with nothing left that links it to you. Agreements you own or recorded stay with the team, your name taken off them ("a former leader"). If you answer again, your discipline counts from the next pulse, or at once if an admin sets it.';

/** The question `/alignment forget-me` asks before deleting anything. */
export function forgetMeQuestion(own: { answers: number; comments: number }): SlackMessage {
  if (own.answers === 0 && own.comments === 0) {
    const text = 'You have no answers or comments stored. There is nothing to delete.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const text = `Delete all ${plural(own.answers, 'answer')} and ${plural(own.comments, 'comment')} you gave? This cannot be undone.`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${text} Your discipline is forgotten too, and your answers to a pulse still open are taken out of it. ${WHAT_STAYS}`,
      },
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: FORGET_ME_CONFIRM_ACTION,
          style: 'danger',
          text: { type: 'plain_text', text: 'Delete my answers' },
          value: 'confirm',
        },
        {
          type: 'button',
          action_id: FORGET_ME_CANCEL_ACTION,
          text: { type: 'plain_text', text: 'Keep them' },
          value: 'cancel',
        },
      ],
    },
  ];
  return { text, blocks };
}

export function forgottenMessage(deleted: { answers: number; comments: number }): string {
  return `Deleted ${plural(deleted.answers, 'answer')} and ${plural(deleted.comments, 'comment')}, and your discipline. Alignment Pulse no longer holds anything that links you to what you gave. ${WHAT_STAYS}`;
}
