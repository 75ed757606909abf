import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Installation, type InstallationQuery, type Logger, LogLevel } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clickAddToSlack } from './install-flow.js';
import { SlackSender } from './slack-requests.js';
import { SlackStandIn } from './slack-stand-in.js';

/**
 * The install flow against a bare Bolt app with its own InstallProvider (not
 * this project's app): the browser, the stand-in's authorize page and
 * oauth.v2.access, and requests sent as the new workspace afterwards.
 */

const SECRET = 'install0flow0signing0secret0abc1';
const SCOPES = ['commands', 'chat:write', 'users:read'];

let standIn: SlackStandIn;
let server: Server | undefined;
let appUrl: string;
const stored = new Map<string, Installation>();
const homeOpened: { user: string; team: string | undefined }[] = [];

/** Bolt logs the refused installs as errors; the tests read the pages instead. */
const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

const keyOf = (q: InstallationQuery<boolean>) =>
  q.isEnterpriseInstall && q.enterpriseId !== undefined ? q.enterpriseId : (q.teamId ?? '');

async function startBoltApp(options: { directInstall?: boolean; rotation?: boolean } = {}) {
  const app = new App({
    signingSecret: SECRET,
    clientId: '1234.5678',
    clientSecret: 'client0secret',
    stateSecret: 'state0secret',
    scopes: SCOPES,
    logger: quiet,
    installationStore: {
      storeInstallation: async (installation) => {
        const id = installation.isEnterpriseInstall
          ? installation.enterprise?.id
          : installation.team?.id;
        stored.set(id ?? '', installation as Installation);
      },
      fetchInstallation: async (query) => {
        const found = stored.get(keyOf(query));
        if (found === undefined) throw new Error('not installed');
        return found as Installation<'v1' | 'v2', boolean>;
      },
      deleteInstallation: async (query) => {
        stored.delete(keyOf(query));
      },
    },
    installerOptions: {
      authorizationUrl: new URL('/oauth/v2/authorize', standIn.apiUrl).toString(),
      directInstall: options.directInstall ?? false,
      clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
    },
    clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
  });
  app.event('app_home_opened', async ({ event, client, context }) => {
    homeOpened.push({ user: event.user, team: context.teamId });
    await client.chat.postMessage({ channel: event.user, text: 'Welcome' });
  });
  server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The app's config page on Slack: its client id and secret, its Redirect URL.
  standIn.configureOAuth({
    clientId: '1234.5678',
    clientSecret: 'client0secret',
    redirectUri: `${appUrl}/slack/oauth_redirect`,
    ...(options.rotation === true ? { tokenRotation: { expiresInSeconds: 43_200 } } : {}),
  });
}

beforeEach(async () => {
  standIn = await SlackStandIn.start();
  standIn.addWorkspace({ teamId: 'T0BETA01', name: 'Beta Corp' });
  standIn.addUser({ id: 'U0BETA1', name: 'beta-admin', team_id: 'T0BETA01' });
  stored.clear();
  homeOpened.length = 0;
});
afterEach(async () => {
  vi.useRealTimers();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await standIn.stop();
});

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('clickAddToSlack, against a bare Bolt app', () => {
  it('installs the app: install page, Slack’s page, the callback; the app then works in that workspace', async () => {
    await startBoltApp();
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETA1' });
    const flow = await clickAddToSlack({ appUrl });
    expect(flow.steps.map((s) => [s.kind, s.status])).toEqual([
      ['install', 200],
      ['authorize', 302],
      ['callback', 200],
    ]);
    expect(flow.steps[0]?.setCookies.join()).toContain('slack-app-oauth-state=');
    expect(flow.steps[2]?.cookieSent).toContain(`slack-app-oauth-state=${flow.state}`);
    expect(flow.final.body).toContain('Thank you!');
    expect(standIn.authorizeRequests).toMatchObject([{ scopes: SCOPES, state: flow.state }]);
    const installation = standIn.installationOf('T0BETA01');
    expect(stored.get('T0BETA01')?.bot).toMatchObject({
      token: installation?.token,
      userId: installation?.botUserId,
      id: installation?.botId,
    });
    expect(standIn.violations()).toEqual([]);

    // Slack now sends the app events from that workspace; Bolt answers with its token.
    const beta = new SlackSender(`${appUrl}/slack/events`, SECRET, standIn).as({
      teamId: 'T0BETA01',
    });
    expect(
      (await beta.event({ type: 'app_home_opened', user: 'U0BETA1', tab: 'home' })).status,
    ).toBe(200);
    await until(() => standIn.callsTo('chat.postMessage').length > 0);
    expect(homeOpened).toEqual([{ user: 'U0BETA1', team: 'T0BETA01' }]);
    expect(standIn.callsTo('chat.postMessage')).toMatchObject([
      { status: 200, team: 'T0BETA01', token: installation?.token },
    ]);
    expect(standIn.messagesIn(standIn.dmChannelOf('U0BETA1', 'T0BETA01') ?? '')).toHaveLength(1);
    expect(standIn.violations()).toEqual([]);
  });

  it('follows a direct-install redirect straight to Slack’s page', async () => {
    await startBoltApp({ directInstall: true });
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETA1' });
    const flow = await clickAddToSlack({ appUrl });
    expect(flow.steps.map((s) => [s.kind, s.status])).toEqual([
      ['install', 302],
      ['authorize', 302],
      ['callback', 200],
    ]);
    expect(standIn.installationOf('T0BETA01')?.active).toBe(true);
  });

  it('ends on Slack’s page when an admin must approve, and installs nothing on Cancel', async () => {
    await startBoltApp();
    standIn.nextAuthorization({
      teamId: 'T0BETA01',
      installerUserId: 'U0BETA1',
      outcome: 'admin_approval_required',
    });
    standIn.nextAuthorization({
      teamId: 'T0BETA01',
      installerUserId: 'U0BETA1',
      outcome: 'cancel',
    });
    const waiting = await clickAddToSlack({ appUrl });
    expect(waiting.final).toMatchObject({ kind: 'authorize', status: 200 });
    expect(waiting.callbackUrl).toBeUndefined();
    const cancelled = await clickAddToSlack({ appUrl });
    expect(new URL(cancelled.callbackUrl ?? '').searchParams.get('error')).toBe('access_denied');
    expect(cancelled.final.kind).toBe('callback');
    expect(cancelled.final.status).not.toBe(200);
    expect(standIn.callsTo('oauth.v2.access')).toEqual([]);
    expect(standIn.installationOf('T0BETA01')).toBeUndefined();
  });

  it('lets a test forge the state or drop the cookie: the app refuses before exchanging the code', async () => {
    await startBoltApp();
    for (let i = 0; i < 2; i++)
      standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETA1' });
    const forged = await clickAddToSlack({ appUrl, forgeState: true });
    expect(forged.final).toMatchObject({ kind: 'callback', status: 400 });
    expect(forged.final.body).toContain('invalid_state');
    const noCookie = await clickAddToSlack({ appUrl, dropCookie: true });
    expect(noCookie.final.cookieSent).toBeUndefined();
    expect(noCookie.final.status).toBe(400);
    expect(standIn.callsTo('oauth.v2.access')).toEqual([]);
  });

  it('lets a test wait until the state expired, and replay a code', async () => {
    await startBoltApp();
    for (let i = 0; i < 2; i++)
      standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETA1' });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-17T10:00:00Z'));
    const late = await clickAddToSlack({
      appUrl,
      beforeCallback: () => {
        vi.setSystemTime(new Date('2026-11-17T10:11:00Z'));
      },
    });
    expect(late.final.status).not.toBe(200);
    expect(standIn.callsTo('oauth.v2.access')).toEqual([]);
    vi.useRealTimers();

    const replayed = await clickAddToSlack({ appUrl, replayCode: true });
    expect(replayed.final.status).toBe(200);
    expect(replayed.replay?.status).toBe(500);
    expect(standIn.callsTo('oauth.v2.access').map((c) => c.response.error ?? 'ok')).toEqual([
      'ok',
      'invalid_code',
    ]);
  });

  it('with token rotation, Bolt refreshes an expiring token through the stand-in', async () => {
    await startBoltApp({ rotation: true });
    standIn.nextAuthorization({ teamId: 'T0BETA01', installerUserId: 'U0BETA1' });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-17T09:00:00Z'));
    await clickAddToSlack({ appUrl });
    const first = standIn.installationOf('T0BETA01');
    expect(first?.token).toMatch(/^xoxe\.xoxb-/);
    // Eleven hours on, the token expires within Bolt's two-hour window: it refreshes first.
    vi.setSystemTime(new Date('2026-11-17T20:00:00Z'));
    const beta = new SlackSender(`${appUrl}/slack/events`, SECRET, standIn).as({
      teamId: 'T0BETA01',
    });
    await beta.event({ type: 'app_home_opened', user: 'U0BETA1', tab: 'home' });
    await until(() => standIn.callsTo('chat.postMessage').length > 0);
    const refreshed = standIn.installationOf('T0BETA01');
    expect(refreshed?.token).not.toBe(first?.token);
    expect(standIn.tokensIssued.at(-1)?.via).toBe('refresh');
    expect(standIn.callsTo('chat.postMessage')).toMatchObject([
      { status: 200, token: refreshed?.token },
    ]);
    expect(stored.get('T0BETA01')?.bot?.refreshToken).toBe(refreshed?.refreshToken);
  });
});
