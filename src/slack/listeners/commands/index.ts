import type { App } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { ALIGNMENT_COMMAND, alignmentCommand } from './alignment-command.js';

/** Every slash command the bot answers. */
export function registerCommands(app: App, ctx: AppContext): void {
  app.command(ALIGNMENT_COMMAND, alignmentCommand(ctx));
}
