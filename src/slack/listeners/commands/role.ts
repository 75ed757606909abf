import { DISCIPLINE_LABELS, type Discipline } from '../../../domain/dimensions.js';
import {
  changeDiscipline,
  currentDiscipline,
  setFirstDiscipline,
} from '../../../storage/disciplines.js';
import { adminsOnly, isAdmin, personInfo } from '../../admins.js';
import { slackErrorCode } from '../../slack-errors.js';
import { type CommandHandler, reply } from './command-handler.js';

/**
 * `/alignment role <discipline>`: a person sets their own discipline once.
 * `/alignment role @person <discipline>` (admins): changes anyone's, from their
 * next pulse on. Nobody else can move between groups, so no one can pad a small
 * group to make it show and then subtract their own answers.
 */
export const role: CommandHandler<{
  name: 'role';
  discipline: Discipline;
  person: string | undefined;
}> = async (ctx, { command, respond }, { discipline, person }) => {
  const teamId = command.team_id;
  const caller = command.user_id;
  const label = DISCIPLINE_LABELS[discipline];
  const target = person ?? caller;
  const admin = await isAdmin(ctx, caller);

  if (target === caller && !admin) {
    if (setFirstDiscipline(ctx.db, teamId, caller, discipline)) {
      await reply(
        respond,
        `Done: you are counted under ${label}. A discipline is set once; after this only an admin can change it.`,
      );
      return;
    }
    const current = currentDiscipline(ctx.db, teamId, caller);
    if (current === discipline) {
      await reply(respond, `You are already counted under ${label}.`);
      return;
    }
    await reply(
      respond,
      `You are counted under ${current === undefined ? 'a discipline' : DISCIPLINE_LABELS[current]}. A discipline is set once, so nobody can move into a small group and work out the others' answers. ${adminsOnly(ctx, 'change it')} They can type \`/alignment role @you ${discipline}\`.`,
    );
    return;
  }
  if (!admin) {
    await reply(respond, adminsOnly(ctx, "change someone's discipline"));
    return;
  }
  if (target !== caller) {
    try {
      const found = await personInfo(ctx, target);
      if (!found.isHuman) {
        await reply(
          respond,
          `<@${target}> is a bot or a deactivated account: only people answer pulses.`,
        );
        return;
      }
    } catch (error) {
      const code = slackErrorCode(error);
      await reply(
        respond,
        code === 'user_not_found'
          ? 'Slack does not know that person. Pick them from the list Slack offers as you type @.'
          : 'Slack could not look that person up just now. Please try again in a minute.',
      );
      return;
    }
  }
  const who = target === caller ? 'you are' : `<@${target}> is`;
  if (currentDiscipline(ctx.db, teamId, target) === discipline) {
    const already = target === caller ? 'You are' : `<@${target}> is`;
    await reply(respond, `${already} already counted under ${label}.`);
    return;
  }
  const when = changeDiscipline(ctx.db, {
    teamId,
    userId: target,
    discipline,
    changedBy: caller,
    at: ctx.now(),
  });
  ctx.logger.info('discipline changed by an admin', { applies: when });
  await reply(
    respond,
    when === 'now'
      ? `Done: ${who} counted under ${label}.`
      : `Done: ${who} counted under ${label} from the next pulse on. Answers already given keep the discipline they were given under.`,
  );
};
