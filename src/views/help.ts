import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn } from './mrkdwn.js';

export interface SubcommandHelp {
  /** As typed after /alignment, e.g. `trend`. */
  usage: string;
  summary: string;
  example: string;
  adminOnly: boolean;
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const INTRO =
  'Alignment Pulse asks product, engineering, design and program leaders a few private questions each week and shows where they see things differently.';

/**
 * The reply to `/alignment help`, to an empty command, and to one it does not
 * know (`unknown` is the sentence saying so).
 */
export function helpMessage(subcommands: SubcommandHelp[], unknown?: string): SlackMessage {
  const line = (s: SubcommandHelp) =>
    `• \`/alignment ${s.usage}\` — ${s.summary} _e.g._ \`${s.example}\``;
  const everyone = subcommands.filter((s) => !s.adminOnly).map(line);
  const admins = subcommands.filter((s) => s.adminOnly).map(line);
  const blocks: KnownBlock[] = [];
  if (unknown !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `${escapeMrkdwn(unknown)} Here is what I can do:` },
    });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: INTRO } });
  if (everyone.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*For everyone*\n${everyone.join('\n')}` },
    });
  }
  if (admins.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*For admins*\n${admins.join('\n')}` },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Your answers are private: scores only show for groups of 3 or more.',
      },
    ],
  });
  const text = unknown === undefined ? INTRO : `${unknown} ${INTRO}`;
  return { text, blocks };
}
