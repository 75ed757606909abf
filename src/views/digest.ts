import type { KnownBlock } from '@slack/types';
import type { FollowUp } from '../domain/agreements.js';
import type { Digest, DigestChart, Move } from '../domain/digest.js';
import { DIMENSION_LABELS } from '../domain/dimensions.js';
import { HIDDEN_REASONS, percent, type VisibleGroup, whole } from '../domain/scoring.js';
import { MIN_WEEKS, TREND_WEEKS } from '../domain/trends.js';
import type { Agreement } from '../storage/agreements.js';
import { digestAgreementBlocks, recordButton } from './agreements.js';
import { context, section } from './blocks.js';
import { gapStory, gapSummary, LEGEND, moveSentence, trendWords } from './calls.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** A comment is quoted whole up to this many characters, about three lines on a phone. */
const COMMENT_MAX = 200;
export const DIGEST_CHART_BLOCK = 'digest_chart';
/** The actions row under the suggested topic: "Record what we agreed". */
export const DIGEST_TOPIC_BLOCK = 'digest_topic';

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
  return `${d.respondents} of ${d.invited} answered (${percent(d.respondents / d.invited)}%).`;
}

/** A comment quoted inline, word for word up to COMMENT_MAX, inert: “…”. */
function quote(comment: string): string {
  const chars = [...comment.trim().replace(/\s+/g, ' ')];
  const short =
    chars.length > COMMENT_MAX ? `${chars.slice(0, COMMENT_MAX - 1).join('')}…` : chars.join('');
  return `“${escapeMrkdwn(short)}”`;
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

/**
 * The digest's first line, its story: what the calls say rose or fell (the two
 * largest) and the featured gap when it moved or stands apart. Each fact
 * once: what the headline says, the lines below do not repeat.
 */
export function headline(d: Digest): { text: string; told: { moves: Move[]; gap: boolean } } {
  if (d.state === 'first')
    return {
      text: 'The first week with scores: trends start after 4 closed weeks.',
      told: { moves: [], gap: false },
    };
  const gap = d.largestGap === undefined ? undefined : gapStory(d.largestGap);
  // The dimensions that moved most; the index only when no dimension did (its line says it anyway).
  const dimensions = d.moves.filter((m) => m.scope !== 'index');
  const moves = (dimensions.length > 0 ? dimensions : d.moves).slice(0, gap === undefined ? 2 : 1);
  const parts = [...moves.map(moveSentence), ...(gap === undefined ? [] : [gap])];
  if (parts.length === 0) {
    const quiet =
      d.index.trend?.call === 'no_change'
        ? 'No score moved clearly over the last 8 weeks.'
        : 'Not enough closed weeks yet to call a change.';
    return { text: quiet, told: { moves: [], gap: false } };
  }
  const text = parts
    .map((p, i) => (i === 0 ? p : `${p.charAt(0).toLowerCase()}${p.slice(1)}`))
    .join('; ');
  return { text: `${text}.`, told: { moves, gap: gap !== undefined } };
}

const and = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/**
 * The scores in a few lines: the index; the dimensions that moved, when the
 * headline did not name them; the rest grouped, one number each; why any has
 * no trend yet; what was not asked.
 */
function scoreLines(d: Digest, told: Move[]): string {
  const index = d.index.current;
  const indexMove = d.moves.find((m) => m.scope === 'index');
  const early = (shown: number) => shown < MIN_WEEKS;
  // A survey too young for any trend says so once, and lists every score.
  const young = d.index.trend?.call === 'not_enough_data' && early(d.index.shownWeeks);
  const indexWords =
    young || (indexMove !== undefined && told.includes(indexMove)) ? '' : trendWords(d.index.trend);
  // The index and the rest run on as one paragraph: a phone wraps it once, not line by line.
  const lines = [
    index.visible
      ? `*Alignment index ${whole(index.score)}*${indexWords === '' || d.state === 'first' ? '.' : `, ${indexWords}.`}`
      : '*Alignment index:* not shown this week.',
  ];
  const untold = d.moves.filter((m) => m.scope !== 'index' && !told.includes(m));
  for (const move of untold) lines.push(`${moveSentence(move)}.`);
  const named = (l: Digest['dimensions'][number]) =>
    `${DIMENSION_LABELS[l.dimension]} ${whole((l.current as VisibleGroup).score)}`;
  const shown = d.dimensions.filter((l) => l.current?.visible === true);
  const quiet = shown.filter(
    (l) =>
      l.trend === undefined ||
      l.trend.call === 'no_change' ||
      (young && l.trend.call === 'not_enough_data'),
  );
  const lacking =
    d.state === 'first' || young ? [] : shown.filter((l) => l.trend?.call === 'not_enough_data');
  const moved = d.dimensions.filter((l) => d.moves.some((m) => m.scope === l.dimension)).length;
  if (quiet.length > 0) {
    const which =
      d.state === 'first' || d.index.trend === undefined || young
        ? 'Scores'
        : moved === 0
          ? 'No clear change'
          : `No clear change on the other ${quiet.length}`;
    lines.push(`${which}: ${quiet.map(named).join(', ')}.`);
  }
  if (young && d.state !== 'first')
    lines.push(
      `Too early for trends: ${d.index.shownWeeks} closed ${d.index.shownWeeks === 1 ? 'week' : 'weeks'} so far, and a trend needs ${MIN_WEEKS}.`,
    );
  // Not enough data, and why: too few weeks with a score, or too few leaders moving it.
  const fewWeeks = lacking.filter((l) => early(l.shownWeeks));
  const fewLeaders = lacking.filter((l) => !early(l.shownWeeks));
  if (fewWeeks.length > 0)
    lines.push(
      `Too early for a trend on ${and(fewWeeks.map(named))}: a trend needs a score in ${MIN_WEEKS} of the last ${TREND_WEEKS} weeks (${fewWeeks.length === 1 ? 'it has' : 'they have'} ${and(fewWeeks.map((l) => String(l.shownWeeks)))}).`,
    );
  if (fewLeaders.length > 0)
    lines.push(
      `No trend yet on ${and(fewLeaders.map(named))}: too few leaders answered in more than one week.`,
    );
  const hidden = d.dimensions.filter((l) => l.current !== undefined && !l.current.visible);
  if (hidden.length > 0)
    lines.push(
      `Not shown: ${hidden.map((l) => DIMENSION_LABELS[l.dimension]).join(', ')} (${HIDDEN_REASONS.too_few(d.threshold)}).`,
    );
  const notAsked = d.dimensions.filter((l) => l.current === undefined);
  if (notAsked.length > 0)
    lines.push(`Not asked: ${notAsked.map((l) => DIMENSION_LABELS[l.dimension]).join(', ')}.`);
  return lines.join(' ');
}

/**
 * The week in a few blocks, as the digest and the App Home both show it: the
 * headline, the scores, and the perception gap unless the headline told it.
 */
export function summaryBlocks(d: Digest, top = headline(d)): KnownBlock[] {
  const blocks = [section(`*${top.text}*`, true), section(scoreLines(d, top.told.moves), true)];
  if (d.largestGap === undefined)
    blocks.push(
      section(
        `*Perception gap:* not shown: ${d.gapHidden ?? 'no dimension was asked of both sides'}.`,
        true,
      ),
    );
  else if (!top.told.gap)
    blocks.push(section(`*Perception gap* · ${gapSummary(d.largestGap)}`, true));
  return blocks;
}

/**
 * The weekly digest for the exec channel, read in about a screen and a half of
 * a phone: the headline first (what moved, the gap), the scores in a few lines
 * (the rest grouped, one number each, no colour that flips on noise), the gap
 * when the headline did not tell it, who answered, up to three comments, the
 * topic to talk about with its button, the agreements, the legend and the
 * chart. Each fact once. The top-level text carries the headline for clients
 * that cannot draw the blocks.
 */
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

  const top = headline(d);
  blocks.push(...summaryBlocks(d, top));
  if (d.comments.length > 0)
    blocks.push(
      section(`*What leaders said* (anonymous): ${d.comments.map(quote).join(' ')}`, true),
    );
  if (d.topic !== undefined) {
    const why = d.topic.why === 'divided' ? 'the widest gap' : 'the lowest score';
    blocks.push(
      section(
        `*Next sync: ${DIMENSION_LABELS[d.topic.dimension].toLowerCase()}*, ${why}.\n_${d.topic.question}_`,
        true,
      ),
    );
    // What the sync agrees becomes a tracked agreement, followed up in every digest.
    if (extras !== undefined)
      blocks.push({
        type: 'actions',
        block_id: DIGEST_TOPIC_BLOCK,
        elements: [recordButton({ surveyId: extras.surveyId, dimension: d.topic.dimension })],
      });
  }
  if (extras?.agreements !== undefined)
    blocks.push(
      ...digestAgreementBlocks(extras.agreements.open, extras.agreements.closed, extras.timezone),
    );
  // Who answered, the legend and the rule, once, in one small line.
  const notes = [
    responseText(d),
    ...(d.pulses > 1 ? [`${d.pulses} pulses this week, taken together.`] : []),
    ...(d.weekSidesHidden === undefined
      ? []
      : [`This week shows everyone only: ${d.weekSidesHidden}.`]),
    `${LEGEND.replace(/\.$/, ';')} no group under ${d.threshold} is ever shown.`,
  ];
  blocks.push(context(notes.join(' ')));
  if (d.chart !== undefined) blocks.push(chartBlock(d.chart));

  const index = d.index.current;
  const summary = index.visible ? `index ${whole(index.score)}. ` : '';
  return { text: `${title}: ${summary}${top.text}`, blocks };
}
