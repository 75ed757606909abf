import type { AppContext } from '../../../context.js';
import { DISCIPLINE_LABELS, type Discipline } from '../../../domain/dimensions.js';
import {
  changeDiscipline,
  currentDiscipline,
  setFirstDiscipline,
  standingInPulse,
} from '../../../storage/disciplines.js';
import { openPulsesOfTeam } from '../../../storage/pulses.js';
import { adminsOnly, isAdmin, personInfo } from '../../admins.js';
import { slackErrorCode } from '../../slack-errors.js';
import { tenantOf } from '../../tenant.js';
import type { CommandAnswer } from './command-handler.js';

/**
 * `/alignment role <discipline>`: a person sets their own discipline once.
 * `/alignment role @person <discipline>` (admins): changes anyone's but their
 * own, from their next pulse on. Nobody else can move between groups, so no
 * one can pad a small group to make it show and then subtract their own
 * answers. Nothing it says tells one person another's discipline or side.
 */
export const role: CommandAnswer<{
  name: 'role';
  discipline: Discipline;
  person: string | undefined;
}> = async (ctx, { command, context }, { discipline, person }) => {
  const teamId = tenantOf(context);
  const caller = command.user_id;
  const label = DISCIPLINE_LABELS[discipline];
  const target = person ?? caller;

  if (target === caller) return ownDiscipline(ctx, teamId, caller, discipline);
  if (!(await isAdmin(ctx, teamId, caller))) return adminsOnly(ctx, "change someone's discipline");
  try {
    const found = await personInfo(ctx, teamId, target);
    if (!found.isHuman)
      return `<@${target}> is a bot or a deactivated account: only people answer pulses.`;
  } catch (error) {
    const code = slackErrorCode(error);
    return code === 'user_not_found'
      ? 'Slack does not know that person. Pick them from the list Slack offers as you type @.'
      : 'Slack could not look that person up just now. Please try again in a minute.';
  }
  const when = await changeDiscipline(ctx.db, {
    teamId,
    userId: target,
    discipline,
    changedBy: caller,
    at: ctx.now(),
  });
  ctx.logger.info('discipline changed by an admin', { applies: when });
  // The same answer whether they had one, had this one, or had another: the
  // reply tells nobody what someone's discipline was.
  return `Done: <@${target}> is counted under ${label} from their next pulse on (at once, if they had no discipline yet). Answers already given keep the discipline they were given under.`;
};

/** A person's own discipline: set once; after that an admin changes it, never their own. */
async function ownDiscipline(
  ctx: AppContext,
  teamId: string,
  userId: string,
  discipline: Discipline,
): Promise<string> {
  const label = DISCIPLINE_LABELS[discipline];
  if (await setFirstDiscipline(ctx.db, { teamId, userId, discipline, at: ctx.now() })) {
    // Chosen after a pulse went out without them on its list: it counts from the next one.
    let waiting = false;
    for (const pulse of await openPulsesOfTeam(ctx.db, teamId, ctx.now()))
      if ((await standingInPulse(ctx.db, teamId, userId, pulse)).kind === 'next_pulse') {
        waiting = true;
        break;
      }
    return waiting
      ? `Done: you are counted under ${label} from the next pulse. The pulse open now went out before you chose, so it cannot count you. A discipline is set once; after this only an admin can change it.`
      : `Done: you are counted under ${label}. A discipline is set once; after this only an admin can change it.`;
  }
  const current = await currentDiscipline(ctx.db, teamId, userId);
  if (current === discipline) return `You are already counted under ${label}.`;
  const why = `You are counted under ${current === undefined ? 'a discipline' : DISCIPLINE_LABELS[current]}. A discipline is set once, and nobody changes their own, admins included, so nobody can move into a small group and work out the others' answers.`;
  const admin = await isAdmin(ctx, teamId, userId).catch(() => false);
  return admin
    ? `${why} Ask another admin to change yours: they type \`/alignment role @your-name ${discipline}\`.`
    : `${why} ${adminsOnly(ctx, 'change it')}`;
}
