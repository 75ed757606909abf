import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { helpMessage, type SubcommandHelp } from '../../../views/help.js';

export const ALIGNMENT_COMMAND = '/alignment';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** What each subcommand does; help is written from this list, so it never promises more. */
export interface Subcommand extends SubcommandHelp {
  name: string;
  run: (ctx: AppContext, args: CommandArgs, rest: string) => Promise<void>;
}

const help: SubcommandHelp = {
  usage: 'help',
  summary: 'what I do and every command.',
  example: '/alignment help',
  adminOnly: false,
};

/**
 * `/alignment <subcommand> …`: routes to the subcommand; an empty or unknown one
 * gets help. Every answer is ephemeral: only the person who typed it sees it.
 */
export function alignmentCommand(ctx: AppContext, subcommands: Subcommand[]) {
  const all = [help, ...subcommands];
  return async (args: CommandArgs): Promise<void> => {
    const text = args.command.text.trim();
    const [first = '', ...restWords] = text.split(/\s+/);
    const name = first.toLowerCase();
    const subcommand = subcommands.find((s) => s.name === name);
    if (subcommand === undefined) {
      const unknown = name === '' || name === 'help' ? undefined : first;
      await args.ack({ response_type: 'ephemeral', ...helpMessage(all, unknown) });
      return;
    }
    ctx.logger.debug('slash command', { subcommand: subcommand.name, user: args.command.user_id });
    await subcommand.run(ctx, args, restWords.join(' '));
  };
}
