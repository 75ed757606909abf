import { subDays } from 'date-fns/subDays';
import type { AppContext } from '../context.js';
import { buildDigest, type Digest } from '../domain/digest.js';
import { sideOf } from '../domain/dimensions.js';
import { TREND_WEEKS } from '../jobs/post-digest.js';
import { weekTrends } from '../reports/calls.js';
import { orgLines } from '../reports/org.js';
import { latestShownWeek, scoredWeeks, thresholdOf } from '../reports/published.js';
import { agreementsOwnedBy, openAgreements } from '../storage/agreements.js';
import { storedAnswers } from '../storage/answers.js';
import { recentDeliveryFailures } from '../storage/delivery-failures.js';
import { currentDiscipline } from '../storage/disciplines.js';
import { openPulsesFor, surveysAsking } from '../storage/pulses.js';
import { recentSkips } from '../storage/runs.js';
import { getSurvey, listSurveys, type Survey } from '../storage/surveys.js';
import { type HomeInput, homeView } from '../views/home.js';
import { isAdmin } from './admins.js';

/** The survey a person belongs to: the one whose latest pulse went to them, else the workspace's first. */
async function surveyOf(
  ctx: AppContext,
  teamId: string,
  userId: string,
): Promise<Survey | undefined> {
  const row = await ctx.db
    .selectFrom('pulse_recipients as r')
    .innerJoin('pulses as p', 'p.id', 'r.pulse_id')
    .innerJoin('surveys as s', 's.id', 'p.survey_id')
    .select('p.survey_id as surveyId')
    .where('r.user_id', '=', userId)
    .where('s.team_id', '=', teamId)
    .orderBy('p.due_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (
    (row === undefined ? undefined : await getSurvey(ctx.db, row.surveyId)) ??
    (await listSurveys(ctx.db, teamId))[0]
  );
}

/** Builds and publishes a person's App Home. */
export async function publishHome(ctx: AppContext, teamId: string, userId: string): Promise<void> {
  const now = ctx.now();
  const survey = await surveyOf(ctx, teamId, userId);
  let scores: HomeInput['scores'];
  if (survey !== undefined) {
    const threshold = thresholdOf(ctx, survey);
    const { latest, shown } = await latestShownWeek(ctx, survey, now);
    let digest: Digest | undefined;
    if (shown !== undefined) {
      const { weeks, scores: weekly } = await scoredWeeks(
        ctx,
        survey,
        shown.week,
        TREND_WEEKS,
        now,
      );
      digest = buildDigest({
        weeks,
        scores: weekly,
        comments: [],
        threshold,
        calls: await weekTrends(ctx, survey, shown.week, now),
      });
    }
    scores = {
      channelId: survey.leadershipChannels[0],
      // What the latest closed week says of itself uses the threshold it was published with.
      threshold: latest?.score.threshold ?? threshold,
      latest: latest === undefined ? undefined : latest.week,
      digest,
      otherSurveys: Math.max(0, (await surveysAsking(ctx.db, teamId, userId)) - 1),
    };
  }
  const openPulses = (
    await Promise.all(
      (
        await openPulsesFor(ctx.db, userId, now)
      ).map(async (pulse) => {
        const s = await getSurvey(ctx.db, pulse.surveyId);
        return s === undefined || s.teamId !== teamId
          ? []
          : [
              {
                pulse,
                timezone: s.timezone,
                channelId: s.leadershipChannels[0],
                answered: (await storedAnswers(ctx.db, pulse.id, userId)) !== undefined,
              },
            ];
      }),
    )
  ).flat();
  const surveys = await listSurveys(ctx.db, teamId);
  const admin = (await isAdmin(ctx, teamId, userId))
    ? {
        surveys,
        defaultThreshold: ctx.config.anonymityThreshold,
        org: surveys.length > 1 ? await orgLines(ctx, surveys) : [],
        failures: await recentDeliveryFailures(ctx.db, teamId, subDays(now, 14)),
        skipped: await recentSkips(ctx.db, teamId, subDays(now, 14)),
      }
    : undefined;
  // The agreements of the viewer's survey, then any other they own.
  const agreements =
    survey === undefined
      ? undefined
      : {
          surveyId: survey.id,
          channelId: survey.leadershipChannels[0],
          viewer: userId,
          now,
          list: [
            ...(await openAgreements(ctx.db, survey.id)),
            ...(await agreementsOwnedBy(ctx.db, teamId, userId)).filter(
              (a) => a.surveyId !== survey.id,
            ),
          ],
        };
  const discipline = await currentDiscipline(ctx.db, teamId, userId);
  const view = homeView({
    scores,
    openPulses,
    discipline,
    side:
      discipline === undefined || survey === undefined
        ? undefined
        : sideOf(discipline, survey.sides),
    agreements,
    admin,
  });
  await (await ctx.slackFor(teamId)).views.publish({ user_id: userId, view });
}
