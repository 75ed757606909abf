import type { AppContext } from '../../../context.js';
import { helpMessage, type SubcommandHelp } from '../../../views/help.js';
import { adminsOnly, isAdmin } from '../../admins.js';
import { type CommandArgs, type CommandHandler, reply } from './command-handler.js';
import { digestNow } from './digest-now.js';
import { exportCsv } from './export.js';
import { forgetMe } from './forget-me.js';
import { type Command, parseCommand } from './parse-command.js';
import { pulseNow } from './pulse-now.js';
import { gap, score, trend } from './reports.js';
import { role } from './role.js';
import { setup } from './setup.js';

export const ALIGNMENT_COMMAND = '/alignment';

/** What help lists, in order; every entry is a working subcommand. */
export const SUBCOMMANDS: (SubcommandHelp & { name: Command['name'] })[] = [
  {
    name: 'help',
    usage: 'help',
    summary: 'what I do and every command.',
    example: '/alignment help',
    adminOnly: false,
  },
  {
    name: 'score',
    usage: 'score [weeks]',
    summary: 'the alignment index and every dimension, latest week (or the last few together).',
    example: '/alignment score 4',
    adminOnly: false,
  },
  {
    name: 'trend',
    usage: 'trend [dimension] [weeks]',
    summary: "a dimension's (or the index's) weekly scores, 1–52 weeks.",
    example: '/alignment trend tech_debt 12',
    adminOnly: false,
  },
  {
    name: 'gap',
    usage: 'gap',
    summary: 'where Product and Engineering see things differently, largest gap first.',
    example: '/alignment gap',
    adminOnly: false,
  },
  {
    name: 'role',
    usage: 'role <discipline>',
    summary: 'set your discipline, once: product, engineering, design, program or other.',
    example: '/alignment role engineering',
    adminOnly: false,
  },
  {
    name: 'role',
    usage: 'role @person <discipline>',
    summary: "change someone's discipline, from their next pulse on.",
    example: '/alignment role @dana engineering',
    adminOnly: true,
  },
  {
    name: 'forget-me',
    usage: 'forget-me',
    summary: 'delete all your answers and comments, after a confirmation.',
    example: '/alignment forget-me',
    adminOnly: false,
  },
  {
    name: 'setup',
    usage: 'setup',
    summary: "this channel's survey: schedule, questions, delivery, digest.",
    example: '/alignment setup',
    adminOnly: true,
  },
  {
    name: 'pulse-now',
    usage: 'pulse now',
    summary: 'send a pulse to this channel now (sets it up the first time).',
    example: '/alignment pulse now',
    adminOnly: true,
  },
  {
    name: 'digest-now',
    usage: 'digest now',
    summary: "post this week's digest now.",
    example: '/alignment digest now',
    adminOnly: true,
  },
  {
    name: 'export',
    usage: 'export',
    summary: 'weekly scores as a CSV file, sent to you by DM.',
    example: '/alignment export',
    adminOnly: true,
  },
];

const ADMIN_ACTIONS: Partial<Record<Command['name'], string>> = {
  setup: 'change the setup',
  'pulse-now': 'send a pulse',
  'digest-now': 'post the digest',
  export: 'export scores',
};

// Each handler narrows the command to its own kind; the table pairs them by name.
const HANDLERS: { [K in Command['name']]?: CommandHandler<Extract<Command, { name: K }>> } = {
  score,
  trend,
  gap,
  role,
  'forget-me': forgetMe,
  setup,
  'pulse-now': pulseNow,
  'digest-now': digestNow,
  export: exportCsv,
};

/**
 * `/alignment …`: understood with parseCommand, acknowledged at once, answered
 * privately. Help and mistakes go back in the acknowledgement itself; the rest
 * do their work after it, within Slack's three seconds.
 */
export function alignmentCommand(ctx: AppContext) {
  return async (args: CommandArgs): Promise<void> => {
    const parsed = parseCommand(args.command.text);
    if (!parsed.ok) {
      await args.ack(
        parsed.unknown === true
          ? { response_type: 'ephemeral', ...helpMessage(SUBCOMMANDS, parsed.message) }
          : { response_type: 'ephemeral', text: parsed.message },
      );
      return;
    }
    const { command } = parsed;
    if (command.name === 'help') {
      await args.ack({ response_type: 'ephemeral', ...helpMessage(SUBCOMMANDS) });
      return;
    }
    await args.ack();
    ctx.logger.debug('slash command', { subcommand: command.name, user: args.command.user_id });
    const adminAction = ADMIN_ACTIONS[command.name];
    if (adminAction !== undefined && !(await isAdmin(ctx, args.command.user_id))) {
      await reply(args.respond, adminsOnly(ctx, adminAction));
      return;
    }
    const handler = HANDLERS[command.name] as CommandHandler | undefined;
    await handler?.(ctx, args, command);
  };
}
