import { countOwn } from '../../../storage/answers.js';
import { forgetMeQuestion } from '../../../views/forget-me.js';
import { tenantOf } from '../../tenant.js';
import type { CommandAnswer } from './command-handler.js';

/** `/alignment forget-me`: asks first; the buttons do the rest (actions/forget-me.ts). */
export const forgetMe: CommandAnswer<{ name: 'forget-me' }> = async (ctx, { command, context }) =>
  forgetMeQuestion(await countOwn(ctx.db, tenantOf(context), command.user_id));
