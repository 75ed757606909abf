import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';

export const HEALTH_PATH = '/healthz';

/**
 * GET /healthz: 200 with a small JSON body when the database answers, 503 when
 * it does not. Docker's HEALTHCHECK and load balancers poll it.
 */
export function healthHandler(ctx: Pick<AppContext, 'db' | 'logger' | 'now'>, startedAt: Date) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    let status = 200;
    let database = 'ok';
    try {
      ctx.db.prepare('SELECT 1').get();
    } catch (error) {
      status = 503;
      database = 'unavailable';
      ctx.logger.error('health check: the database did not answer', error);
    }
    const uptimeSeconds = Math.round((ctx.now().getTime() - startedAt.getTime()) / 1000);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'error', database, uptimeSeconds }));
  };
}
