import { subHours } from 'date-fns/subHours';
import type { AppContext } from '../context.js';
import { slackErrorCode } from '../slack/slack-errors.js';
import {
  type DeliveryFailure,
  markTold,
  toldSince,
  untoldFailures,
} from '../storage/delivery-failures.js';
import { surveyCreator } from '../storage/surveys.js';
import { getWorkspace } from '../storage/workspaces.js';
import { adminAlertMessage } from '../views/admin-alert.js';
import { openDm } from './deliver.js';

/** The same problem is told again at most this often. */
const RETELL_AFTER_HOURS = 24;
/** A passing fault (Slack down, a time-out) is told only once it has lasted this long. */
const TRANSIENT_TOLD_AFTER_MINUTES = 60;
/** A passing fault that did not come back for this long is dropped untold. */
const TRANSIENT_FORGOTTEN_AFTER_HOURS = 3;

const TRANSIENT =
  /^(ratelimited|request_failed|request_timeout|internal_error|fatal_error|service_unavailable|http_5\d\d)$/;

const minutes = (from: string, to: string | Date) =>
  (new Date(to).getTime() - new Date(from).getTime()) / 60_000;

/**
 * Which untold failures to tell now, and which to mark told (told now, or
 * dropped). A problem an admin can fix (the bot left a channel, the token was
 * revoked) is told at once. A passing fault is told only when the scheduler's
 * retries an hour apart still met it; one that went away is dropped; a rate
 * limit never needs a person.
 */
async function triage(ctx: AppContext, failures: DeliveryFailure[], now: Date) {
  const tell: DeliveryFailure[] = [];
  const settled: DeliveryFailure[] = [];
  const byProblem = new Map<string, DeliveryFailure[]>();
  for (const f of failures) {
    const key = `${f.action} ${f.error} ${f.channelId ?? ''}`;
    byProblem.set(key, [...(byProblem.get(key) ?? []), f]);
  }
  for (const same of byProblem.values()) {
    const first = same[0];
    const last = same.at(-1);
    if (first === undefined || last === undefined) continue;
    const told = () => toldSince(ctx.db, first, subHours(now, RETELL_AFTER_HOURS));
    if (first.error === 'ratelimited') settled.push(...same);
    else if (!TRANSIENT.test(first.error)) {
      settled.push(...same);
      if (!(await told())) tell.push(first);
    } else if (minutes(first.occurredAt, last.occurredAt) >= TRANSIENT_TOLD_AFTER_MINUTES) {
      settled.push(...same);
      if (!(await told())) tell.push(first);
    } else if (minutes(first.occurredAt, now) >= TRANSIENT_FORGOTTEN_AFTER_HOURS * 60) {
      settled.push(...same);
    }
  }
  return { tell, settled };
}

/**
 * Tells admins, by one DM each, about Slack calls that failed: the admins named
 * in ADMIN_USER_IDS, the person who set the survey up and whoever installed the app. Each problem is told
 * once, not once per retry (again after a day if it lasts). Runs on the
 * scheduler's minute tick.
 */
export async function notifyAdmins(ctx: AppContext): Promise<number> {
  const untold = await untoldFailures(ctx.db);
  if (untold.length === 0) return 0;
  const now = ctx.now();
  const groups = new Map<string, DeliveryFailure[]>();
  for (const f of untold) {
    const key = `${f.teamId} ${f.surveyId ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  let sent = 0;
  for (const failures of groups.values()) {
    const first = failures[0];
    if (first === undefined) continue;
    const triaged = await triage(ctx, failures, now);
    // Marked before sending: a crash mid-way loses a DM rather than repeating it.
    // What another instance marked first is its to tell.
    const marked = new Set(
      await markTold(
        ctx.db,
        triaged.settled.map((f) => f.id),
        now,
      ),
    );
    const tell = triaged.tell.filter((f) => marked.has(f.id));
    if (tell.length === 0) continue;
    const creator =
      first.surveyId === null ? undefined : await surveyCreator(ctx.db, first.surveyId);
    const installer = (await getWorkspace(ctx.db, first.teamId))?.installedBy ?? undefined;
    const admins = [
      ...new Set([
        ...ctx.config.adminUserIds,
        ...(creator ? [creator] : []),
        ...(installer ? [installer] : []),
      ]),
    ];
    const message = adminAlertMessage(
      failures.filter((f) => tell.some((t) => t.action === f.action && t.error === f.error)),
    );
    for (const admin of admins) {
      try {
        const slack = await ctx.slackFor(first.teamId);
        const channel = await openDm(slack, admin);
        await slack.chat.postMessage({ channel, ...message });
        sent++;
      } catch (error) {
        ctx.logger.warn('could not tell an admin about a delivery problem', {
          admin,
          error: slackErrorCode(error),
        });
      }
    }
  }
  return sent;
}
