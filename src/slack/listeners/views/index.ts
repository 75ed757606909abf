import type { App } from '@slack/bolt';
import type { AppContext } from '../../../context.js';
import {
  AGREEMENT_CALLBACK,
  DROPPED_CALLBACK,
  KEEP_GOING_CALLBACK,
} from '../../../views/agreements.js';
import { PULSE_MODAL_CALLBACK } from '../../../views/pulse-modal.js';
import { SETUP_CALLBACK } from '../../../views/setup-modal.js';
import { recordAgreement, saveDropped, saveNewReviewDate } from './agreements.js';
import { saveSetup } from './save-setup.js';
import { submitPulse } from './submit-pulse.js';

/** The modal callback ids answered below; anything else is acknowledged and ignored. */
export const HANDLED_VIEWS = [
  PULSE_MODAL_CALLBACK,
  SETUP_CALLBACK,
  AGREEMENT_CALLBACK,
  KEEP_GOING_CALLBACK,
  DROPPED_CALLBACK,
] as const;

/** Every modal submission the bot answers. */
export function registerViews(app: App, ctx: AppContext): void {
  app.view({ type: 'view_submission', callback_id: PULSE_MODAL_CALLBACK }, submitPulse(ctx));
  app.view({ type: 'view_submission', callback_id: SETUP_CALLBACK }, saveSetup(ctx));
  app.view({ type: 'view_submission', callback_id: AGREEMENT_CALLBACK }, recordAgreement(ctx));
  app.view({ type: 'view_submission', callback_id: KEEP_GOING_CALLBACK }, saveNewReviewDate(ctx));
  app.view({ type: 'view_submission', callback_id: DROPPED_CALLBACK }, saveDropped(ctx));
}
