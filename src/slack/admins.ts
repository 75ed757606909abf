import type { AppContext } from '../context.js';
import { lookUpPerson, type SlackPerson } from './members.js';

const CACHE_MS = 5 * 60_000;
/** A failed look-up is remembered this long, so a Slack outage costs one call a minute, not one a command. */
const FAILURE_MS = 60_000;
type Entry = { person: SlackPerson; until: number } | { failure: unknown; until: number };
const cache = new WeakMap<AppContext, Map<string, Entry>>();

/**
 * users.info for a person, remembered for five minutes so commands stay fast
 * (an admin's status is asked on most commands); a failure is remembered for a
 * minute and given again without asking Slack.
 */
export async function personInfo(ctx: AppContext, userId: string): Promise<SlackPerson> {
  let entries = cache.get(ctx);
  if (entries === undefined) {
    entries = new Map();
    cache.set(ctx, entries);
  }
  const now = ctx.now().getTime();
  const hit = entries.get(userId);
  if (hit !== undefined && hit.until > now) {
    if ('person' in hit) return hit.person;
    throw hit.failure;
  }
  try {
    const person = await lookUpPerson(ctx.slack, userId);
    entries.set(userId, { person, until: now + CACHE_MS });
    return person;
  } catch (failure) {
    entries.set(userId, { failure, until: now + FAILURE_MS });
    throw failure;
  }
}

/** Admins: the users in ADMIN_USER_IDS, and the workspace's admins and owners. */
export async function isAdmin(ctx: AppContext, userId: string): Promise<boolean> {
  if (ctx.config.adminUserIds.includes(userId)) return true;
  return (await personInfo(ctx, userId)).isAdmin;
}

/** The sentence a non-admin gets: who can do this instead. */
export function adminsOnly(ctx: AppContext, action: string): string {
  const named = ctx.config.adminUserIds.map((id) => `<@${id}>`);
  const who =
    named.length > 0 ? `${named.join(', ')} or a workspace admin` : 'a workspace admin or owner';
  return `Only admins can ${action}. Ask ${who}.`;
}
