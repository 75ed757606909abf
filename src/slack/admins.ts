import type { AppContext } from '../context.js';
import { lookUpPerson, type SlackPerson } from './members.js';

const CACHE_MS = 5 * 60_000;
const cache = new WeakMap<AppContext, Map<string, { person: SlackPerson; until: number }>>();

/** users.info for a person, remembered for five minutes so commands stay fast. */
export async function personInfo(ctx: AppContext, userId: string): Promise<SlackPerson> {
  let entries = cache.get(ctx);
  if (entries === undefined) {
    entries = new Map();
    cache.set(ctx, entries);
  }
  const now = ctx.now().getTime();
  const hit = entries.get(userId);
  if (hit !== undefined && hit.until > now) return hit.person;
  const person = await lookUpPerson(ctx.slack, userId);
  entries.set(userId, { person, until: now + CACHE_MS });
  return person;
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
