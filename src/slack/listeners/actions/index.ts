import type { App, BlockAction } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import {
  AGREEMENT_DONE_ACTION,
  AGREEMENT_DROP_ACTION,
  AGREEMENT_KEEP_ACTION,
  RECORD_AGREEMENT_ACTION,
} from '../../../views/agreements.js';
import { FORGET_ME_CANCEL_ACTION, FORGET_ME_CONFIRM_ACTION } from '../../../views/forget-me.js';
import { HOME_EDIT_SETUP_ACTION, HOME_ROLE_ACTION } from '../../../views/home.js';
import { ANSWER_PULSE_ACTION } from '../../../views/pulse-message.js';
import { SETUP_SCHEDULE_MODE_ACTION } from '../../../views/setup-modal.js';
import { askNewDate, askWhyDropped, markDone, recordFromButton } from './agreements.js';
import { cancelForgetMe, confirmForgetMe } from './forget-me.js';
import { changeRoleFromHome, editSetupFromHome } from './home.js';
import { openPulseForm } from './open-pulse-form.js';
import { switchScheduleMode } from './setup-mode.js';

/** The action ids answered below; anything else is acknowledged and ignored. */
export const HANDLED_ACTIONS = [
  ANSWER_PULSE_ACTION,
  FORGET_ME_CONFIRM_ACTION,
  FORGET_ME_CANCEL_ACTION,
  HOME_ROLE_ACTION,
  HOME_EDIT_SETUP_ACTION,
  SETUP_SCHEDULE_MODE_ACTION,
  RECORD_AGREEMENT_ACTION,
  AGREEMENT_DONE_ACTION,
  AGREEMENT_KEEP_ACTION,
  AGREEMENT_DROP_ACTION,
] as const;

/** Every button and menu the bot answers. */
export function registerActions(app: App, ctx: AppContext): void {
  const on = (actionId: string, listener: Parameters<typeof app.action<BlockAction>>[1]) =>
    app.action<BlockAction>({ type: 'block_actions', action_id: actionId }, listener);
  on(ANSWER_PULSE_ACTION, openPulseForm(ctx));
  on(FORGET_ME_CONFIRM_ACTION, confirmForgetMe(ctx));
  on(FORGET_ME_CANCEL_ACTION, cancelForgetMe());
  on(HOME_ROLE_ACTION, changeRoleFromHome(ctx));
  on(HOME_EDIT_SETUP_ACTION, editSetupFromHome(ctx));
  on(SETUP_SCHEDULE_MODE_ACTION, switchScheduleMode(ctx));
  on(RECORD_AGREEMENT_ACTION, recordFromButton(ctx));
  on(AGREEMENT_DONE_ACTION, markDone(ctx));
  on(AGREEMENT_KEEP_ACTION, askNewDate(ctx));
  on(AGREEMENT_DROP_ACTION, askWhyDropped(ctx));
}
