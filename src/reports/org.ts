import type { AppContext } from '../context.js';
import type { Dimension } from '../domain/dimensions.js';
import type { Group, VisibleGap } from '../domain/scoring.js';
import type { GapCall, GapTrendCall, TrendLine } from '../domain/trends.js';
import type { Week } from '../domain/weeks.js';
import type { Survey } from '../storage/surveys.js';
import { weekTrends } from './calls.js';
import { latestShownWeek } from './published.js';

/** One survey's line in the org view: its latest closed week's index, trend and largest gap. */
export interface OrgLine {
  survey: Survey;
  week: Week | undefined;
  index: Group | undefined;
  trend: TrendLine | undefined;
  gap:
    | { dimension: Dimension; gap: VisibleGap; call: GapCall; trend: GapTrendCall | undefined }
    | undefined;
}

/**
 * Every survey side by side (the org view): each from its own published
 * figures and calls, with its own threshold, as everywhere else.
 */
export async function orgLines(ctx: AppContext, surveys: readonly Survey[]): Promise<OrgLine[]> {
  const lines: OrgLine[] = [];
  for (const survey of surveys) lines.push(await orgLine(ctx, survey));
  return lines;
}

async function orgLine(ctx: AppContext, survey: Survey): Promise<OrgLine> {
  const { shown } = await latestShownWeek(ctx, survey);
  if (shown === undefined)
    return { survey, week: undefined, index: undefined, trend: undefined, gap: undefined };
  const calls = await weekTrends(ctx, survey, shown.week);
  // The featured gap (chosen over 16 weeks, with its trend); else the largest of the 4-week gaps.
  const featured = calls?.featured;
  const largest = Object.entries(calls?.gaps ?? {})
    .flatMap(([dimension, line]) =>
      line.gap === undefined ? [] : [{ dimension: dimension as Dimension, line }],
    )
    .sort((a, b) => Math.abs(b.line.gap?.points ?? 0) - Math.abs(a.line.gap?.points ?? 0))[0];
  const dimension = featured?.dimension ?? largest?.dimension;
  const gapLine = dimension === undefined ? undefined : calls?.gaps[dimension];
  return {
    survey,
    week: shown.week,
    index: shown.score.index,
    trend: calls?.trends.index,
    gap:
      dimension === undefined || gapLine?.gap === undefined
        ? undefined
        : {
            dimension,
            gap: gapLine.gap,
            call: gapLine.call,
            trend: featured?.dimension === dimension ? featured.call : undefined,
          },
  };
}
