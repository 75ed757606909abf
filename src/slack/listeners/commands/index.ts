import type { App } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { ALIGNMENT_COMMAND, alignmentCommand, type Subcommand } from './alignment-command.js';

/** Every slash command the bot answers. */
export function registerCommands(app: App, ctx: AppContext): void {
  const subcommands: Subcommand[] = [];
  app.command(ALIGNMENT_COMMAND, alignmentCommand(ctx, subcommands));
}
