import type { KnownBlock } from '@slack/types';
import type { FollowUp } from '../domain/agreements.js';
import type { Digest, DigestChart } from '../domain/digest.js';
import { DIMENSION_LABELS } from '../domain/dimensions.js';
import { percent, whole } from '../domain/scoring.js';
import type { Agreement } from '../storage/agreements.js';
import { digestAgreementBlocks, recordButton } from './agreements.js';
import { context, section } from './blocks.js';
import { LEGEND, largestGapWords, scoreFields, trendWords } from './calls.js';
import { escapeMrkdwn } from './mrkdwn.js';

const COMMENT_MAX = 600;
export const DIGEST_CHART_BLOCK = 'digest_chart';

/**
 * Slack's native chart block (Block Kit, 2026): not in @slack/types yet, so
 * typed here from its rules (shared/slack-specs/block-kit/data-visualization.md).
 */
export interface DataVisualizationBlock {
  type: 'data_visualization';
  block_id?: string;
  title: string;
  chart: {
    type: 'line';
    series: { name: string; data: { label: string; value: number }[] }[];
    axis_config: { categories: string[]; x_label?: string; y_label?: string };
  };
}

export type DigestBlock = KnownBlock | DataVisualizationBlock;

export interface DigestMessage {
  text: string;
  blocks: DigestBlock[];
}

/**
 * The chart as Slack draws it: a line a series, a week a category; a week that
 * shows nothing has no point, so the line is never drawn across it.
 */
export function chartBlock(chart: DigestChart): DataVisualizationBlock {
  return {
    type: 'data_visualization',
    block_id: DIGEST_CHART_BLOCK,
    title: chart.title,
    chart: {
      type: 'line',
      series: chart.lines.map((line) => ({
        name: line.name,
        data: line.values.flatMap((value, i) =>
          value === null ? [] : [{ label: chart.weeks[i] ?? '', value }],
        ),
      })),
      axis_config: { categories: chart.weeks, x_label: 'Week of', y_label: 'Score (0–100)' },
    },
  };
}

function responseText(d: Digest): string {
  if (d.invited === 0)
    return `${d.respondents} ${d.respondents === 1 ? 'leader' : 'leaders'} answered.`;
  return `${d.respondents} of ${d.invited} leaders answered (${percent(d.respondents / d.invited)}%).`;
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

/** The digest without its chart: what is posted when Slack refuses the native chart. */
export function withoutChart(message: DigestMessage): DigestMessage {
  return {
    text: message.text,
    blocks: message.blocks.filter((b) => b.type !== 'data_visualization'),
  };
}

/**
 * The weekly digest for the exec channel, top to bottom: the takeaway, the
 * index and its call, each dimension on a line (score, the call in words,
 * favorable share; one colour rule), the gap and its trend in one sentence, the
 * response rate, comments, the suggested topic, the legend, and the chart.
 * Every text section is short enough to show whole (the list is marked to
 * expand), and the top-level text carries the headline figures for clients
 * that cannot draw the blocks.
 */
export interface DigestExtras {
  surveyId: number;
  timezone: string;
  /** Open agreements with what happened since, and those closed since the last digest. */
  agreements?: {
    open: { agreement: Agreement; followUp: FollowUp }[];
    closed: Agreement[];
  };
}

export function digestMessage(d: Digest, extras?: DigestExtras): DigestMessage {
  const title = `Alignment digest · ${d.week.label}`;
  const blocks: DigestBlock[] = [{ type: 'header', text: { type: 'plain_text', text: title } }];

  if (d.state === 'no_data') {
    const text = `${title}: nobody answered the pulse.`;
    blocks.push(
      section(`Nobody answered the pulse of the ${d.week.label}.`),
      context(responseText(d)),
    );
    return { text, blocks };
  }
  if (d.state === 'too_few') {
    const who = `Only ${d.respondents} ${d.respondents === 1 ? 'leader' : 'leaders'} answered`;
    const text = `${title}: ${who}; scores show once ${d.threshold} or more answer.`;
    blocks.push(
      section(
        `${who} in the ${d.week.label}. Scores show once ${d.threshold} or more answer, so that nobody's answers can be singled out.`,
      ),
      context(responseText(d)),
    );
    return { text, blocks };
  }

  if (d.takeaway !== undefined) blocks.push(section(`*${d.takeaway}*`));
  const index = d.index.current;
  // The first week's takeaway already says that trends start after 4 weeks.
  const indexWords = d.state === 'first' ? '' : trendWords(d.index.trend);
  blocks.push(
    section(
      index.visible
        ? `*Alignment index ${whole(index.score)}*${indexWords === '' ? '' : ` · ${indexWords}`}`
        : '*Alignment index:* not shown this week',
    ),
  );
  const asked = d.dimensions.filter((l) => l.current !== undefined);
  const notAsked = d.dimensions.filter((l) => l.current === undefined);
  blocks.push(...scoreFields(asked, d.threshold));
  if (notAsked.length > 0)
    blocks.push(
      context(
        `Not asked this week: ${notAsked.map((l) => DIMENSION_LABELS[l.dimension]).join(', ')}.`,
      ),
    );
  blocks.push(
    section(
      d.largestGap === undefined
        ? `*Perception gap:* not shown: ${d.gapHidden ?? 'no dimension was asked of both sides'}.`
        : `*Perception gap:* ${largestGapWords(d.largestGap)}`,
      true,
    ),
    context(
      d.weekSidesHidden === undefined
        ? responseText(d)
        : `${responseText(d)} This week shows everyone only: ${d.weekSidesHidden}.`,
    ),
  );
  if (d.comments.length > 0)
    blocks.push(
      section(`*What leaders said* (anonymous)\n${d.comments.map(quote).join('\n')}`, true),
    );
  if (d.topic !== undefined) {
    const why =
      d.topic.why === 'divided' && d.largestGap !== undefined
        ? `Product and Engineering are apart by about ${Math.abs(whole(d.largestGap.gap.points))} points on it.`
        : 'It has the lowest score this week.';
    blocks.push({
      ...section(
        `*Suggested topic for the next leadership sync: ${DIMENSION_LABELS[d.topic.dimension]}.* ${why}\n_${d.topic.question}_`,
        true,
      ),
      // What the sync agrees becomes a tracked agreement, followed up in every digest.
      ...(extras === undefined
        ? {}
        : {
            accessory: recordButton({ surveyId: extras.surveyId, dimension: d.topic.dimension }),
          }),
    } as KnownBlock);
  }
  if (extras?.agreements !== undefined)
    blocks.push(
      ...digestAgreementBlocks(extras.agreements.open, extras.agreements.closed, extras.timezone),
    );
  blocks.push(context(`${LEGEND} No group of fewer than ${d.threshold} people is ever shown.`));
  if (d.chart !== undefined) blocks.push(chartBlock(d.chart));

  const headline = [
    index.visible ? `index ${whole(index.score)}${indexWords === '' ? '' : `, ${indexWords}`}` : '',
    d.takeaway ?? '',
  ]
    .filter((part) => part !== '')
    .join('. ');
  return { text: `${title}: ${headline}`, blocks };
}
