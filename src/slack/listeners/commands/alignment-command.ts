import type { AppContext } from '../../../context.js';
import { cannotReachDatabase } from '../../../storage/store.js';
import { helpMessage, type SlackMessage, type SubcommandHelp } from '../../../views/help.js';
import { adminsOnly, isAdmin } from '../../admins.js';
import { DATABASE_UNREACHABLE } from '../../app.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';
import { agree } from './agree.js';
import {
  type CommandAnswer,
  type CommandArgs,
  type CommandHandler,
  reply,
} from './command-handler.js';
import { digestNow } from './digest-now.js';
import { exportCsv } from './export.js';
import { forgetMe } from './forget-me.js';
import { type Command, parseCommand } from './parse-command.js';
import { pulseNow } from './pulse-now.js';
import { gap, score, scoreAll, trend } from './reports.js';
import { role } from './role.js';
import { setup } from './setup.js';

export const ALIGNMENT_COMMAND = '/alignment';

/** What help lists, in order; every entry is a working subcommand. */
export const SUBCOMMANDS: (SubcommandHelp & { name: Command['name'] })[] = [
  {
    name: 'help',
    usage: 'help',
    summary: 'what I do and every command.',
    adminOnly: false,
  },
  {
    name: 'score',
    usage: 'score [weeks]',
    summary:
      'the alignment index and every dimension: the latest closed week, or the last few together.',
    adminOnly: false,
  },
  {
    name: 'trend',
    usage: 'trend [dimension] [weeks]',
    summary: 'weekly scores of a dimension (or the index), and whether it rose or fell.',
    adminOnly: false,
  },
  {
    name: 'gap',
    usage: 'gap',
    summary: 'where Product and Engineering see things differently, largest first.',
    adminOnly: false,
  },
  {
    name: 'role',
    usage: 'role <discipline>',
    summary: 'set your discipline, once (product, engineering, design, program, other).',
    adminOnly: false,
  },
  {
    name: 'role',
    usage: 'role @person <discipline>',
    summary: "change someone's discipline, from their next pulse on.",
    adminOnly: true,
  },
  {
    name: 'agree',
    usage: 'agree [dimension]',
    summary: 'record what the leadership sync agreed, with an owner from each side.',
    adminOnly: false,
  },
  {
    name: 'forget-me',
    usage: 'forget-me',
    summary: 'delete all your answers and comments, after a confirmation.',
    adminOnly: false,
  },
  {
    name: 'score-all',
    usage: 'score all',
    summary: 'every survey side by side: index, trend, largest gap.',
    adminOnly: true,
  },
  {
    name: 'setup',
    usage: 'setup',
    summary: "this channel's survey: schedule, questions, delivery, digest.",
    adminOnly: true,
  },
  {
    name: 'pulse-now',
    usage: 'pulse now',
    summary: 'send a pulse to this channel now (sets it up the first time).',
    adminOnly: true,
  },
  {
    name: 'digest-now',
    usage: 'digest now',
    summary: "post the latest closed week's digest now.",
    adminOnly: true,
  },
  {
    name: 'export',
    usage: 'export',
    summary: 'weekly scores as a CSV file, sent to you by DM.',
    adminOnly: true,
  },
];

const ADMIN_ACTIONS: Partial<Record<Command['name'], string>> = {
  'score-all': 'see every survey side by side',
  setup: 'change the setup',
  'pulse-now': 'send a pulse',
  'digest-now': 'post the digest',
  export: 'export scores',
};

// Each handler narrows the command to its own kind; the tables pair them by name.
/** Subcommands whose whole work is their answer: it goes back in the ack when ready in time. */
const ANSWERS: { [K in Command['name']]?: CommandAnswer<Extract<Command, { name: K }>> } = {
  score,
  'score-all': scoreAll,
  trend,
  gap,
  role,
  'forget-me': forgetMe,
};
/** Subcommands that work after the ack (a modal to open, a post, a file): they answer with `respond`. */
const HANDLERS: { [K in Command['name']]?: CommandHandler<Extract<Command, { name: K }>> } = {
  agree,
  setup,
  'pulse-now': pulseNow,
  'digest-now': digestNow,
  export: exportCsv,
};

/**
 * How long an answer may take and still go back in the acknowledgement: Slack
 * waits three seconds for it; past this, the app acknowledges and answers with
 * `response_url` instead.
 */
const ACK_BUDGET_MS = 2_000;

/** The answer, if it is ready within `ms`; undefined otherwise (it keeps going). */
async function within<T>(work: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

const ephemeral = (answer: SlackMessage | string) =>
  typeof answer === 'string'
    ? { response_type: 'ephemeral' as const, text: answer }
    : { response_type: 'ephemeral' as const, ...answer };

/**
 * `/alignment …`: understood with parseCommand and answered privately. Help,
 * mistakes and every answer that is ready within Slack's three seconds go back
 * in the acknowledgement itself (one round trip); work that may take longer
 * (a modal, a post, a file) happens after it and answers with `response_url`.
 */
export function alignmentCommand(ctx: AppContext) {
  return async (args: CommandArgs): Promise<void> => {
    const parsed = parseCommand(args.command.text);
    if (!parsed.ok && parsed.unknown !== true) {
      await args.ack({ response_type: 'ephemeral', text: parsed.message });
      return;
    }
    // Never who typed it: the log must not say who used forget-me, or anything else.
    if (parsed.ok) ctx.logger.debug('slash command', { subcommand: parsed.command.name });
    const answer = answerOf(ctx, args, parsed);
    if (answer !== undefined) {
      const ready = await within(answer, ACK_BUDGET_MS).catch(() => undefined);
      if (ready !== undefined) {
        await args.ack(ephemeral(ready.value));
        return;
      }
      await args.ack();
      await args.respond(ephemeral(await answer));
      return;
    }
    await args.ack();
    if (!parsed.ok) return;
    const { command } = parsed;
    const adminAction = ADMIN_ACTIONS[command.name];
    if (adminAction !== undefined) {
      const admin = await adminOrUnknown(ctx, args);
      if (admin !== true) {
        await reply(
          args.respond,
          admin === undefined
            ? 'Slack could not say just now whether you are an admin. Please try again in a minute.'
            : adminsOnly(ctx, adminAction),
        );
        return;
      }
    }
    const handler = HANDLERS[command.name] as CommandHandler | undefined;
    await handler?.(ctx, args, command);
  };
}

/** The answer of a subcommand answered in the ack; undefined for one that works after it. */
function answerOf(
  ctx: AppContext,
  args: CommandArgs,
  parsed: ReturnType<typeof parseCommand>,
): Promise<SlackMessage | string> | undefined {
  if (!parsed.ok || parsed.command.name === 'help') {
    // Help is role-aware: admins see the admin commands, others do not. If
    // Slack cannot say who is an admin just now, help still comes, without them.
    return isAdmin(ctx, tenantOf(args.context), args.command.user_id)
      .catch((error: unknown) => {
        ctx.logger.warn('help: could not tell whether the person is an admin', {
          error: slackErrorCode(error),
        });
        return false;
      })
      .then((admin) =>
        helpMessage(SUBCOMMANDS, { unknown: parsed.ok ? undefined : parsed.message, admin }),
      );
  }
  const { command } = parsed;
  const answer = ANSWERS[command.name] as CommandAnswer | undefined;
  if (answer === undefined) return undefined;
  const adminAction = ADMIN_ACTIONS[command.name];
  return (async () => {
    if (adminAction !== undefined) {
      const admin = await adminOrUnknown(ctx, args);
      if (admin === undefined)
        return 'Slack could not say just now whether you are an admin. Please try again in a minute.';
      if (!admin) return adminsOnly(ctx, adminAction);
    }
    return answer(ctx, args, command);
  })().catch((error: unknown) => {
    ctx.logger.error('a command failed', {
      subcommand: command.name,
      error: error instanceof Error ? error.message : String(error),
    });
    return cannotReachDatabase(error)
      ? DATABASE_UNREACHABLE
      : 'That did not work just now. Please try again in a minute.';
  });
}

/**
 * Whether the person is an admin; undefined when Slack could not say. A
 * database that cannot be reached is no fault of Slack's: that error goes on,
 * and the person is told so (DATABASE_UNREACHABLE).
 */
function adminOrUnknown(ctx: AppContext, args: CommandArgs): Promise<boolean | undefined> {
  return isAdmin(ctx, tenantOf(args.context), args.command.user_id).catch((error: unknown) => {
    if (cannotReachDatabase(error)) throw error;
    return undefined;
  });
}
