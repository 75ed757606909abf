import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { SlackSender } from './slack-requests.js';
import { BOT_TOKEN, BOT_USER_ID, SlackStandIn, TEAM_ID } from './slack-stand-in.js';

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
