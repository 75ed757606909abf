import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { markUninstalled } from '../../../storage/workspaces.js';

/**
 * app_uninstalled and tokens_revoked: the workspace stops getting pulses and
 * digests. Its data stays, so a reinstall picks up the history.
 */
export function workspaceRemoved(ctx: AppContext) {
  return async ({
    body,
    event,
  }: SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'> &
    AllMiddlewareArgs): Promise<void> => {
    if (markUninstalled(ctx.db, body.team_id, ctx.now())) {
      ctx.logger.warn('workspace removed the app: its schedules stop', {
        team: body.team_id,
        event: event.type,
      });
    }
  };
}
