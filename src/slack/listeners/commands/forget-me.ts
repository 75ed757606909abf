import { countOwn } from '../../../storage/answers.js';
import { forgetMeQuestion } from '../../../views/forget-me.js';
import type { CommandAnswer } from './command-handler.js';

/** `/alignment forget-me`: asks first; the buttons do the rest (actions/forget-me.ts). */
export const forgetMe: CommandAnswer<{ name: 'forget-me' }> = async (ctx, { command }) =>
  forgetMeQuestion(countOwn(ctx.db, command.team_id, command.user_id));
