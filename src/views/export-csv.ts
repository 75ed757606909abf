import { DISCIPLINES } from '../domain/dimensions.js';
import type { Group, PeriodScore } from '../domain/scoring.js';
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
];

const cell = (value: string | number) => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * Weekly aggregated scores, one row per survey, week, dimension and discipline
 * ("all" for everyone), with respondent counts. Only groups the scoring layer
 * shows appear: a group under the anonymity threshold is left out, never blanked
 * in a way that would tell it was there. Never individual answers.
 */
export function scoresCsv(
  surveyId: number,
  weeks: readonly Week[],
  scores: readonly PeriodScore[],
): { csv: string; rows: number } {
  const lines = [CSV_HEADER.join(',')];
  const row = (week: Week, dimension: string, discipline: string, group: Group) => {
    if (!group.visible) return;
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
      ]
        .map(cell)
        .join(','),
    );
  };
  weeks.forEach((week, i) => {
    const score = scores[i];
    if (score === undefined) return;
    row(week, 'alignment_index', 'all', score.index);
    for (const d of score.dimensions) {
      row(week, d.dimension, 'all', d.overall);
      for (const discipline of DISCIPLINES)
        row(week, d.dimension, discipline, d.byDiscipline[discipline]);
    }
  });
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}
