import type { KnownBlock } from '@slack/types';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension } from '../domain/dimensions.js';
import {
  type Group,
  HIDDEN_REASONS,
  type PeriodScore,
  percent,
  sparkline,
  trafficLight,
  type VisibleGap,
  whole,
} from '../domain/scoring.js';
import type { GapLine, SaidCalls, TrendLine } from '../domain/trends.js';
import type { Week } from '../domain/weeks.js';
import { gapSentence, gapTrendWords, gapWords, trendWords } from './calls.js';
import type { SlackMessage } from './help.js';

const LIGHTS = { green: '🟢', yellow: '🟡', red: '🔴' } as const;

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text }],
});

function groupLine(label: string, group: Group | undefined, threshold: number): string {
  if (group === undefined) return `⚪ ${label} — not asked`;
  if (!group.visible) return `⚪ ${label} — ${HIDDEN_REASONS[group.reason](threshold)}`;
  return `${LIGHTS[trafficLight(group.favorable)]} ${label} *${whole(group.score)}* · ${percent(group.favorable)}% favorable`;
}

/** What score, trend and gap say before any pulse has closed. */
export const NOTHING_CLOSED_YET =
  'No pulse has closed yet. Scores are published once a pulse closes, never while it is taking answers, so nobody can work out what someone just answered.';

const LEGEND = 'Scores 0–100; 🟢 75%+ favorable · 🟡 60–74% · 🔴 under 60%.';

const leaders = (n: number) => `${n} ${n === 1 ? 'leader' : 'leaders'}`;

interface ScoredWeek {
  week: Week;
  score: PeriodScore;
}

function dimensionLines(score: PeriodScore, threshold: number): string {
  return DIMENSIONS.map((d) =>
    groupLine(
      `*${DIMENSION_LABELS[d]}*`,
      score.dimensions.find((x) => x.dimension === d)?.overall,
      threshold,
    ),
  ).join('\n');
}

/**
 * `/alignment score`: the index and every dimension with favorable shares, for
 * the latest closed week (`shown`, when too few answered the latest one, is the
 * latest closed week with scores), or for a window of closed weeks.
 */
export function scoreMessage(p: {
  latest: ScoredWeek;
  shown: ScoredWeek | undefined;
  /** The shown week's calls, for the index's trend. */
  calls?: SaidCalls | undefined;
  window?: { weeks: Week[]; score: PeriodScore };
  threshold: number;
}): SlackMessage {
  const { threshold } = p;
  if (p.window !== undefined) {
    const { weeks, score } = p.window;
    const period = `the last ${weeks.length} weeks to the latest closed week (${weeks[0]?.label ?? ''}–${weeks.at(-1)?.label ?? ''})`;
    if (!score.index.visible) {
      const text = `No scores to show for ${period}: no week in it had ${threshold} or more leaders answering.`;
      return { text, blocks: [section(text)] };
    }
    const index = `*Alignment index: ${whole(score.index.score)}*`;
    const people =
      score.respondentsLeast === score.respondents
        ? leaders(score.respondents)
        : `${score.respondentsLeast}–${score.respondents} leaders`;
    return {
      text: `Alignment index: ${whole(score.index.score)} for ${period}.`,
      blocks: [
        section(`${index} · ${period}`),
        section(dimensionLines(score, threshold)),
        context(
          `${score.pulses} closed ${score.pulses === 1 ? 'pulse' : 'pulses'}, ${people} answering each. A week or group with fewer than ${threshold} people adds nothing to these scores. ${LEGEND}`,
        ),
      ],
    };
  }
  const { latest, shown } = p;
  const label = (w: Week) => `${w.label}, ${w.range}`;
  if (shown === undefined) {
    const n = latest.score.respondents;
    const text =
      n === 0
        ? `Nobody answered the pulse of ${label(latest.week)}, the latest closed week.`
        : `Only ${leaders(n)} answered in ${label(latest.week)}, the latest closed week: scores show once ${threshold} or more answer.`;
    return { text, blocks: [section(text)] };
  }
  const { week, score } = shown;
  const index = score.index.visible
    ? `*Alignment index: ${whole(score.index.score)}*`
    : '*Alignment index:* not shown';
  const which =
    shown.week.period === latest.week.period
      ? 'the latest closed week'
      : 'the latest closed week with scores';
  const blocks: KnownBlock[] = [section(`${index} · ${label(week)}, ${which}`)];
  if (shown.week.period !== latest.week.period)
    blocks.push(
      context(
        `${label(latest.week)} closed with fewer than ${threshold} leaders answering, so it shows nothing.`,
      ),
    );
  const rate = score.invited > 0 ? ` of ${score.invited}` : '';
  blocks.push(
    section(dimensionLines(score, threshold)),
    context(`${score.respondents}${rate} leaders answered. ${LEGEND}`),
  );
  return {
    text: `${index.replaceAll('*', '')} for ${label(week)}, ${which}.`,
    blocks,
  };
}

/** `/alignment trend`: a dimension's (or the index's) weekly scores, and its call over 8 weeks. */
export function trendMessage(p: {
  dimension: Dimension | undefined;
  weeks: Week[];
  groups: (Group | undefined)[];
  line: TrendLine | undefined;
  threshold: number;
}): SlackMessage {
  const name = p.dimension === undefined ? 'Alignment index' : DIMENSION_LABELS[p.dimension];
  const values = p.groups.map((g) => (g?.visible === true ? g.score : null));
  const shown = values.filter((v) => v !== null).length;
  if (shown === 0) {
    const text = `${name}: no scores to show for the last ${p.weeks.length} ${p.weeks.length === 1 ? 'week' : 'weeks'} (weeks with fewer than ${p.threshold} answers are hidden).`;
    return { text, blocks: [section(text)] };
  }
  const rows = p.weeks.map((w, i) => {
    const v = values[i];
    return `${w.label} (${w.range}): ${v === null || v === undefined ? '—' : whole(v)}`;
  });
  const words = trendWords(p.line);
  const call = words === '' ? '' : ` · ${words}`;
  return {
    text: `${name} over the last ${p.weeks.length} weeks${call}.`,
    blocks: [
      section(
        `*${name}* · last ${p.weeks.length} ${p.weeks.length === 1 ? 'week' : 'weeks'}  \`${sparkline(values).trimStart()}\`${call}`,
      ),
      section(rows.join('\n')),
      context(
        `— means fewer than ${p.threshold} people answered that week, or it was not asked. A rise or fall is called on the last 8 closed weeks, only beyond the noise and by 5 points or more.`,
      ),
    ],
  };
}

/**
 * `/alignment gap`: the perception gap per dimension over the last 4 closed
 * weeks, largest first, each with its call; the featured one with its trend.
 * Without calls (a week published before them), the week's own gaps.
 */
export function gapMessage(p: {
  period: string;
  score: PeriodScore;
  calls: SaidCalls | undefined;
  threshold: number;
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
      Math.abs(b.gap.points) - Math.abs(a.gap.points) ||
      DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension),
  );
  const asked = new Set(
    calls === undefined
      ? p.score.dimensions.map((d) => d.dimension)
      : DIMENSIONS.filter((d) => calls.gaps[d].call !== 'not_enough_data' || calls.gaps[d].gap),
  );
  const hidden = [...asked].filter((d) => !gaps.some((g) => g.dimension === d));
  const over = calls === undefined ? p.period : 'the last 4 closed weeks';
  if (gaps.length === 0) {
    const text = `No perception gap to show for ${over}: Product and Engineering each need ${p.threshold} or more people answering a dimension.`;
    return { text, blocks: [section(text)] };
  }
  const lines = gaps.map(({ dimension, gap, line }) => {
    const sentence =
      line === undefined
        ? gapSentence(dimension, gap.points, gap.product, gap.engineering)
        : gapWords(dimension, line);
    const moved = calls?.featured?.dimension === dimension ? gapTrendWords(calls.featured) : '';
    return `*${DIMENSION_LABELS[dimension]}* — ${sentence}${moved === '' ? '' : ` ${moved}`}`;
  });
  const blocks: KnownBlock[] = [
    section(`*Perception gap* · ${over}, largest first`),
    section(lines.join('\n')),
  ];
  if (hidden.length > 0) {
    blocks.push(
      context(
        `Not shown: ${hidden.map((d) => DIMENSION_LABELS[d]).join(', ')} (too few answers on one side).`,
      ),
    );
  }
  const top = gaps[0];
  return {
    text:
      top === undefined
        ? 'Perception gap'
        : `Largest perception gap: ${DIMENSION_LABELS[top.dimension]}, ${Math.abs(whole(top.gap.points))} points.`,
    blocks,
  };
}
