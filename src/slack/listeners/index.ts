import type { App } from '@slack/bolt';
import type { AppContext } from '../../context.js';
import { registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import { registerEvents } from './events/index.js';
import { registerViews } from './views/index.js';

/** The bot's whole reach, one surface per line. */
export function registerListeners(app: App, ctx: AppContext): void {
  registerCommands(app, ctx);
  registerActions(app, ctx);
  registerViews(app, ctx);
  registerEvents(app, ctx);
}
