import type { App, BlockAction } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { ANSWER_PULSE_ACTION } from '../../../views/pulse-message.js';
import { openPulseForm } from './open-pulse-form.js';

/** Every button and menu the bot answers. */
export function registerActions(app: App, ctx: AppContext): void {
  app.action<BlockAction>(
    { type: 'block_actions', action_id: ANSWER_PULSE_ACTION },
    openPulseForm(ctx),
  );
}
