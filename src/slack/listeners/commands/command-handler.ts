import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import type { SlackMessage } from '../../../views/help.js';
import type { Command } from './parse-command.js';

export type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** A subcommand's work, after the ack: it answers with `respond`, privately. */
export type CommandHandler<C extends Command = Command> = (
  ctx: AppContext,
  args: CommandArgs,
  command: C,
) => Promise<void>;

/**
 * A subcommand whose whole work is its answer: help, score, trend, gap, role.
 * The answer goes back in the acknowledgement itself (one round trip, no
 * `response_url`) when it is ready within Slack's three seconds.
 */
export type CommandAnswer<C extends Command = Command> = (
  ctx: AppContext,
  args: CommandArgs,
  command: C,
) => Promise<SlackMessage | string>;

/** Replies only the person who typed the command can see. */
export const reply = (respond: RespondFn, text: string) =>
  respond({ response_type: 'ephemeral', text });
