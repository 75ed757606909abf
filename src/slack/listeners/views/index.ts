import type { App } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import { PULSE_MODAL_CALLBACK } from '../../../views/pulse-modal.js';
import { submitPulse } from './submit-pulse.js';

/** Every modal submission the bot answers. */
export function registerViews(app: App, ctx: AppContext): void {
  app.view({ type: 'view_submission', callback_id: PULSE_MODAL_CALLBACK }, submitPulse(ctx));
}
