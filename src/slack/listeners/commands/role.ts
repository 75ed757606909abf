import { DISCIPLINE_LABELS, type Discipline } from '../../../domain/dimensions.js';
import { setDiscipline } from '../../../storage/answers.js';
import { type CommandHandler, reply } from './command-handler.js';

/** `/alignment role <discipline>`: the person's own discipline, from their next answer on. */
export const role: CommandHandler<{ name: 'role'; discipline: Discipline }> = async (
  ctx,
  { command, respond },
  { discipline },
) => {
  setDiscipline(ctx.db, command.team_id, command.user_id, discipline);
  await reply(
    respond,
    `Done: you are counted under ${DISCIPLINE_LABELS[discipline]} from your next answer. Answers you already gave keep the discipline they were given with.`,
  );
};
