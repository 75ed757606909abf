import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { addDays } from 'date-fns/addDays';
import type { AppContext } from '../../../context.js';
import { deleteInstallation } from '../../../storage/installations.js';
import { markUninstalled } from '../../../storage/workspaces.js';
import { tenantOf } from '../../tenant.js';

/**
 * app_uninstalled, and tokens_revoked for the bot's token: the tenant's
 * installation is deleted (Bolt does not) and its schedules stop at once. Its
 * data stays for UNINSTALL_GRACE_DAYS, so a reinstall within them resumes
 * everything; after that the daily retention run deletes it (jobs/retention.ts).
 * A revoke of people's own tokens only (the app asks for none) changes nothing.
 */
export function workspaceRemoved(ctx: AppContext) {
  return async ({
    context,
    event,
  }: SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'> &
    AllMiddlewareArgs): Promise<void> => {
    if (event.type === 'tokens_revoked' && (event.tokens.bot ?? []).length === 0) return;
    const tenant = tenantOf(context);
    const deleted = await deleteInstallation(ctx.db, tenant);
    if ((await markUninstalled(ctx.db, tenant, ctx.now())) || deleted) {
      const keptUntil = addDays(ctx.now(), ctx.config.uninstallGraceDays);
      ctx.logger.warn('workspace removed the app: its schedules stop', {
        team: tenant,
        event: event.type,
        dataDeletedAfter: keptUntil.toISOString(),
      });
    }
  };
}
