import type { App } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { ALIGNMENT_COMMAND, alignmentCommand, type Subcommand } from './alignment-command.js';
import { pulseNow } from './pulse-now.js';

/** Every slash command the bot answers. */
export function registerCommands(app: App, ctx: AppContext): void {
  const subcommands: Subcommand[] = [pulseNow];
  app.command(ALIGNMENT_COMMAND, alignmentCommand(ctx, subcommands));
}
