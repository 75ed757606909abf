import type { WebClient } from '@slack/web-api';

export interface SlackPerson {
  id: string;
  isHuman: boolean;
  isAdmin: boolean;
  timezone: string | undefined;
}

/** users.info, reduced to what the bot needs: is this a person, an admin, and where. */
export async function lookUpPerson(client: WebClient, userId: string): Promise<SlackPerson> {
  const { user } = await client.users.info({ user: userId });
  return {
    id: userId,
    isHuman:
      user !== undefined &&
      user.is_bot !== true &&
      user.is_app_user !== true &&
      user.deleted !== true &&
      userId !== 'USLACKBOT',
    isAdmin: user?.is_admin === true || user?.is_owner === true || user?.is_primary_owner === true,
    timezone: user?.tz,
  };
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
  const people = await Promise.all(members.map((id) => lookUpPerson(client, id)));
  return people.filter((p) => p.isHuman).map((p) => p.id);
}
