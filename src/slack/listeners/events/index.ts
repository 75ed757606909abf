import type { App } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { homeOpened } from './home-opened.js';
import { workspaceRemoved } from './workspace-removed.js';

/** Every event the bot handles; manifest.yml subscribes to exactly these (a test checks). */
export const BOT_EVENTS = ['app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;

export function registerEvents(app: App, ctx: AppContext): void {
  app.event('app_home_opened', homeOpened(ctx));
  app.event('app_uninstalled', workspaceRemoved(ctx));
  app.event('tokens_revoked', workspaceRemoved(ctx));
}
