import type { DeliveryFailure } from '../storage/delivery-failures.js';
import { adviceFor } from './advice.js';
import type { SlackMessage } from './help.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** How many people a DM problem names before it says "and N more". */
const NAMED = 5;

/**
 * The one DM admins get about Slack refusing the bot's work: each problem once,
 * where it happened and what to do. DMs that failed are grouped by error, so a
 * revoked token is one line, not a thousand.
 */
export function adminAlertMessage(failures: readonly DeliveryFailure[]): SlackMessage {
  const groups = new Map<string, { action: string; error: string; places: string[] }>();
  for (const f of failures) {
    const isDm = f.channelId?.startsWith('U') === true || f.channelId?.startsWith('W') === true;
    const key = isDm ? `${f.action} ${f.error}` : `${f.action} ${f.error} ${f.channelId ?? ''}`;
    const group = groups.get(key) ?? { action: f.action, error: f.error, places: [] };
    if (f.channelId !== null && !group.places.includes(f.channelId)) group.places.push(f.channelId);
    groups.set(key, group);
  }
  const lines = [...groups.values()].map(({ action, error, places }) => {
    const people = places.filter((p) => p.startsWith('U') || p.startsWith('W'));
    const where =
      people.length > 0
        ? ` to ${people.length === 1 ? '1 person' : `${people.length} people`} (${people
            .slice(0, NAMED)
            .map((p) => `<@${p}>`)
            .join(', ')}${people.length > NAMED ? `, and ${people.length - NAMED} more` : ''})`
        : places[0] === undefined
          ? ''
          : ` in <#${places[0]}>`;
    const advice = adviceFor(error, people.length > 0 ? undefined : places[0]);
    return `• Could not *${escapeMrkdwn(action)}*${where} (\`${escapeMrkdwn(error)}\`). ${advice}`;
  });
  const full = `Alignment Pulse could not finish its work in Slack:\n${lines.join('\n')}`;
  // A text object holds 3000 characters at most.
  const text = full.length > 2_900 ? `${full.slice(0, 2_899)}…` : full;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'The bot tries again after 1, 5, 15 and 60 minutes, and does not repeat this message for the same problem within a day. The App Home lists recent problems.',
          },
        ],
      },
    ],
  };
}
