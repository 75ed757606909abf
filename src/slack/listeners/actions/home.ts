import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { AppContext } from '../../../context.js';
import { DISCIPLINES } from '../../../domain/dimensions.js';
import { setFirstDiscipline } from '../../../storage/disciplines.js';
import { getSurvey } from '../../../storage/surveys.js';
import { isAdmin } from '../../admins.js';
import { publishHome } from '../../publish-home.js';
import { tenantOf } from '../../tenant.js';
import { openSetup } from '../commands/setup.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** The discipline menu in the App Home: a person's first discipline only; after that an admin changes it. */
export function changeRoleFromHome(ctx: AppContext) {
  return async ({ ack, action, body, context }: Args): Promise<void> => {
    await ack();
    const teamId = tenantOf(context);
    const chosen = z
      .enum(DISCIPLINES)
      .safeParse('selected_option' in action ? action.selected_option?.value : undefined);
    if (chosen.success)
      await setFirstDiscipline(ctx.db, {
        teamId,
        userId: body.user.id,
        discipline: chosen.data,
        at: ctx.now(),
      });
    await publishHome(ctx, teamId, body.user.id);
  };
}

/** "Edit setup" in the App Home (admins). */
export function editSetupFromHome(ctx: AppContext) {
  return async ({ ack, action, body, context }: Args): Promise<void> => {
    await ack();
    const teamId = tenantOf(context);
    const survey = await getSurvey(ctx.db, Number('value' in action ? action.value : undefined));
    if (
      survey === undefined ||
      survey.teamId !== teamId ||
      !(await isAdmin(ctx, teamId, body.user.id))
    ) {
      await publishHome(ctx, teamId, body.user.id);
      return;
    }
    await openSetup(ctx, {
      teamId,
      triggerId: body.trigger_id,
      userId: body.user.id,
      channelId: survey.leadershipChannels[0] ?? '',
      surveyId: survey.id,
    });
  };
}
