import type { KnownBlock } from '@slack/types';

/**
 * The few Block Kit pieces every view uses. A section says `expand` when its
 * text may be longer than Slack shows without "Show more".
 */
export const plain = (text: string) => ({ type: 'plain_text' as const, text });

export const section = (text: string, expand = false): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text },
  ...(expand ? { expand: true } : {}),
});

export const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text }],
});

export const header = (text: string): KnownBlock => ({
  type: 'header',
  text: { type: 'plain_text', text },
});
