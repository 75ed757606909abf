import type { KnownBlock } from '@slack/types';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension } from '../domain/dimensions.js';
import {
  type Change,
  type Group,
  HIDDEN_REASONS,
  type PeriodScore,
  percent,
  sparkline,
  trafficLight,
  whole,
} from '../domain/scoring.js';
import type { Week } from '../domain/weeks.js';
import { gapSentence } from './digest.js';
import type { SlackMessage } from './help.js';

const LIGHTS = { green: '🟢', yellow: '🟡', red: '🔴' } as const;
const CALLS = { aligned: 'aligned', watch: 'worth watching', divided: 'divided' } as const;

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

/** `/alignment trend`: a dimension's (or the index's) weekly scores with a sparkline. */
export function trendMessage(p: {
  dimension: Dimension | undefined;
  weeks: Week[];
  groups: (Group | undefined)[];
  change: Change | undefined;
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
  const change =
    p.change === undefined
      ? ''
      : p.change.call === 'steady'
        ? ` · steady since the week before (${p.change.points > 0 ? '+' : ''}${p.change.points}, within the noise)`
        : ` · ${p.change.call === 'rise' ? '▲ up' : '▼ down'} ${Math.abs(p.change.points)} since the week before`;
  return {
    text: `${name} over the last ${p.weeks.length} weeks: ${sparkline(values).trimStart()}`,
    blocks: [
      section(
        `*${name}* · last ${p.weeks.length} ${p.weeks.length === 1 ? 'week' : 'weeks'}  \`${sparkline(values).trimStart()}\`${change}`,
      ),
      section(rows.join('\n')),
      context(`— means fewer than ${p.threshold} people answered that week, or it was not asked.`),
    ],
  };
}

/** `/alignment gap`: the perception gap per dimension, largest first. */
export function gapMessage(p: {
  period: string;
  score: PeriodScore;
  threshold: number;
}): SlackMessage {
  const visible = p.score.dimensions
    .flatMap((d) => (d.gap.visible ? [{ dimension: d.dimension, gap: d.gap }] : []))
    .sort(
      (a, b) =>
        Math.abs(b.gap.points) - Math.abs(a.gap.points) ||
        DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension),
    );
  const hidden = p.score.dimensions.filter((d) => !d.gap.visible);
  if (visible.length === 0) {
    const text = `No perception gap to show for ${p.period}: Product and Engineering each need ${p.threshold} or more people answering a dimension.`;
    return { text, blocks: [section(text)] };
  }
  const lines = visible.map(
    ({ dimension, gap }) =>
      `*${DIMENSION_LABELS[dimension]}* — ${gapSentence(dimension, gap.points, gap.product, gap.engineering)} _${CALLS[gap.call]}_`,
  );
  const blocks: KnownBlock[] = [
    section(`*Perception gap* · ${p.period}, largest first`),
    section(lines.join('\n')),
  ];
  if (hidden.length > 0) {
    blocks.push(
      context(
        `Not shown: ${hidden.map((d) => DIMENSION_LABELS[d.dimension]).join(', ')} (too few answers on one side).`,
      ),
    );
  }
  const top = visible[0];
  return {
    text:
      top === undefined
        ? 'Perception gap'
        : `Largest perception gap: ${DIMENSION_LABELS[top.dimension]}, ${Math.abs(whole(top.gap.points))} points.`,
    blocks,
  };
}
