import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import type { SlackConnection } from './app.js';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

export interface HealthState {
  database: 'ok' | 'unavailable';
  slack: SlackConnection;
  /** 'off' when the process was started without schedules (tests drive them by hand). */
  scheduler: 'starting' | 'running' | 'stopped' | 'off';
}

function databaseState(ctx: Pick<AppContext, 'db' | 'logger'>): HealthState['database'] {
  try {
    ctx.db.prepare('SELECT 1').get();
    return 'ok';
  } catch (error) {
    ctx.logger.error('health check: the database did not answer', error);
    return 'unavailable';
  }
}

const reply = (res: ServerResponse, status: number, body: object) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/**
 * GET /healthz, for liveness (Docker's HEALTHCHECK): 200 while the database
 * answers, 503 when it does not. It also says how the app stands with Slack
 * ("connected" or "connecting" in Socket Mode, "http" otherwise) and whether the
 * schedules run, but a Slack outage alone never fails it: an app waiting for
 * Slack to come back must not be killed and restarted for it.
 */
export function healthHandler(
  ctx: Pick<AppContext, 'db' | 'logger' | 'now'>,
  startedAt: Date,
  state: () => Omit<HealthState, 'database'>,
) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    const database = databaseState(ctx);
    const uptimeSeconds = Math.round((ctx.now().getTime() - startedAt.getTime()) / 1000);
    reply(res, database === 'ok' ? 200 : 503, {
      status: database === 'ok' ? 'ok' : 'error',
      database,
      ...state(),
      uptimeSeconds,
    });
  };
}

/**
 * GET /readyz, for readiness (a load balancer, Kubernetes): 200 only when the
 * database answers, Slack is connected (or the app is in HTTP mode) and the
 * schedules run; 503 with the same fields otherwise.
 */
export function readyHandler(
  ctx: Pick<AppContext, 'db' | 'logger'>,
  state: () => Omit<HealthState, 'database'>,
) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    const now = { database: databaseState(ctx), ...state() };
    const ready =
      now.database === 'ok' &&
      now.slack !== 'connecting' &&
      (now.scheduler === 'running' || now.scheduler === 'off');
    reply(res, ready ? 200 : 503, { ready, ...now });
  };
}
