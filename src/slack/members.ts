import type { WebClient } from '@slack/web-api';

export interface SlackPerson {
  id: string;
  isHuman: boolean;
  isAdmin: boolean;
  timezone: string | undefined;
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

/** The people in a channel: bots, apps (this one included) and deactivated users left out. */
export async function humanMembers(
  client: WebClient,
  channel: string,
  botUserId: string | undefined,
): Promise<string[]> {
  const members = (await channelMembers(client, channel)).filter((id) => id !== botUserId);
  if (members.length <= LOOK_UP_ONE_BY_ONE) {
    const people = await Promise.all(members.map((id) => lookUpPerson(client, id)));
    return people.filter((p) => p.isHuman).map((p) => p.id);
  }
  const directory = await workspacePeople(client);
  // Someone who joined after the directory was read is looked up on their own.
  const missing = members.filter((id) => !directory.has(id));
  for (const person of await Promise.all(missing.map((id) => lookUpPerson(client, id))))
    directory.set(person.id, person);
  return members.filter((id) => directory.get(id)?.isHuman === true);
}
