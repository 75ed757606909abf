import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import type { Command } from './parse-command.js';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** A subcommand's work, after the ack: it answers with `respond`, privately. */
export type CommandHandler<C extends Command = Command> = (
  ctx: AppContext,
  args: CommandArgs,
  command: C,
) => Promise<void>;

/** Replies only the person who typed the command can see. */
export const reply = (respond: RespondFn, text: string) =>
  respond({ response_type: 'ephemeral', text });
