import type { AppContext } from '../../../context.js';
import { findSurveyByChannel, listSurveys, type Survey } from '../../../storage/surveys.js';

/**
 * The survey a command is about: the one whose leadership or digest channel it
 * was typed in, else the workspace's only survey. A sentence when there is none
 * or it is ambiguous.
 */
export async function surveyFor(
  ctx: AppContext,
  teamId: string,
  channelId: string,
): Promise<Survey | string> {
  const byLeadership = await findSurveyByChannel(ctx.db, teamId, channelId);
  if (byLeadership !== undefined) return byLeadership;
  const surveys = await listSurveys(ctx.db, teamId);
  const byDigest = surveys.find((s) => s.digestChannels.includes(channelId));
  if (byDigest !== undefined) return byDigest;
  if (surveys.length === 1 && surveys[0] !== undefined) return surveys[0];
  if (surveys.length === 0) {
    return 'There is no survey yet. An admin can start one by typing `/alignment pulse now` in the leadership channel.';
  }
  return 'This workspace has several surveys: run the command in the leadership channel (or digest channel) of the one you mean.';
}
