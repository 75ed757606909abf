import type { KnownBlock } from '@slack/types';
import type { Digest, DimensionLine } from '../domain/digest.js';
import { DIMENSION_LABELS } from '../domain/dimensions.js';
import {
  type Change,
  type Group,
  HIDDEN_REASONS,
  percent,
  trafficLight,
  whole,
} from '../domain/scoring.js';
import { DIMENSION_PHRASES } from '../domain/topics.js';
import type { SlackMessage } from './help.js';
import { escapeMrkdwn } from './mrkdwn.js';

const LIGHTS = { green: '🟢', yellow: '🟡', red: '🔴' } as const;
const COMMENT_MAX = 600;

function changeText(change: Change | undefined): string {
  if (change === undefined) return '';
  const signed = `${change.points > 0 ? '+' : ''}${change.points}`;
  if (change.call === 'rise') return ` ▲ ${signed}`;
  if (change.call === 'fall') return ` ▼ ${signed}`;
  return change.points === 0 ? ' → steady' : ` → steady (${signed}, within the noise)`;
}

const spark = (s: string) => (s.trim() === '' ? '' : `  \`${s.trimStart()}\``);

function dimensionLine(line: DimensionLine, threshold: number): string {
  const label = `*${DIMENSION_LABELS[line.dimension]}*`;
  const group = line.current;
  if (group === undefined) return `⚪ ${label} — not asked this week${spark(line.spark)}`;
  if (!group.visible)
    return `⚪ ${label} — ${HIDDEN_REASONS[group.reason](threshold)}${spark(line.spark)}`;
  return `${LIGHTS[trafficLight(group.favorable)]} ${label} ${whole(group.score)}${changeText(line.change)} · ${percent(group.favorable)}% favorable${spark(line.spark)}`;
}

function indexText(d: Digest): string {
  const index: Group = d.index.current;
  if (!index.visible) return '*Alignment index:* not shown this week';
  const trend =
    d.state === 'first' ? ' · first week: the trend starts next week' : changeText(d.index.change);
  return `*Alignment index: ${whole(index.score)}*${trend}${d.state === 'first' ? '' : spark(d.index.spark)}`;
}

export function gapSentence(
  dimension: keyof typeof DIMENSION_PHRASES,
  points: number,
  product: number,
  engineering: number,
): string {
  const size = Math.abs(Math.round(points));
  const phrase = DIMENSION_PHRASES[dimension];
  const scores = `(Product ${whole(product)}, Engineering ${whole(engineering)})`;
  if (size === 0) return `Product and Engineering rate ${phrase} the same ${scores}.`;
  const [lower, higher] = points > 0 ? ['Engineering', 'Product'] : ['Product', 'Engineering'];
  return `${lower} rates ${phrase} ${size} ${size === 1 ? 'point' : 'points'} lower than ${higher} does ${scores}.`;
}

function gapText(d: Digest): string {
  if (d.largestGap === undefined) {
    return `*Perception gap:* not shown this week — Product and Engineering each need ${d.threshold} or more people answering.`;
  }
  const { dimension, gap } = d.largestGap;
  const call = { aligned: 'aligned', watch: 'worth watching', divided: 'divided' }[gap.call];
  return `*Largest perception gap:* ${gapSentence(dimension, gap.points, gap.product, gap.engineering)} _${call}_`;
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
        ? `Product and Engineering are ${Math.abs(whole(d.largestGap.gap.points))} points apart on it.`
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
    ? `index ${whole(d.index.current.score)}${changeText(d.index.change)}`
    : 'index not shown';
  const gap =
    d.largestGap === undefined
      ? ''
      : `; ${gapSentence(d.largestGap.dimension, d.largestGap.gap.points, d.largestGap.gap.product, d.largestGap.gap.engineering)}`;
  return { text: `${title}: ${index}${gap}`, blocks };
}
