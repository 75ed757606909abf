import { stringify } from 'csv-stringify/sync';
import { DISCIPLINES, SIDES } from '../domain/dimensions.js';
import type { Group, PeriodScore } from '../domain/scoring.js';
import type { GapLine, SaidCalls, TrendLine } from '../domain/trends.js';
import type { Week } from '../domain/weeks.js';
import type { Agreement } from '../storage/agreements.js';

export const CSV_HEADER = [
  'week',
  'week_start',
  'survey_id',
  'dimension',
  'group',
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

/**
 * Text a person wrote, made safe for a spreadsheet: one starting with = + - @
 * (or a tab or return) would run as a formula when the file is opened, so it
 * gets a leading apostrophe, as spreadsheets themselves do.
 */
const inert = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * Weekly aggregated scores, one row per survey, week, dimension and group:
 * "all" for everyone, "product_side" and "engineering_side" for the two sides
 * (weeks published before the sides have a row per discipline instead, as they
 * were published), with respondent counts. Only groups the scoring layer shows
 * appear: a group under the anonymity threshold is left out, never blanked in
 * a way that would tell it was there. Never individual answers. The "all" rows
 * carry that week's calls: the 8-week trend and its change, and the 4-week gap
 * (the Product side minus the Engineering side) and its call.
 */
export function scoresCsv(
  surveyId: number,
  weeks: readonly Week[],
  scores: readonly PeriodScore[],
  calls: readonly (SaidCalls | undefined)[] = [],
): { csv: string; rows: number } {
  const lines: (string | number)[][] = [];
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
    lines.push([
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
    ]);
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
      if (score.units.includes('side'))
        for (const side of SIDES) row(week, d.dimension, `${side}_side`, d.bySide[side]);
      if (score.units.includes('discipline'))
        for (const discipline of DISCIPLINES)
          row(week, d.dimension, discipline, d.byDiscipline[discipline]);
    }
  });
  return { csv: stringify(lines, { header: true, columns: CSV_HEADER }), rows: lines.length };
}

export const AGREEMENTS_CSV_HEADER = [
  'survey_id',
  'leadership_channel',
  'dimension',
  'agreement',
  'product_owner',
  'engineering_owner',
  'recorded_by',
  'recorded_at',
  'review_on',
  'status',
  'closed_at',
  'closed_by',
  'note',
];

/**
 * The agreements, every status: organisational records, with their owners'
 * Slack ids ("a former leader" once forgotten). Nothing from the answers.
 */
export function agreementsCsv(
  agreements: readonly Agreement[],
  channelOf: (surveyId: number) => string | undefined,
): { csv: string; rows: number } {
  const person = (id: string | null) => id ?? 'a former leader';
  const rows = agreements.map((a) => [
    a.surveyId,
    channelOf(a.surveyId) ?? '',
    a.dimension,
    inert(a.body),
    person(a.productOwner),
    person(a.engineeringOwner),
    person(a.recordedBy),
    a.recordedAt,
    a.reviewOn,
    a.status,
    a.closedAt ?? '',
    a.closedAt === null ? '' : person(a.closedBy),
    a.note === null ? '' : inert(a.note),
  ]);
  return {
    csv: stringify(rows, { header: true, columns: AGREEMENTS_CSV_HEADER }),
    rows: rows.length,
  };
}
