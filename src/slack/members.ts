import type { WebClient } from '@slack/web-api';

export interface SlackPerson {
  id: string;
  isHuman: boolean;
  isAdmin: boolean;
  timezone: string | undefined;
  /** Their home workspace, and on Enterprise Grid their org and every workspace of it they are in. */
  teamId: string | undefined;
  enterpriseId: string | undefined;
  teams: string[];
}

/** The tenant a survey belongs to: a workspace, or (teamId = enterpriseId) an org-wide install's org. */
export interface Tenant {
  teamId: string;
  enterpriseId: string | null;
}

/**
 * Whether a person belongs to the tenant: someone of the workspace (or of the
 * org, for an org-wide install). A person from another company in a channel
 * shared by Slack Connect does not: a survey never asks them.
 */
export function belongsTo(person: SlackPerson, tenant: Tenant): boolean {
  if (tenant.enterpriseId !== null && tenant.teamId === tenant.enterpriseId)
    return person.enterpriseId === tenant.enterpriseId;
  return (
    person.teamId === undefined ||
    person.teamId === tenant.teamId ||
    person.teams.includes(tenant.teamId)
  );
}

type SlackUser = NonNullable<Awaited<ReturnType<WebClient['users']['info']>>['user']>;

/** A Slack user record, reduced to what the bot needs: is this a person, an admin, and where. */
function toPerson(userId: string, user: SlackUser | undefined): SlackPerson {
  return {
    id: userId,
    isHuman:
      user !== undefined &&
      user.is_bot !== true &&
      user.is_app_user !== true &&
      user.deleted !== true &&
      userId !== 'USLACKBOT',
    // On Enterprise Grid the org's admins and owners are admins of every workspace of it.
    isAdmin:
      user?.is_admin === true ||
      user?.is_owner === true ||
      user?.is_primary_owner === true ||
      user?.enterprise_user?.is_admin === true ||
      user?.enterprise_user?.is_owner === true,
    timezone: user?.tz,
    teamId: user?.team_id,
    enterpriseId: user?.enterprise_user?.enterprise_id,
    teams: user?.enterprise_user?.teams ?? [],
  };
}

/** users.info for one person. */
export async function lookUpPerson(client: WebClient, userId: string): Promise<SlackPerson> {
  const { user } = await client.users.info({ user: userId });
  return toPerson(userId, user);
}

/**
 * Up to this many channel members are looked up one by one (users.info, Tier 4,
 * 100+ a minute); a bigger channel reads the workspace's directory instead
 * (users.list, 200 people a page), which costs far fewer calls.
 */
export const LOOK_UP_ONE_BY_ONE = 50;

async function workspacePeople(client: WebClient): Promise<Map<string, SlackPerson>> {
  const people = new Map<string, SlackPerson>();
  let cursor: string | undefined;
  do {
    const page = await client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    for (const user of page.members ?? [])
      if (user.id !== undefined) people.set(user.id, toPerson(user.id, user as SlackUser));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor !== undefined);
  return people;
}

/** Every member of a channel, following conversations.members' cursor to the last page. */
export async function channelMembers(client: WebClient, channel: string): Promise<string[]> {
  const members: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.conversations.members({
      channel,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    members.push(...(page.members ?? []));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor !== undefined);
  return members;
}

/** users.info, where a person Slack will not show this workspace (another company's) is nobody. */
async function lookUpMember(client: WebClient, userId: string): Promise<SlackPerson | undefined> {
  try {
    return await lookUpPerson(client, userId);
  } catch (error) {
    if ((error as { data?: { error?: string } }).data?.error === 'user_not_found') return undefined;
    throw error;
  }
}

/**
 * The people of the tenant in a channel: bots, apps (this one included),
 * deactivated users and people of other companies (a Slack Connect channel)
 * left out.
 */
export async function humanMembers(
  client: WebClient,
  channel: string,
  botUserId: string | undefined,
  tenant: Tenant,
): Promise<string[]> {
  const members = (await channelMembers(client, channel)).filter((id) => id !== botUserId);
  const ours = (p: SlackPerson | undefined): p is SlackPerson =>
    p?.isHuman === true && belongsTo(p, tenant);
  // An org-wide token lists a directory only workspace by workspace: its members are looked up one by one.
  const orgWide = tenant.teamId === tenant.enterpriseId;
  if (members.length <= LOOK_UP_ONE_BY_ONE || orgWide) {
    const people = await Promise.all(members.map((id) => lookUpMember(client, id)));
    return people.filter(ours).map((p) => p.id);
  }
  const directory = await workspacePeople(client);
  // Someone who joined after the directory was read is looked up on their own.
  const missing = members.filter((id) => !directory.has(id));
  for (const person of await Promise.all(missing.map((id) => lookUpMember(client, id))))
    if (person !== undefined) directory.set(person.id, person);
  return members.filter((id) => ours(directory.get(id)));
}
