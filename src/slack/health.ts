import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { describeError } from '../errors.js';
import type { SlackConnection } from './app.js';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

export interface HealthState {
  database: 'ok' | 'unavailable';
  slack: SlackConnection;
  /** 'off' when the process was started without schedules (tests drive them by hand). */
  scheduler: 'starting' | 'running' | 'stopped' | 'off';
}

/** How long the database has to answer a check: well within Docker's HEALTHCHECK time-out (5 s). */
const DATABASE_CHECK_MS = 2_000;

/**
 * Whether the database answers a query: the SQLite file, or the Postgres
 * server (unreachable, refusing, or too slow to answer is 'unavailable').
 */
async function databaseState(
  ctx: Pick<AppContext, 'db' | 'logger'>,
): Promise<HealthState['database']> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${DATABASE_CHECK_MS} ms`)),
      DATABASE_CHECK_MS,
    );
  });
  try {
    await Promise.race([sql`SELECT 1`.execute(ctx.db), late]);
    return 'ok';
  } catch (error) {
    // One line: a probe repeats every few seconds while the database is away.
    ctx.logger.error('health check: the database did not answer', {
      error: describeError(error),
    });
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

const reply = (res: ServerResponse, status: number, body: object) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** Answers a check once its work is done; a check that fails itself answers 500. */
function answer(
  ctx: Pick<AppContext, 'logger'>,
  res: ServerResponse,
  work: () => Promise<{ status: number; body: object }>,
): void {
  work().then(
    ({ status, body }) => reply(res, status, body),
    (error: unknown) => {
      ctx.logger.error('health check failed', error);
      if (!res.headersSent) reply(res, 500, { status: 'error' });
    },
  );
}

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
  return (_req: IncomingMessage, res: ServerResponse): void =>
    answer(ctx, res, async () => {
      const database = await databaseState(ctx);
      const uptimeSeconds = Math.round((ctx.now().getTime() - startedAt.getTime()) / 1000);
      return {
        status: database === 'ok' ? 200 : 503,
        body: {
          status: database === 'ok' ? 'ok' : 'error',
          database,
          ...state(),
          uptimeSeconds,
        },
      };
    });
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
  return (_req: IncomingMessage, res: ServerResponse): void =>
    answer(ctx, res, async () => {
      const now = { database: await databaseState(ctx), ...state() };
      const ready =
        now.database === 'ok' &&
        now.slack !== 'connecting' &&
        (now.scheduler === 'running' || now.scheduler === 'off');
      return { status: ready ? 200 : 503, body: { ready, ...now } };
    });
}
