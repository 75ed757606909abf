import type { KnownBlock } from '@slack/types';
import { sidesHiddenIn } from '../domain/digest.js';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension } from '../domain/dimensions.js';
import type { Group, PeriodScore, VisibleGap } from '../domain/scoring.js';
import { whole } from '../domain/scoring.js';
import {
  type GapLine,
  MIN_LEADERS,
  MIN_WEEKS,
  type SaidCalls,
  TREND_WEEKS,
  type TrendLine,
} from '../domain/trends.js';
import type { Week } from '../domain/weeks.js';
import type { OrgLine } from '../reports/org.js';
import { context, section } from './blocks.js';
import { gapLine, LEGEND, scoreFields, sides, trendWords } from './calls.js';
import type { SlackMessage } from './help.js';
import { orgText } from './home.js';

/** What score, trend and gap say before any pulse has closed. */
export const NOTHING_CLOSED_YET =
  'No pulse has closed yet. Scores are published once a pulse closes, never while it is taking answers, so nobody can work out what someone just answered.';

const leaders = (n: number) => `${n} ${n === 1 ? 'leader' : 'leaders'}`;
const whose = (channelId: string | undefined) =>
  channelId === undefined ? '' : ` · <#${channelId}>`;

interface ScoredWeek {
  week: Week;
  score: PeriodScore;
}

const linesOf = (score: PeriodScore, calls?: SaidCalls) =>
  DIMENSIONS.flatMap((dimension) => {
    const current = score.dimensions.find((x) => x.dimension === dimension)?.overall;
    return current === undefined ? [] : [{ dimension, current, trend: calls?.trends[dimension] }];
  });

const notAsked = (score: PeriodScore) =>
  DIMENSIONS.filter((d) => !score.dimensions.some((x) => x.dimension === d)).map(
    (d) => DIMENSION_LABELS[d],
  );

/**
 * `/alignment score`: the index and every dimension with favorable shares, for
 * the latest closed week (`shown`, when too few answered the latest one, is the
 * latest closed week with scores), or for a window of closed weeks. Names the
 * survey (its channel); numbers in an aligned column.
 */
export function scoreMessage(p: {
  latest: ScoredWeek;
  shown: ScoredWeek | undefined;
  /** The shown week's calls, for the trends. */
  calls?: SaidCalls | undefined;
  window?: { weeks: Week[]; score: PeriodScore };
  threshold: number;
  channelId?: string | undefined;
}): SlackMessage {
  const { threshold } = p;
  const where = whose(p.channelId);
  if (p.window !== undefined) {
    const { weeks, score } = p.window;
    const period = `the last ${weeks.length} weeks to the ${weeks.at(-1)?.label ?? ''}`;
    if (!score.index.visible) {
      const text = `No scores to show for ${period}: no week in it had ${threshold} or more leaders answering.`;
      return { text, blocks: [section(text)] };
    }
    const people =
      score.respondentsLeast === score.respondents
        ? leaders(score.respondents)
        : `${score.respondentsLeast}–${score.respondents} leaders`;
    const missing = notAsked(score);
    return {
      text: `Alignment index ${whole(score.index.score)} over ${period}.`,
      blocks: [
        section(`*Alignment index ${whole(score.index.score)}*${where} · ${period}, together`),
        ...scoreFields(linesOf(score), threshold),
        context(
          `${score.pulses} closed ${score.pulses === 1 ? 'pulse' : 'pulses'}, ${people} answering each. A week or group with fewer than ${threshold} people adds nothing to these scores.${missing.length > 0 ? ` Not asked: ${missing.join(', ')}.` : ''} ${LEGEND}`,
        ),
      ],
    };
  }
  const { latest, shown } = p;
  // A closed week was judged with the threshold it was published with, whatever the survey's is now.
  const latestThreshold = latest.score.threshold ?? threshold;
  if (shown === undefined) {
    const n = latest.score.respondents;
    const text =
      n === 0
        ? `Nobody answered the pulse of the ${latest.week.label}, the latest closed week.`
        : `Only ${leaders(n)} answered in the ${latest.week.label}, the latest closed week: fewer than the ${latestThreshold} it needed to show scores.`;
    return { text, blocks: [section(text)] };
  }
  const { week, score } = shown;
  const which =
    shown.week.period === latest.week.period
      ? 'the latest closed week'
      : 'the latest closed week with scores';
  const words = trendWords(p.calls?.trends.index);
  const index = score.index.visible
    ? `*Alignment index ${whole(score.index.score)}*${words === '' ? '' : ` · ${words}`}`
    : '*Alignment index:* not shown';
  const blocks: KnownBlock[] = [section(`${index}${where} · the ${week.label}, ${which}`)];
  if (shown.week.period !== latest.week.period)
    blocks.push(
      context(
        `The ${latest.week.label} closed with fewer than ${latestThreshold} leaders answering, so it shows nothing.`,
      ),
    );
  const rate = score.invited > 0 ? ` of ${score.invited}` : '';
  const missing = notAsked(score);
  const sides = sidesHiddenIn(score);
  const lines = linesOf(score, p.calls);
  // "Not enough data yet" beside a score says why once, here.
  const lacking = [p.calls?.trends.index, ...lines.map((l) => l.trend)].some(
    (t) => t?.call === 'not_enough_data',
  )
    ? ` Not enough data yet: a trend needs a score in ${MIN_WEEKS} of the last ${TREND_WEEKS} weeks, from ${MIN_LEADERS} or more leaders who answered in more than one.`
    : '';
  blocks.push(
    ...scoreFields(lines, threshold),
    context(
      `${score.respondents}${rate} leaders answered.${sides === undefined ? '' : ` This week shows everyone only: ${sides}.`}${missing.length > 0 ? ` Not asked this week: ${missing.join(', ')}.` : ''}${lacking} ${LEGEND}`,
    ),
  );
  return {
    text: `${index.replaceAll('*', '')} for the ${week.label}, ${which}.`,
    blocks,
  };
}

/** `/alignment score all` (admins): every survey on one line, its own threshold applied. */
export function orgMessage(lines: readonly OrgLine[]): SlackMessage {
  if (lines.length === 0) {
    const text =
      'There is no survey yet: `/alignment pulse now` in a leadership channel starts one.';
    return { text, blocks: [section(text)] };
  }
  const text = orgText(lines);
  const blocks: KnownBlock[] = [
    section(
      lines.length === 1
        ? '*The one survey* · its latest closed week'
        : `*All ${lines.length} surveys* · the latest closed week of each`,
    ),
  ];
  // Five surveys a section, so none folds; a message holds 50 blocks, 240 surveys.
  for (let i = 0; i < text.length && blocks.length < 48; i += 5)
    blocks.push(section(text.slice(i, i + 5).join('\n'), true));
  if (text.length > 235) blocks.push(context(`And ${text.length - 235} more.`));
  blocks.push(context(`Each survey with its own anonymity threshold. ${LEGEND}`));
  return { text: lines.length === 1 ? 'The one survey.' : `All ${lines.length} surveys.`, blocks };
}

/**
 * "Not enough data yet", and why: too few of the last 8 weeks with a score, or
 * too few leaders who answered in more than one of them.
 */
function withWhy(
  words: string,
  line: TrendLine | undefined,
  lastWeeks: readonly (number | null)[],
): string {
  if (line?.call !== 'not_enough_data') return words;
  const shown = lastWeeks.filter((v) => v !== null).length;
  return shown < MIN_WEEKS
    ? `${words}: a trend needs a score in ${MIN_WEEKS} of the last ${TREND_WEEKS} weeks, and this has ${shown}`
    : `${words}: too few leaders answered it in more than one week`;
}

/** `/alignment trend`: a dimension's (or the index's) weekly scores, and its call over 8 weeks. */
export function trendMessage(p: {
  dimension: Dimension | undefined;
  weeks: Week[];
  groups: (Group | undefined)[];
  line: TrendLine | undefined;
  threshold: number;
  channelId?: string | undefined;
  /**
   * When the gap is the story on this dimension (it is apart, or it is the
   * gap the digest follows): each week's two sides, and the gap's line.
   */
  sides?: { weeks: { product: Group; engineering: Group }[]; gap: string } | undefined;
}): SlackMessage {
  const name = p.dimension === undefined ? 'Alignment index' : DIMENSION_LABELS[p.dimension];
  const values = p.groups.map((g) => (g?.visible === true ? g.score : null));
  const shown = values.filter((v) => v !== null).length;
  if (shown === 0) {
    const text = `${name}: no scores to show for the last ${p.weeks.length} ${p.weeks.length === 1 ? 'week' : 'weeks'} (weeks with fewer than ${p.threshold} answers are hidden).`;
    return { text, blocks: [section(text)] };
  }
  const side = (g: Group | undefined) => (g?.visible === true ? String(whole(g.score)) : '—');
  // Newest first, as two aligned columns: the week, then its score (and its two sides).
  const fields = p.weeks
    .map((w, i) => {
      const v = values[i];
      const score = v === null || v === undefined ? '—' : `*${whole(v)}*`;
      const pair = p.sides?.weeks[i];
      return [
        w.label,
        pair === undefined || score === '—'
          ? score
          : `${score} · ${side(pair.product)} vs ${side(pair.engineering)}`,
      ];
    })
    .reverse()
    .flat();
  const blocks: KnownBlock[] = [];
  const words = withWhy(trendWords(p.line), p.line, values.slice(-TREND_WEEKS));
  blocks.push(
    section(
      `*${name}*${whose(p.channelId)} · ${words === '' ? `last ${p.weeks.length} weeks` : words}`,
    ),
  );
  if (p.sides !== undefined)
    blocks.push(section(`${p.sides.gap}\nBeside each week: Product vs Engineering.`));
  for (let i = 0; i < fields.length; i += 10)
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + 10).map((text) => ({ type: 'mrkdwn' as const, text })),
    });
  blocks.push(
    context(
      `— : fewer than ${p.threshold} people answered that week, or it was not asked. A rise or fall is called on the last 8 closed weeks, only beyond the noise and by 5 points or more; two single weeks are never compared.`,
    ),
  );
  return {
    text: `${name} over the last ${p.weeks.length} weeks${words === '' ? '' : `: ${words}`}.`,
    blocks,
  };
}

/**
 * `/alignment gap`: the perception gap per dimension over the last 4 closed
 * weeks, largest first, one short line each with its call; the featured one
 * with its trend. Every difference said is the difference of the two numbers
 * shown beside it. Without calls (a week published before them), the week's own gaps.
 */
export function gapMessage(p: {
  period: string;
  score: PeriodScore;
  calls: SaidCalls | undefined;
  threshold: number;
  channelId?: string | undefined;
}): SlackMessage {
  const { calls } = p;
  const gaps = DIMENSIONS.flatMap(
    (dimension): { dimension: Dimension; gap: VisibleGap; line: GapLine | undefined }[] => {
      if (calls !== undefined) {
        const line = calls.gaps[dimension];
        return line.gap === undefined ? [] : [{ dimension, gap: line.gap, line }];
      }
      const gap = p.score.dimensions.find((d) => d.dimension === dimension)?.gap;
      return gap?.visible === true ? [{ dimension, gap, line: undefined }] : [];
    },
  ).sort(
    (a, b) =>
      sides(b.gap).apart - sides(a.gap).apart ||
      DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension),
  );
  // Each dimension asked but not shown, with the rule that hid it.
  const hidden = new Map<string, Dimension[]>();
  for (const d of DIMENSIONS) {
    if (gaps.some((g) => g.dimension === d)) continue;
    const reason =
      calls === undefined
        ? (() => {
            const gap = p.score.dimensions.find((x) => x.dimension === d)?.gap;
            return gap === undefined || gap.visible ? undefined : gap.reason;
          })()
        : calls.gaps[d].hidden;
    if (reason !== undefined) hidden.set(reason, [...(hidden.get(reason) ?? []), d]);
  }
  const over = calls === undefined ? p.period : 'the last 4 closed weeks';
  if (gaps.length === 0) {
    const reasons = [...hidden.keys()];
    const why =
      reasons.length === 0
        ? 'no dimension was asked of both sides'
        : reasons.length === 1
          ? reasons[0]
          : reasons.join('; ');
    const text = `No perception gap to show for ${over}: ${why}. The gap shows once each side has ${p.threshold} or more people answering.`;
    return { text, blocks: [section(text)] };
  }
  const lines = gaps.map(({ dimension, gap, line }) =>
    gapLine(
      dimension,
      { call: line?.call, gap },
      calls?.featured?.dimension === dimension ? calls.featured : undefined,
    ),
  );
  const blocks: KnownBlock[] = [
    section(
      `*Perception gap*${whose(p.channelId)} · Product vs Engineering, ${over}, largest first`,
    ),
    section(lines.join('\n'), true),
  ];
  for (const [reason, dimensions] of hidden)
    blocks.push(
      context(`Not shown: ${dimensions.map((d) => DIMENSION_LABELS[d]).join(', ')} (${reason}).`),
    );
  blocks.push(
    context(
      '"Apart" and "aligned" are called on each leader over the 4 weeks, beyond the spread between leaders; "no clear gap" could be noise.',
    ),
  );
  const top = gaps[0];
  return {
    text:
      top === undefined
        ? 'Perception gap'
        : `Largest perception gap: ${DIMENSION_LABELS[top.dimension]}, ${sides(top.gap).apart} points.`,
    blocks,
  };
}
