import type { AppContext } from '../context.js';
import { publicationVersion } from '../storage/publication.js';
import type { Survey } from '../storage/surveys.js';

/**
 * Answers built only from a survey's frozen figures (`score`, `trend`, `gap`),
 * kept until the survey publishes another week: published cells and calls never
 * change, so the same question gets the same answer, and working it out again
 * (a quarter of weeks, their calls, the words) would cost milliseconds a
 * command for nothing. The key holds everything an answer depends on — the
 * database and the survey (so one workspace's answer never serves another's), its settings that
 * an answer names (channel, time zone, threshold), the publications up to now
 * and what was asked — so nothing stale or foreign can be served. Bounded.
 */
const keptBy = new WeakMap<AppContext['db'], Map<string, unknown>>();
const KEPT_MAX = 2_000;

export async function fromFrozen<T>(
  ctx: AppContext,
  survey: Survey,
  question: string,
  build: () => T | Promise<T>,
): Promise<T> {
  const version = await publicationVersion(ctx.db, survey.id, ctx.now());
  const key = JSON.stringify([
    survey.id,
    survey.leadershipChannels[0],
    survey.timezone,
    survey.anonymityThreshold ?? ctx.config.anonymityThreshold,
    version,
    question,
  ]);
  let kept = keptBy.get(ctx.db);
  if (kept === undefined) {
    kept = new Map();
    keptBy.set(ctx.db, kept);
  }
  if (kept.has(key)) return kept.get(key) as T;
  const answer = await build();
  if (kept.size >= KEPT_MAX) kept.clear();
  kept.set(key, answer);
  return answer;
}
