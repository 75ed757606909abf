import type { AppContext } from '../context.js';
import { getWorkspace } from '../storage/workspaces.js';
import { lookUpPerson, type SlackPerson } from './members.js';

const CACHE_MS = 5 * 60_000;
/** A failed look-up is remembered this long, so a Slack outage costs one call a minute, not one a command. */
const FAILURE_MS = 60_000;
type Entry = { person: SlackPerson; until: number } | { failure: unknown; until: number };
/** Keyed by tenant and person: an id means one person in one tenant only. */
const cache = new WeakMap<AppContext, Map<string, Entry>>();

/**
 * users.info for a person, remembered for five minutes so commands stay fast
 * (an admin's status is asked on most commands); a failure is remembered for a
 * minute and given again without asking Slack.
 */
export async function personInfo(
  ctx: AppContext,
  teamId: string,
  userId: string,
): Promise<SlackPerson> {
  let entries = cache.get(ctx);
  if (entries === undefined) {
    entries = new Map();
    cache.set(ctx, entries);
  }
  const now = ctx.now().getTime();
  const key = `${teamId} ${userId}`;
  const hit = entries.get(key);
  if (hit !== undefined && hit.until > now) {
    if ('person' in hit) return hit.person;
    throw hit.failure;
  }
  try {
    const person = await lookUpPerson(await ctx.slackFor(teamId), userId);
    entries.set(key, { person, until: now + CACHE_MS });
    return person;
  } catch (failure) {
    entries.set(key, { failure, until: now + FAILURE_MS });
    throw failure;
  }
}

/**
 * Admins of a tenant: the users in ADMIN_USER_IDS (single-workspace mode), the
 * person who installed the app there (OAuth mode), and the workspace's admins
 * and owners (on Enterprise Grid, the org's admins and owners too).
 */
export async function isAdmin(ctx: AppContext, teamId: string, userId: string): Promise<boolean> {
  if (ctx.config.adminUserIds.includes(userId)) return true;
  if ((await getWorkspace(ctx.db, teamId))?.installedBy === userId) return true;
  try {
    return (await personInfo(ctx, teamId, userId)).isAdmin;
  } catch (error) {
    // Someone Slack does not show this workspace (another company's admin) is not its admin.
    if ((error as { data?: { error?: string } }).data?.error === 'user_not_found') return false;
    throw error;
  }
}

/** The sentence a non-admin gets: who can do this instead. */
export function adminsOnly(ctx: AppContext, action: string): string {
  const named = ctx.config.adminUserIds.map((id) => `<@${id}>`);
  const who =
    named.length > 0
      ? `${named.join(', ')} or a workspace admin`
      : ctx.config.slack.oauth === undefined
        ? 'a workspace admin or owner'
        : 'a workspace admin or owner, or whoever installed Alignment Pulse';
  return `Only admins can ${action}. Ask ${who}.`;
}
