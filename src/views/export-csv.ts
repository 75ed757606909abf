import { DISCIPLINES } from '../domain/dimensions.js';
import type { Group, PeriodScore } from '../domain/scoring.js';
import type { GapLine, SaidCalls, TrendLine } from '../domain/trends.js';
import type { Week } from '../domain/weeks.js';

export const CSV_HEADER = [
  'week',
  'week_start',
  'survey_id',
  'dimension',
  'discipline',
  'respondents',
  'answers',
  'score',
  'favorable_pct',
  'trend_8w',
  'change_8w',
  'gap_4w',
  'gap_call',
];

/** A call as the export writes it: the same words as every message. */
const TREND_WORDS = {
  rise: 'rose',
  fall: 'fell',
  no_change: 'no clear change',
  not_enough_data: 'not enough data yet',
} as const;
const GAP_WORDS = {
  apart: 'apart',
  aligned: 'aligned',
  no_clear_gap: 'no clear gap',
  not_enough_data: 'not enough data yet',
} as const;

const cell = (value: string | number) => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * Weekly aggregated scores, one row per survey, week, dimension and discipline
 * ("all" for everyone), with respondent counts. Only groups the scoring layer
 * shows appear: a group under the anonymity threshold is left out, never blanked
 * in a way that would tell it was there. Never individual answers. The "all"
 * rows carry that week's calls: the 8-week trend and its change, and the
 * 4-week Product–Engineering gap (Product minus Engineering) and its call.
 */
export function scoresCsv(
  surveyId: number,
  weeks: readonly Week[],
  scores: readonly PeriodScore[],
  calls: readonly (SaidCalls | undefined)[] = [],
): { csv: string; rows: number } {
  const lines = [CSV_HEADER.join(',')];
  const row = (
    week: Week,
    dimension: string,
    discipline: string,
    group: Group,
    said?: { trend: TrendLine | undefined; gap: GapLine | undefined },
  ) => {
    if (!group.visible) return;
    const trend = said?.trend;
    const gap = said?.gap;
    lines.push(
      [
        week.period,
        week.firstDay,
        surveyId,
        dimension,
        discipline,
        group.respondents,
        group.answers,
        Math.round(group.score),
        Math.round(group.favorable * 100),
        trend === undefined ? '' : TREND_WORDS[trend.call],
        trend?.change === undefined ? '' : Math.round(trend.change),
        gap?.gap === undefined ? '' : Math.round(gap.gap.points),
        gap === undefined ? '' : GAP_WORDS[gap.call],
      ]
        .map(cell)
        .join(','),
    );
  };
  weeks.forEach((week, i) => {
    const score = scores[i];
    if (score === undefined) return;
    const said = calls[i];
    row(week, 'alignment_index', 'all', score.index, { trend: said?.trends.index, gap: undefined });
    for (const d of score.dimensions) {
      row(week, d.dimension, 'all', d.overall, {
        trend: said?.trends[d.dimension],
        gap: said?.gaps[d.dimension],
      });
      for (const discipline of DISCIPLINES)
        row(week, d.dimension, discipline, d.byDiscipline[discipline]);
    }
  });
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}
