import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn } from './mrkdwn.js';

export interface SubcommandHelp {
  /** As typed after /alignment, e.g. `trend [dimension] [weeks]`. */
  usage: string;
  summary: string;
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
 * know (`unknown` is the sentence saying so): each command once, with what it
 * does; the admin commands only for admins.
 */
export function helpMessage(
  subcommands: SubcommandHelp[],
  options: { unknown?: string | undefined; admin: boolean },
): SlackMessage {
  // Escaped in the code span too: Slack reads `<discipline>` as a link there and swallows it.
  const line = (s: SubcommandHelp) =>
    `\`/alignment ${escapeMrkdwn(s.usage)}\` — ${escapeMrkdwn(s.summary)}`;
  const everyone = subcommands.filter((s) => !s.adminOnly).map(line);
  const admins = subcommands.filter((s) => s.adminOnly).map(line);
  const blocks: KnownBlock[] = [];
  if (options.unknown !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `${options.unknown} Here is what I can do:` },
    });
  }
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: everyone.join('\n') },
    expand: true,
  });
  if (options.admin && admins.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*For admins*\n${admins.join('\n')}` },
      expand: true,
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${INTRO} Your answers are private: scores only show for groups of 3 or more, once a pulse has closed.`,
      },
    ],
  });
  const text = options.unknown === undefined ? INTRO : `${options.unknown} ${INTRO}`;
  return { text, blocks };
}
