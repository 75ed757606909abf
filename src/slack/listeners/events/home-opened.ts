import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { publishHome } from '../../publish-home.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';

/** app_home_opened: the Home tab shows the latest scores, the person's pulses and setup. */
export function homeOpened(ctx: AppContext) {
  return async ({
    context,
    event,
  }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    // Slack names the person who opened the tab; without one there is nobody to show it to.
    if (event.tab !== 'home' || typeof event.user !== 'string' || event.user === '') return;
    try {
      await publishHome(ctx, tenantOf(context), event.user);
    } catch (error) {
      ctx.logger.warn('could not publish the App Home', {
        user: event.user,
        error: slackErrorCode(error),
      });
    }
  };
}
