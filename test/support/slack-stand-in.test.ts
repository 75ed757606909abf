import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { SlackSender } from './slack-requests.js';
import { APP_ID, BOT_TOKEN, BOT_USER_ID, SlackStandIn, TEAM_ID } from './slack-stand-in.js';

let standIn: SlackStandIn;
let client: WebClient;
beforeEach(async () => {
  standIn = await SlackStandIn.start();
  client = new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } });
  standIn.addChannel({ id: 'C0LEADERS', name: 'leadership', members: ['U1', 'U2'] });
});
afterEach(() => standIn.stop());

const shapes = join(projectRoot, 'test', 'slack-specs', 'payload-shapes', 'java-slack-sdk');
const shape = (path: string) =>
  JSON.parse(readFileSync(join(shapes, path), 'utf8')) as Record<string, unknown>;

/** Keys of `value` (nested) that Slack's catalogue of payload keys does not know. */
function unknownKeys(value: unknown, catalogue: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    const sample = Array.isArray(catalogue) ? catalogue[0] : undefined;
    return sample === undefined
      ? []
      : value.flatMap((item, i) => unknownKeys(item, sample, `${path}[${i}]`));
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    catalogue === null ||
    typeof catalogue !== 'object'
  )
    return [];
  const known = catalogue as Record<string, unknown>;
  return Object.entries(value).flatMap(([key, inner]) =>
    key in known ? unknownKeys(inner, known[key], `${path}.${key}`) : [`${path}.${key}`],
  );
}

describe('the Slack stand-in', () => {
  it('answers auth.test for the bot token and refuses any other token', async () => {
    expect(await client.auth.test()).toMatchObject({
      ok: true,
      team_id: TEAM_ID,
      user_id: BOT_USER_ID,
    });
    const stranger = new WebClient('xoxb-someone-else', {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('pages conversations.members with next_cursor as Slack does', async () => {
    standIn.addChannel({
      id: 'C0BIG',
      name: 'big',
      members: Array.from({ length: 25 }, (_, i) => `U${i}`),
    });
    const first = await client.conversations.members({ channel: 'C0BIG', limit: 10 });
    expect(first.members).toHaveLength(10);
    const second = await client.conversations.members({
      channel: 'C0BIG',
      limit: 10,
      cursor: first.response_metadata?.next_cursor ?? '',
    });
    const third = await client.conversations.members({
      channel: 'C0BIG',
      limit: 10,
      cursor: second.response_metadata?.next_cursor ?? '',
    });
    expect([...(first.members ?? []), ...(second.members ?? []), ...(third.members ?? [])]).toEqual(
      Array.from({ length: 25 }, (_, i) => `U${i}`),
    );
    expect(third.response_metadata?.next_cursor).toBe('');
  });

  it('posts and updates messages, answering with Slack errors where Slack would', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0LEADERS', text: 'Hello' });
    await client.chat.update({ channel: 'C0LEADERS', ts: posted.ts ?? '', text: 'Hello again' });
    expect(standIn.messagesIn('C0LEADERS')).toMatchObject([{ text: 'Hello again', updates: 1 }]);
    standIn.addChannel({ id: 'C0OUTSIDE', name: 'outside', members: [], botIsMember: false });
    standIn.addChannel({ id: 'C0OLD', name: 'old', members: [], is_archived: true });
    await expect(
      client.chat.postMessage({ channel: 'C0OUTSIDE', text: 'x' }),
    ).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await expect(client.chat.postMessage({ channel: 'C0OLD', text: 'x' })).rejects.toMatchObject({
      data: { error: 'is_archived' },
    });
    await expect(
      client.chat.postMessage({ channel: 'C0NOWHERE', text: 'x' }),
    ).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    expect(standIn.violations()).toEqual([]);
  });

  it('records a call Slack would reject as a violation', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
    await expect(
      client.chat.postMessage({ channel: 'C0LEADERS', text: 'too long', blocks }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
    await expect(client.apiCall('chat.postMessage', { text: 'no channel' })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
    expect(standIn.violations()).toEqual([
      expect.stringContaining('chat.postMessage:'),
      expect.stringMatching(/chat\.postMessage: .*channel/),
    ]);
    expect(standIn.messagesIn('C0LEADERS')).toEqual([]);
  });

  it('lets a trigger_id open one modal, and refuses an expired or reused one', async () => {
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Pulse' },
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Hi' } }],
    };
    const trigger = standIn.mintTriggerId();
    await client.views.open({ trigger_id: trigger, view });
    await expect(client.views.open({ trigger_id: trigger, view })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
    await expect(
      client.views.open({ trigger_id: standIn.mintTriggerId('expired'), view }),
    ).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
    expect(standIn.openedViews).toHaveLength(1);
  });

  it('injects a 429 with Retry-After, which the client waits out and retries', async () => {
    standIn.inject('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    // The client retries a rate-limited call after Retry-After, as one of its retries.
    const patient = new WebClient(BOT_TOKEN, {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 1, minTimeout: 0 },
    });
    const started = Date.now();
    await patient.chat.postMessage({ channel: 'C0LEADERS', text: 'after the limit' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(standIn.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(standIn.messagesIn('C0LEADERS')).toHaveLength(1);
  });

  it('enforces each method’s published tier with 429 and a Retry-After for the rest of the window', async () => {
    standIn.enforceRateLimits();
    const raw = (method: string, body: Record<string, string>) =>
      fetch(`${standIn.apiUrl}${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BOT_TOKEN}` },
        body: new URLSearchParams(body),
      });
    // users.list is Tier 2: 20 calls a minute.
    for (let i = 0; i < 20; i++) expect((await raw('users.list', {})).status).toBe(200);
    const refused = await raw('users.list', {});
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    // Another method has its own allowance; chat.postMessage allows one a second per channel.
    expect((await raw('conversations.members', { channel: 'C0LEADERS' })).status).toBe(200);
    expect((await raw('chat.postMessage', { channel: 'C0LEADERS', text: 'a' })).status).toBe(200);
    expect((await raw('chat.postMessage', { channel: 'C0LEADERS', text: 'b' })).status).toBe(429);
    expect(standIn.rateLimited).toBe(2);
    expect(standIn.minimumTimeMs({ 'conversations.open': 120 })).toBe(120_000);
  });

  it('injects a 500 and an ok:false error, each for the chosen method only', async () => {
    standIn.inject('chat.postMessage', { status: 500 });
    await expect(client.chat.postMessage({ channel: 'C0LEADERS', text: 'x' })).rejects.toThrow();
    standIn.inject('chat.postMessage', { error: 'not_in_channel' }, 2);
    await expect(
      client.chat.postMessage({ channel: 'C0LEADERS', text: 'x' }),
    ).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    expect(await client.auth.test()).toMatchObject({ ok: true });
    await expect(
      client.chat.postMessage({ channel: 'C0LEADERS', text: 'x' }),
    ).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    expect((await client.chat.postMessage({ channel: 'C0LEADERS', text: 'x' })).ok).toBe(true);
  });

  it('refuses to inject an error that Slack never gives for that method', () => {
    expect(() => standIn.inject('users.info', { error: 'is_archived' })).toThrow(
      /lists no error "is_archived"/,
    );
  });

  it('flags a method it does not implement, so the app cannot call it unnoticed', async () => {
    await expect(
      client.apiCall('reactions.add', { channel: 'C0LEADERS', timestamp: '1.2', name: 'tada' }),
    ).rejects.toThrow();
    expect(standIn.violations()).toEqual([
      expect.stringContaining('does not implement reactions.add'),
    ]);
  });

  it('builds requests whose keys are all in Slack’s own payload catalogue', () => {
    const sender = new SlackSender('http://127.0.0.1:1/slack/events', 'secret', standIn);
    const command = sender.commandPayload({ user: 'U1', channel: 'C0LEADERS', text: 'help' });
    expect(unknownKeys(command, shape('app-backend/SlashCommandPayload.json'))).toEqual([]);
    const envelope = sender.eventEnvelope({ type: 'app_uninstalled' });
    const { event: _event, ...wrapper } = envelope;
    const eventCatalogue = shape('events/AppHomeOpenedPayload.json');
    expect(unknownKeys(wrapper, eventCatalogue)).toEqual([]);
    const click = sender.viewButtonClick({
      user: 'U1',
      view: { id: 'V1', blocks: [] },
      actionId: 'a',
      blockId: 'b',
      value: 'v',
      state: {},
    });
    // The catalogue's sample view has no blocks and no state values (the Java SDK
    // types them apart); those two are Block Kit and the form's own state.
    expect(unknownKeys(click, shape('app-backend/BlockActionPayload.json'))).toEqual([
      '.view.blocks',
      '.view.state.values',
    ]);
  });
});

const clientFor = (token: string) =>
  new WebClient(token, { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } });
/** A Web API client without a token, as an app's OAuth code uses one. */
const noToken = () =>
  new WebClient(undefined, { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } });
const slackError = (error: string) => ({ data: { error } });

describe('several workspaces and orgs in one stand-in', () => {
  beforeEach(() => {
    standIn.addWorkspace({ teamId: 'T0BETA01', name: 'Beta Corp' });
    standIn.addWorkspace({
      teamId: 'T0GRIDA1',
      name: 'Grid East',
      enterpriseId: 'E0GRID01',
      enterpriseName: 'Grid Org',
    });
    standIn.addWorkspace({ teamId: 'T0GRIDB1', name: 'Grid West', enterpriseId: 'E0GRID01' });
    standIn.addUser({ id: 'U1', name: 'home-person' });
    standIn.addUser({ id: 'U0BETA1', name: 'beta-person', team_id: 'T0BETA01' });
    standIn.addUser({ id: 'W0EAST1', name: 'east-only', team_id: 'T0GRIDA1' });
    standIn.addUser({
      id: 'W0BOTH1',
      name: 'grid-person',
      team_id: 'T0GRIDA1',
      enterprise_user: {
        enterprise_id: 'E0GRID01',
        enterprise_name: 'Grid Org',
        is_admin: false,
        is_owner: false,
        teams: ['T0GRIDA1', 'T0GRIDB1'],
      },
    });
    standIn.addChannel({ id: 'C0BETA', name: 'beta', members: ['U0BETA1'], team_id: 'T0BETA01' });
    standIn.addChannel({ id: 'C0WEST', name: 'west', members: ['W0BOTH1'], team_id: 'T0GRIDB1' });
  });

  it('gives each workspace install its own bot user and token, which sees only its workspace', async () => {
    const beta = standIn.install({ teamId: 'T0BETA01' });
    expect(beta.botUserId).not.toBe(BOT_USER_ID);
    const client = clientFor(beta.token);
    expect(await client.auth.test()).toMatchObject({
      ok: true,
      url: 'https://beta-corp.slack.com/',
      team: 'Beta Corp',
      team_id: 'T0BETA01',
      user_id: beta.botUserId,
      bot_id: beta.botId,
      is_enterprise_install: false,
    });
    expect((await client.users.info({ user: 'U0BETA1' })).user).toMatchObject({
      id: 'U0BETA1',
      team_id: 'T0BETA01',
    });
    await expect(client.users.info({ user: 'U1' })).rejects.toMatchObject(
      slackError('user_not_found'),
    );
    await expect(client.conversations.members({ channel: 'C0LEADERS' })).rejects.toMatchObject(
      slackError('channel_not_found'),
    );
    await expect(
      client.chat.postMessage({ channel: 'C0LEADERS', text: 'x' }),
    ).rejects.toMatchObject(slackError('channel_not_found'));
    expect((await client.users.list({})).members?.map((m) => m.id).sort()).toEqual(
      [beta.botUserId, 'U0BETA1'].sort(),
    );
    // It posts in its own workspace's channel, which the default token cannot see.
    await expect(
      client.chat.postMessage({ channel: 'C0BETA', text: 'hello' }),
    ).resolves.toMatchObject({
      ok: true,
    });
    await expect(
      clientFor(BOT_TOKEN).chat.postMessage({ channel: 'C0BETA', text: 'x' }),
    ).rejects.toMatchObject(slackError('channel_not_found'));
    expect(standIn.messagesIn('C0BETA')).toMatchObject([
      { user: beta.botUserId, team: 'T0BETA01' },
    ]);
    expect(standIn.callsFrom('T0BETA01').map((c) => c.method)).toContain('auth.test');
    expect(standIn.callsFrom(TEAM_ID).map((c) => c.method)).toEqual(['chat.postMessage']);
  });

  it('lets a workspace token see a Grid person of its workspace, and open a DM with them', async () => {
    const west = standIn.install({ teamId: 'T0GRIDB1' });
    const client = clientFor(west.token);
    expect(await client.auth.test()).toMatchObject({
      team_id: 'T0GRIDB1',
      enterprise_id: 'E0GRID01',
      is_enterprise_install: false,
    });
    expect((await client.users.info({ user: 'W0BOTH1' })).user).toMatchObject({
      enterprise_user: { enterprise_id: 'E0GRID01', teams: ['T0GRIDA1', 'T0GRIDB1'] },
    });
    await expect(client.users.info({ user: 'W0EAST1' })).rejects.toMatchObject(
      slackError('user_not_found'),
    );
    const opened = await client.conversations.open({ users: 'W0BOTH1' });
    expect(standIn.dmChannelOf('W0BOTH1', 'T0GRIDB1')).toBe(opened.channel?.id);
    await client.chat.postMessage({ channel: 'W0BOTH1', text: 'hi' });
    expect(standIn.messagesIn(opened.channel?.id ?? '')).toHaveLength(1);
    // Another bot's DM is not this one's.
    await expect(
      clientFor(BOT_TOKEN).chat.postMessage({ channel: opened.channel?.id ?? '', text: 'x' }),
    ).rejects.toMatchObject(slackError('channel_not_found'));
  });

  it('answers an org-wide token for the whole org, as Slack documents it', async () => {
    const org = standIn.install({ enterpriseId: 'E0GRID01', isEnterpriseInstall: true });
    expect(org).toMatchObject({ isEnterpriseInstall: true, enterpriseId: 'E0GRID01' });
    expect(org.teamId).toBeUndefined();
    expect(org.botUserId).toMatch(/^W/);
    const client = clientFor(org.token);
    expect(await client.auth.test()).toMatchObject({
      url: 'https://grid-org.enterprise.slack.com/',
      team: 'Grid Org',
      team_id: 'E0GRID01',
      enterprise_id: 'E0GRID01',
      user_id: org.botUserId,
      is_enterprise_install: true,
    });
    // It sees every person and channel of the org's workspaces, nothing else.
    expect((await client.users.info({ user: 'W0EAST1' })).ok).toBe(true);
    await expect(client.users.info({ user: 'U0BETA1' })).rejects.toMatchObject(
      slackError('user_not_found'),
    );
    await client.chat.postMessage({ channel: 'C0WEST', text: 'west' });
    await expect(client.chat.postMessage({ channel: 'C0BETA', text: 'x' })).rejects.toMatchObject(
      slackError('channel_not_found'),
    );
    // users.list needs the workspace (team_id) from an org token.
    await expect(client.users.list({})).rejects.toMatchObject(slackError('missing_argument'));
    const west = await client.users.list({ team_id: 'T0GRIDB1' });
    expect(west.members?.map((m) => m.id)).toEqual(expect.arrayContaining(['W0BOTH1']));
    expect(west.members?.map((m) => m.id)).not.toContain('W0EAST1');
    await expect(client.users.list({ team_id: TEAM_ID })).rejects.toMatchObject(
      slackError('team_access_not_granted'),
    );
    expect(standIn.callsFrom('E0GRID01').at(-1)?.team).toBe('E0GRID01');
    // A workspace of that org cannot install the app on its own any more.
    expect(() => standIn.install({ teamId: 'T0GRIDA1' })).toThrow(
      'cannot_install_an_org_installed_app',
    );
    expect(standIn.violations()).toEqual([]);
  });

  it('lists every member of a shared channel, and tells Slack Connect from a multi-workspace channel', async () => {
    standIn.addChannel({
      id: 'C0SHARED',
      name: 'shared',
      members: ['U1', 'U0BETA1'],
      shared_team_ids: ['T0BETA01'],
    });
    standIn.addChannel({
      id: 'C0GRIDALL',
      name: 'grid-all',
      members: ['W0EAST1'],
      team_id: 'T0GRIDA1',
      shared_team_ids: ['T0GRIDB1'],
    });
    const beta = clientFor(standIn.install({ teamId: 'T0BETA01' }).token);
    expect((await beta.conversations.members({ channel: 'C0SHARED' })).members).toEqual([
      'U1',
      'U0BETA1',
    ]);
    expect((await client.conversations.members({ channel: 'C0SHARED' })).members).toHaveLength(2);
    expect(standIn.isExtShared('C0SHARED')).toBe(true);
    expect(standIn.isExtShared('C0GRIDALL')).toBe(false);
    expect(standIn.isExtShared('C0LEADERS')).toBe(false);
  });

  it('takes a trigger only from its own workspace, and names the token’s team in views', async () => {
    const beta = clientFor(standIn.install({ teamId: 'T0BETA01' }).token);
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Pulse' },
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Hi' } }],
    };
    await expect(
      client.views.open({ trigger_id: standIn.mintTriggerId('fresh', 'T0BETA01'), view }),
    ).rejects.toMatchObject(slackError('invalid_trigger_id'));
    const opened = await beta.views.open({
      trigger_id: standIn.mintTriggerId('fresh', 'T0BETA01'),
      view,
    });
    expect(opened.view?.team_id).toBe('T0BETA01');
    const home = await beta.views.publish({
      user_id: 'U0BETA1',
      view: { type: 'home', blocks: view.blocks },
    });
    expect(home.view?.team_id).toBe('T0BETA01');
    await expect(
      beta.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } }),
    ).rejects.toMatchObject(slackError('missing_profile_id'));
  });

  it('keeps rate limits per workspace, and counts calls and 429s per workspace', async () => {
    standIn.enforceRateLimits();
    const beta = standIn.install({ teamId: 'T0BETA01' }).token;
    const raw = (token: string) =>
      fetch(`${standIn.apiUrl}users.list`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    // users.list is Tier 2: 20 a minute in each workspace.
    for (let i = 0; i < 20; i++) expect((await raw(BOT_TOKEN)).status).toBe(200);
    expect((await raw(BOT_TOKEN)).status).toBe(429);
    for (let i = 0; i < 20; i++) expect((await raw(beta)).status).toBe(200);
    expect((await raw(beta)).status).toBe(429);
    expect(standIn.rateLimited).toBe(2);
    expect(Object.fromEntries(standIn.workspaceStats())).toEqual({
      [TEAM_ID]: { calls: 21, rateLimited: 1 },
      T0BETA01: { calls: 21, rateLimited: 1 },
    });
    expect(standIn.rateLimitedIn.get('T0BETA01')).toBe(1);
  });

  it('counts an org-wide token’s calls against the workspace each call acts in', async () => {
    standIn.enforceRateLimits();
    const org = clientFor(
      standIn.install({ enterpriseId: 'E0GRID01', isEnterpriseInstall: true }).token,
    );
    standIn.addChannel({ id: 'C0EAST', name: 'east', members: [], team_id: 'T0GRIDA1' });
    await org.chat.postMessage({ channel: 'C0EAST', text: 'a' });
    await org.chat.postMessage({ channel: 'C0WEST', text: 'b' });
    await org.users.list({ team_id: 'T0GRIDB1' });
    expect(standIn.callsFrom('E0GRID01').map((c) => [c.method, c.workspace])).toEqual([
      ['chat.postMessage', 'T0GRIDA1'],
      ['chat.postMessage', 'T0GRIDB1'],
      ['users.list', 'T0GRIDB1'],
    ]);
  });

  it('injects a fault for one workspace only when asked to', async () => {
    const beta = clientFor(standIn.install({ teamId: 'T0BETA01' }).token);
    standIn.inject('users.info', { error: 'user_not_found' }, 1, { team: 'T0BETA01' });
    expect((await client.users.info({ user: 'U1' })).ok).toBe(true);
    await expect(beta.users.info({ user: 'U0BETA1' })).rejects.toMatchObject(
      slackError('user_not_found'),
    );
    expect((await beta.users.info({ user: 'U0BETA1' })).ok).toBe(true);
  });
});

describe('tokens that stop working', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('auth.revoke revokes the calling token: token_revoked from then on (test=1 only tries)', async () => {
    expect(await client.auth.revoke({ test: true })).toMatchObject({ ok: true, revoked: false });
    expect((await client.auth.test()).ok).toBe(true);
    expect(await client.auth.revoke()).toMatchObject({ ok: true, revoked: true });
    await expect(client.auth.test()).rejects.toMatchObject(slackError('token_revoked'));
    await expect(
      client.chat.postMessage({ channel: 'C0LEADERS', text: 'x' }),
    ).rejects.toMatchObject(slackError('token_revoked'));
    expect(standIn.installationOf(TEAM_ID)).toMatchObject({ active: false, token: undefined });
  });

  it('revokeToken revokes the default token, or a given workspace’s tokens only', async () => {
    standIn.addWorkspace({ teamId: 'T0BETA01', name: 'Beta Corp' });
    const beta = clientFor(standIn.install({ teamId: 'T0BETA01' }).token);
    standIn.revokeToken('account_inactive', 'T0BETA01');
    await expect(beta.auth.test()).rejects.toMatchObject(slackError('account_inactive'));
    expect((await client.auth.test()).ok).toBe(true);
    standIn.revokeToken();
    await expect(client.auth.test()).rejects.toMatchObject(slackError('invalid_auth'));
    expect(() => standIn.revokeToken('invalid_auth', 'T0NOWHERE')).toThrow(/not installed/);
  });

  it('answers token_expired once a rotating token’s time has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
    standIn.configureOAuth({
      clientId: 'cid',
      clientSecret: 'secret',
      tokenRotation: { expiresInSeconds: 43_200 },
    });
    const issued = standIn.install({ teamId: TEAM_ID });
    expect(issued.token).toMatch(/^xoxe\.xoxb-/);
    expect(issued.expiresAt).toBe(Date.parse('2026-03-02T21:00:00Z'));
    const rotating = clientFor(issued.token);
    expect(await rotating.auth.test()).toMatchObject({ ok: true, expires_in: 43_200 });
    vi.setSystemTime(new Date('2026-03-02T21:00:00Z'));
    await expect(rotating.auth.test()).rejects.toMatchObject(slackError('token_expired'));
    expect((await client.auth.test()).ok).toBe(true); // BOT_TOKEN never expires
  });
});

describe('OAuth v2, as Slack does it', () => {
  const REDIRECT = 'https://pulse.example.com/slack/oauth_redirect';
  beforeEach(() => {
    standIn.configureOAuth({ clientId: '111.222', clientSecret: 'shh', redirectUri: REDIRECT });
    standIn.addWorkspace({ teamId: 'T0BETA01', name: 'Beta Corp' });
    standIn.addWorkspace({
      teamId: 'T0GRIDA1',
      name: 'Grid East',
      enterpriseId: 'E0GRID01',
      enterpriseName: 'Grid Org',
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const authorize = (params: Record<string, string>) =>
    fetch(`${standIn.authorizeUrl}?${new URLSearchParams(params)}`, { redirect: 'manual' });
  const ask = (extra: Record<string, string> = {}) =>
    authorize({
      client_id: '111.222',
      scope: 'commands,chat:write',
      state: 'st4te',
      ...extra,
    });
  const codeOf = (response: Response) =>
    new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const exchange = (args: Record<string, string>) =>
    noToken().oauth.v2.access({ client_id: '111.222', client_secret: 'shh', ...args });

  it('sends the person back with a code and the state, and records the scopes asked for', async () => {
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETAADMIN' });
    const page = await ask({ user_scope: 'identity.basic' });
    expect(page.status).toBe(302);
    const back = new URL(page.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st4te');
    expect(back.searchParams.get('code')).toMatch(/\S/);
    expect(standIn.authorizeRequests).toMatchObject([
      {
        clientId: '111.222',
        scopes: ['commands', 'chat:write'],
        userScopes: ['identity.basic'],
        state: 'st4te',
        outcome: 'allow',
        status: 302,
      },
    ]);
  });

  it('answers Cancel with access_denied, an admin-approval workspace with a page, a stranger with 400', async () => {
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U2', outcome: 'cancel' });
    standIn.nextAuthorization({
      teamId: 'T0BETA01',
      installerUserId: 'U3',
      outcome: 'admin_approval_required',
    });
    const cancelled = await ask();
    expect(cancelled.status).toBe(302);
    const back = new URL(cancelled.headers.get('location') ?? '');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st4te');
    expect(back.searchParams.has('code')).toBe(false);
    const approval = await ask();
    expect(approval.status).toBe(200);
    expect(approval.headers.get('location')).toBeNull();
    expect(await approval.text()).toContain('sent to the admins');
    const stranger = await authorize({ client_id: '999.999', scope: 'commands' });
    expect(stranger.status).toBe(400);
    const elsewhere = await ask({ redirect_uri: 'https://evil.example.com/cb' });
    expect(elsewhere.status).toBe(400);
    expect(standIn.violations()).toEqual([
      expect.stringContaining('authorize: unknown client_id'),
      expect.stringContaining('authorize: redirect_uri'),
    ]);
  });

  it('exchanges a code once for a bot token, in the documented shape', async () => {
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETAADMIN' });
    const code = codeOf(await ask());
    const answer = await exchange({ code, redirect_uri: REDIRECT });
    const installed = standIn.installationOf('T0BETA01');
    expect(answer).toMatchObject({
      ok: true,
      access_token: installed?.token,
      token_type: 'bot',
      scope: 'commands,chat:write',
      bot_user_id: installed?.botUserId,
      app_id: APP_ID,
      team: { id: 'T0BETA01', name: 'Beta Corp' },
      enterprise: null,
      is_enterprise_install: false,
      authed_user: { id: 'U0BETAADMIN' },
    });
    expect(answer).not.toHaveProperty('refresh_token');
    expect(await clientFor(String(answer.access_token)).auth.test()).toMatchObject({
      team_id: 'T0BETA01',
    });
    await expect(exchange({ code })).rejects.toMatchObject(slackError('invalid_code'));
    expect(standIn.violations()).toEqual([]);
  });

  it('refuses a wrong client, a wrong secret, a stale code and another redirect_uri', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-17T10:00:00Z'));
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETAADMIN' });
    const code = codeOf(await ask({ redirect_uri: `${REDIRECT}/beta` }));
    await expect(
      noToken().oauth.v2.access({ client_id: '999', client_secret: 'shh', code }),
    ).rejects.toMatchObject(slackError('invalid_client_id'));
    await expect(
      noToken().oauth.v2.access({ client_id: '111.222', client_secret: 'nope', code }),
    ).rejects.toMatchObject(slackError('bad_client_secret'));
    await expect(exchange({ code })).rejects.toMatchObject(slackError('bad_redirect_uri'));
    await expect(exchange({ code, redirect_uri: REDIRECT })).rejects.toMatchObject(
      slackError('bad_redirect_uri'),
    );
    await expect(exchange({ code: 'made-up' })).rejects.toMatchObject(slackError('invalid_code'));
    // Ten minutes later the code is gone.
    vi.setSystemTime(new Date('2026-11-17T10:10:00.001Z'));
    await expect(exchange({ code, redirect_uri: `${REDIRECT}/beta` })).rejects.toMatchObject(
      slackError('invalid_code'),
    );
    expect(standIn.installationOf('T0BETA01')).toBeUndefined();
  });

  it('takes the client credentials by HTTP Basic auth too', async () => {
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETAADMIN' });
    const code = codeOf(await ask());
    const post = (secret: string) =>
      fetch(`${standIn.apiUrl}oauth.v2.access`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`111.222:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ code }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(await post('nope')).toEqual({ ok: false, error: 'bad_client_secret' });
    expect(await post('shh')).toMatchObject({ ok: true, team: { id: 'T0BETA01' } });
  });

  it('keeps the bot user across a reinstall, and answers an org-wide install with team null', async () => {
    for (const installer of ['U0A', 'U0B'])
      standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: installer });
    const first = await exchange({ code: codeOf(await ask()) });
    const second = await exchange({ code: codeOf(await ask()) });
    expect(second.bot_user_id).toBe(first.bot_user_id);
    expect(second.access_token).not.toBe(first.access_token);
    expect(standIn.installationOf('T0BETA01')).toMatchObject({
      installerUserId: 'U0B',
      token: second.access_token,
    });

    standIn.nextAuthorization({
      enterpriseId: 'E0GRID01',
      isEnterpriseInstall: true,
      installerUserId: 'W0ADMIN',
    });
    const org = await exchange({ code: codeOf(await ask()) });
    expect(org).toMatchObject({
      team: null,
      enterprise: { id: 'E0GRID01', name: 'Grid Org' },
      is_enterprise_install: true,
      authed_user: { id: 'W0ADMIN' },
    });
    expect(standIn.installationOf('E0GRID01')?.token).toBe(org.access_token);
    expect(standIn.tokensIssued.map((t) => [t.installation, t.via])).toEqual([
      [TEAM_ID, 'default'],
      ['T0BETA01', 'install'],
      ['T0BETA01', 'install'],
      ['E0GRID01', 'install'],
    ]);
  });

  it('rotates tokens: an expiring xoxe.xoxb token and a single-use refresh token', async () => {
    standIn.configureOAuth({
      clientId: '111.222',
      clientSecret: 'shh',
      redirectUri: REDIRECT,
      tokenRotation: { expiresInSeconds: 43_200 },
    });
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETAADMIN' });
    const installed = await exchange({ code: codeOf(await ask()) });
    expect(installed).toMatchObject({
      access_token: expect.stringMatching(/^xoxe\.xoxb-/),
      expires_in: 43_200,
      refresh_token: expect.stringMatching(/^xoxe-1-/),
    });
    const refresh = String(installed.refresh_token);
    // A refresh that fails twice (as an injected fault), then works.
    standIn.inject('oauth.v2.access', { status: 500 });
    standIn.inject('oauth.v2.access', { error: 'internal_error' });
    await expect(
      exchange({ grant_type: 'refresh_token', refresh_token: refresh }),
    ).rejects.toThrow();
    await expect(
      exchange({ grant_type: 'refresh_token', refresh_token: refresh }),
    ).rejects.toMatchObject(slackError('internal_error'));
    const refreshed = await exchange({ grant_type: 'refresh_token', refresh_token: refresh });
    expect(refreshed).toMatchObject({
      ok: true,
      token_type: 'bot',
      access_token: expect.stringMatching(/^xoxe\.xoxb-/),
      expires_in: 43_200,
      refresh_token: expect.stringMatching(/^xoxe-1-/),
      bot_user_id: installed.bot_user_id,
      team: { id: 'T0BETA01' },
    });
    expect(refreshed.access_token).not.toBe(installed.access_token);
    expect(refreshed.refresh_token).not.toBe(refresh);
    await expect(
      exchange({ grant_type: 'refresh_token', refresh_token: refresh }),
    ).rejects.toMatchObject(slackError('invalid_refresh_token'));
    expect(standIn.installationOf('T0BETA01')).toMatchObject({
      token: refreshed.access_token,
      refreshToken: refreshed.refresh_token,
    });
    expect(standIn.tokensIssued.at(-1)?.via).toBe('refresh');
  });
});
