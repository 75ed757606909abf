import type { KnownBlock } from '@slack/types';
import type { Digest, DimensionLine } from '../domain/digest.js';
import { DIMENSION_LABELS } from '../domain/dimensions.js';
import { type Group, HIDDEN_REASONS, percent, trafficLight, whole } from '../domain/scoring.js';
import type { TrendLine } from '../domain/trends.js';
import { largestGapWords, trendWords } from './calls.js';
import type { SlackMessage } from './help.js';
import { escapeMrkdwn } from './mrkdwn.js';

const LIGHTS = { green: '🟢', yellow: '🟡', red: '🔴' } as const;
const COMMENT_MAX = 600;

/** " · rose 24 points over 8 weeks", or nothing when the week has no calls. */
function trendText(line: TrendLine | undefined): string {
  const words = trendWords(line);
  return words === '' ? '' : ` · ${words}`;
}

const spark = (s: string) => (s.trim() === '' ? '' : `  \`${s.trimStart()}\``);

function dimensionLine(line: DimensionLine, threshold: number): string {
  const label = `*${DIMENSION_LABELS[line.dimension]}*`;
  const group = line.current;
  if (group === undefined) return `⚪ ${label} — not asked this week${spark(line.spark)}`;
  if (!group.visible)
    return `⚪ ${label} — ${HIDDEN_REASONS[group.reason](threshold)}${spark(line.spark)}`;
  return `${LIGHTS[trafficLight(group.favorable)]} ${label} ${whole(group.score)}${trendText(line.trend)} · ${percent(group.favorable)}% favorable${spark(line.spark)}`;
}

function indexText(d: Digest): string {
  const index: Group = d.index.current;
  if (!index.visible) return '*Alignment index:* not shown this week';
  const trend =
    d.state === 'first'
      ? ' · first week: the trend starts once there are 4'
      : trendText(d.index.trend);
  return `*Alignment index: ${whole(index.score)}*${trend}${d.state === 'first' ? '' : spark(d.index.spark)}`;
}

function gapText(d: Digest): string {
  if (d.largestGap === undefined) {
    return `*Perception gap:* not shown this week — Product and Engineering each need ${d.threshold} or more people answering.`;
  }
  return `*Largest perception gap:* ${largestGapWords(d.largestGap)}`;
}

function responseText(d: Digest): string {
  if (d.invited === 0)
    return `${d.respondents} ${d.respondents === 1 ? 'leader' : 'leaders'} answered this week.`;
  return `${d.respondents} of ${d.invited} leaders answered this week (${percent(d.respondents / d.invited)}%).`;
}

function quote(comment: string): string {
  const chars = [...comment.trim()];
  const short =
    chars.length > COMMENT_MAX ? `${chars.slice(0, COMMENT_MAX - 1).join('')}…` : chars.join('');
  return escapeMrkdwn(short)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** The weekly digest for the exec channel, as Block Kit. */
export function digestMessage(d: Digest): SlackMessage {
  const title = `Alignment digest · ${d.week.label}, ${d.week.range}`;
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: title } }];
  const footer: KnownBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Scores run from 0 (strongly disagree) to 100 (strongly agree). 🟢 75%+ favorable · 🟡 60–74% · 🔴 under 60%. No group of fewer than ${d.threshold} people is ever shown.`,
      },
    ],
  };

  if (d.state === 'no_data') {
    const text = `${title}: nobody answered the pulse.`;
    blocks.push(
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Nobody answered the pulse of ${d.week.label}, ${d.week.range}.`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: responseText(d) }],
      },
    );
    return { text, blocks };
  }
  if (d.state === 'too_few') {
    const who = `Only ${d.respondents} ${d.respondents === 1 ? 'leader' : 'leaders'} answered`;
    const text = `${title}: ${who}; scores show once ${d.threshold} or more answer.`;
    blocks.push(
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${who} this week. Scores show once ${d.threshold} or more answer, so that nobody's answers can be singled out.`,
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: responseText(d) }] },
      footer,
    );
    return { text, blocks };
  }

  blocks.push(
    { type: 'section', text: { type: 'mrkdwn', text: indexText(d) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: d.dimensions.map((l) => dimensionLine(l, d.threshold)).join('\n'),
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: gapText(d) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: responseText(d) }] },
  );
  if (d.comments.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*What leaders said* (anonymous)\n${d.comments.map(quote).join('\n')}`,
      },
    });
  }
  if (d.topic !== undefined) {
    const why =
      d.topic.why === 'divided' && d.largestGap !== undefined
        ? `Product and Engineering are apart by about ${Math.abs(whole(d.largestGap.gap.points))} points on it.`
        : 'It is the lowest score this week.';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Suggested topic for the next leadership sync: ${DIMENSION_LABELS[d.topic.dimension]}.* ${why}\n_${d.topic.question}_`,
      },
    });
  }
  blocks.push(footer);

  const index = d.index.current.visible
    ? `index ${whole(d.index.current.score)}${trendText(d.index.trend)}`
    : 'index not shown';
  const gap = d.largestGap === undefined ? '' : `; ${largestGapWords(d.largestGap)}`;
  return { text: `${title}: ${index}${gap}`, blocks };
}
