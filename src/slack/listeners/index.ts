import type { App } from '@slack/bolt';
import type { AppContext } from '../../context.js';
import { HANDLED_ACTIONS, registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import { registerEvents } from './events/index.js';
import { HANDLED_VIEWS, registerViews } from './views/index.js';

/** The bot's whole reach, one surface per line. */
export function registerListeners(app: App, ctx: AppContext): void {
  registerCommands(app, ctx);
  registerActions(app, ctx);
  registerViews(app, ctx);
  registerEvents(app, ctx);
  registerFallbacks(app, ctx);
}

/**
 * Anything else that carries an action or a modal (an old button, a form the
 * bot no longer knows) is acknowledged at once and ignored, so Slack shows no
 * error and nothing changes. Registered last; each listener above has its own id.
 */
function registerFallbacks(app: App, ctx: AppContext): void {
  const ignore = async ({ ack, body }: { ack: () => Promise<void>; body: { type?: string } }) => {
    await ack();
    ctx.logger.debug('ignored a payload no listener takes', { type: body.type });
  };
  app.action({ type: 'block_actions', action_id: notOneOf(HANDLED_ACTIONS) }, ignore);
  app.view({ type: 'view_submission', callback_id: notOneOf(HANDLED_VIEWS) }, ignore);
  app.shortcut(/.*/, ignore);
  app.options(/.*/, async ({ ack }) => ack({ options: [] }));
}

const notOneOf = (ids: readonly string[]) =>
  new RegExp(`^(?!(?:${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$)`);
