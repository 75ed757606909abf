import type { App } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { workspaceRemoved } from './workspace-removed.js';

/** Every Events API event the bot listens to (keep manifest.yml's bot_events in step). */
export function registerEvents(app: App, ctx: AppContext): void {
  app.event('app_uninstalled', workspaceRemoved(ctx));
  app.event('tokens_revoked', workspaceRemoved(ctx));
}
