import { type RawBuilder, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { all, one, run } from '../support/db.js';
import { clickAddToSlack } from '../support/install-flow.js';
import type { OpenedView, SlackSender } from '../support/slack-requests.js';
import { pinnedClock, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A workspace's life on a deployment that hosts many, through the real app:
 * uninstall and revoke stop it at once, a reinstall within the grace period
 * resumes it, the grace period's end deletes it; rotating tokens are renewed
 * before scheduled work uses them, and a refused renewal is told once and
 * retried; an Enterprise Grid org installed once serves all its workspaces.
 */

const ACME = 'T0ACME001';
const CPO = 'U0ACMECPO';
const LEADS = 'C0ACMELEADS';
const LEADERS = ['U0ACME01', 'U0ACME02', 'U0ACME03'];

let t: TestApp;
afterEach(async () => {
  vi.useRealTimers();
  await t?.stop();
});

const clock = pinnedClock('2026-11-17T10:00:00Z');

async function start(oauth: Parameters<typeof startTestApp>[0]['oauth'] = {}): Promise<void> {
  clock.now = new Date('2026-11-17T10:00:00Z');
  t = await startTestApp({ now: () => clock.now, schedule: false, oauth });
  t.standIn.addWorkspace({ teamId: ACME, name: 'Acme' });
  t.standIn.addUser({ id: CPO, name: 'cpo', team_id: ACME, tz: 'Europe/Berlin' });
  for (const id of LEADERS) t.standIn.addUser({ id, name: id.toLowerCase(), team_id: ACME });
  t.standIn.addChannel({
    id: LEADS,
    name: 'leadership',
    team_id: ACME,
    members: [CPO, ...LEADERS],
  });
}

async function install(teamId = ACME, installerUserId = CPO): Promise<void> {
  t.standIn.nextAuthorization({ teamId, installerUserId });
  const flow = await clickAddToSlack({ appUrl: t.baseUrl });
  expect(flow.final.body).toContain('Alignment Pulse is installed');
}

const acme = (): SlackSender => t.slack.as({ teamId: ACME });
const count = async (query: RawBuilder<unknown>) =>
  ((await one(t.app.ctx.db, query)) as { n: number }).n;
const pulsesPosted = () => t.standIn.messagesIn(LEADS).length;

/** Moves the app's clock and runs the scheduler's minute tick there. */
async function at(iso: string): Promise<void> {
  clock.now = new Date(iso);
  await t.app.scheduler.tick(clock.now);
  await t.app.idle();
}

/** The first pulse, sent by the CPO: the survey is set up with the default schedule (Mondays 09:00). */
async function firstPulse(): Promise<void> {
  await acme().command({ user: CPO, channel: LEADS, text: 'pulse now' });
  await t.app.idle();
  expect(pulsesPosted()).toBe(1);
}

describe('uninstall, reinstall and the grace period', () => {
  it('stops at once, resumes on a reinstall within the grace period, and deletes everything after it', async () => {
    await start();
    await install();
    await firstPulse();
    const tenantRows = async () => ({
      surveys: await count(sql`SELECT count(*) AS n FROM surveys WHERE team_id = 'T0ACME001'`),
      pulses: await count(sql`SELECT count(*) AS n FROM pulses`),
      installations: await count(sql`SELECT count(*) AS n FROM installations`),
      workspaces: await count(sql`SELECT count(*) AS n FROM workspaces`),
    });

    expect((await acme().appUninstalled()).status).toBe(200);
    await t.app.idle();
    expect(await tenantRows()).toEqual({ surveys: 1, pulses: 1, installations: 0, workspaces: 1 });
    // Monday 09:00 Berlin comes: no pulse, no call to Slack.
    const calls = t.standIn.calls.length;
    await at('2026-11-23T08:00:05Z');
    expect(pulsesPosted()).toBe(1);
    expect(t.standIn.calls.length).toBe(calls);
    // Its commands are told the app is not installed.
    const reply = await acme().command({ user: CPO, channel: LEADS, text: 'score' });
    expect(String(reply.json?.text)).toContain('not installed');

    // Reinstalled nine days later: everything as it was, and the next Monday's pulse goes out.
    clock.now = new Date('2026-11-26T10:00:00Z');
    await install();
    expect(await tenantRows()).toEqual({ surveys: 1, pulses: 1, installations: 1, workspaces: 1 });
    await at('2026-11-30T08:00:05Z');
    expect(pulsesPosted()).toBe(2);

    // Removed again on 1 Dec at 10:00: kept 30 days, deleted by the first daily retention run after.
    await at('2026-12-01T10:00:00Z');
    await acme().appUninstalled();
    await t.app.idle();
    await at('2026-12-31T03:00:05Z');
    expect(await tenantRows()).toMatchObject({ surveys: 1, pulses: 2 });
    await at('2027-01-01T03:00:05Z');
    expect(await tenantRows()).toEqual({ surveys: 0, pulses: 0, installations: 0, workspaces: 0 });
    for (const table of ['answers', 'pulse_messages', 'delivery_failures', 'discipline_changes'])
      expect(await count(sql`SELECT count(*) AS n FROM ${sql.table(table)}`), table).toBe(0);
    expect(t.standIn.violations()).toEqual([]);
  });

  it('treats a revoke of the bot token as an uninstall, and a revoke of people’s tokens as nothing', async () => {
    await start();
    await install();
    await firstPulse();
    await acme().tokensRevoked({ oauth: [CPO] });
    await t.app.idle();
    expect(await count(sql`SELECT count(*) AS n FROM installations`)).toBe(1);
    const bot = t.standIn.installationOf(ACME)?.botUserId ?? '';
    await acme().tokensRevoked({ bot: [bot] });
    await t.app.idle();
    expect(await count(sql`SELECT count(*) AS n FROM installations`)).toBe(0);
    await at('2026-11-23T08:00:05Z');
    expect(pulsesPosted()).toBe(1);
  });
});

describe('a channel shared with another company (Slack Connect)', () => {
  it('asks only the workspace’s own people: the other company’s members are never on the pulse', async () => {
    await start();
    t.standIn.addWorkspace({ teamId: 'T0PARTNER', name: 'Partner' });
    for (const id of ['U0PARTNER1', 'U0PARTNER2'])
      t.standIn.addUser({ id, name: id.toLowerCase(), team_id: 'T0PARTNER' });
    t.standIn.addChannel({
      id: 'C0CONNECT',
      name: 'acme-partner-leads',
      team_id: ACME,
      shared_team_ids: ['T0PARTNER'],
      members: [CPO, ...LEADERS, 'U0PARTNER1', 'U0PARTNER2'],
    });
    await install();
    await acme().command({ user: CPO, channel: 'C0CONNECT', text: 'pulse now' });
    await t.app.idle();
    expect(t.standIn.messagesIn('C0CONNECT')).toHaveLength(1);
    const asked = (
      await all(
        t.app.ctx.db,
        sql<{ id: string }>`SELECT user_id AS id FROM pulse_recipients ORDER BY user_id`,
      )
    ).map((r) => r.id);
    expect(asked).toEqual([CPO, ...LEADERS].sort());
    expect(t.standIn.violations()).toEqual([]);
  });
});

describe('token rotation', () => {
  it('renews a token about to expire before scheduled work uses it, and stores the new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T00:00:00Z'));
    await start({ tokenRotation: { expiresInSeconds: 12 * 3600 } });
    await install();
    await firstPulse();
    const sealed = async () =>
      (await one(
        t.app.ctx.db,
        sql`SELECT sealed, token_expires_at AS "at" FROM installations`,
      )) as { sealed: string; at: string };
    const before = await sealed();
    expect(before.at).toBe('2026-11-23T12:00:00.000Z');

    // 10½ hours later no request has come; Monday's scheduled pulse is due.
    vi.setSystemTime(new Date('2026-11-23T10:30:00Z'));
    await at('2026-11-23T08:00:05Z');
    expect(pulsesPosted()).toBe(2);
    const refreshed = t.standIn.tokensIssued.filter((issued) => issued.via === 'refresh');
    expect(refreshed).toHaveLength(1);
    expect(t.standIn.callsTo('chat.postMessage').at(-1)?.token).toBe(refreshed[0]?.token);
    const after = await sealed();
    expect(after.sealed).not.toBe(before.sealed);
    expect(after.at).toBe('2026-11-23T22:30:00.000Z');
    expect(t.standIn.violations()).toEqual([]);
  });

  it('goes on while the old token lasts when Slack refuses to renew it, tells the admins once, and retries work that found it expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T00:00:00Z'));
    await start({ tokenRotation: { expiresInSeconds: 12 * 3600 } });
    await install();
    await firstPulse();
    t.standIn.inject('oauth.v2.access', { error: 'invalid_refresh_token' }, 1000);

    // 11 hours in: the renewal is refused, the token still works, the pulse goes out.
    vi.setSystemTime(new Date('2026-11-23T11:00:00Z'));
    await at('2026-11-23T08:00:05Z');
    expect(pulsesPosted()).toBe(2);
    await at('2026-11-23T08:01:05Z');
    const dmsTo = (user: string) =>
      t.standIn.messages.filter((m) => m.channel === t.standIn.dmChannelOf(user, ACME));
    const told = dmsTo(CPO).filter((m) => m.text.includes('renew'));
    expect(told).toHaveLength(1);

    // 13 hours in: expired and still refused. Friday's digest cannot go out; it is retried.
    vi.setSystemTime(new Date('2026-11-23T13:00:00Z'));
    await run(t.app.ctx.db, sql`UPDATE survey_channels SET channel_id = 'C0ACMELEADS'`);
    await at('2026-11-27T15:00:05Z');
    const digests = () =>
      t.standIn.messagesIn(LEADS).filter((m) => m.text.toLowerCase().includes('digest')).length;
    expect(digests()).toBe(0);
    expect(
      await all(
        t.app.ctx.db,
        sql`SELECT DISTINCT action FROM delivery_failures WHERE error = 'token_refresh_failed'`,
      ),
    ).toEqual(
      expect.arrayContaining([
        { action: "renew the app's access to Slack" },
        { action: 'post the digest' },
      ]),
    );
    // Slack renews again: the retry a minute later posts it, once; the admins were told once.
    t.standIn.clearFaults('oauth.v2.access');
    await at('2026-11-27T15:01:10Z');
    await at('2026-11-27T15:06:10Z');
    expect(digests()).toBe(1);
    expect(dmsTo(CPO).filter((m) => m.text.includes('renew'))).toHaveLength(1);
  });
});

describe('Enterprise Grid', () => {
  const ORG = 'E0GLOBEX1';
  const SALES = 'T0GLOBEXA';
  const ENG = 'T0GLOBEXB';
  const SHARED = 'C0GLOBEXLEADS';
  const ORG_ADMIN = 'W0ORGADMIN';
  const PEOPLE = ['W0LEAD01', 'W0LEAD02', 'W0LEAD03'];

  async function org(): Promise<void> {
    await start();
    t.standIn.addWorkspace({
      teamId: SALES,
      name: 'Globex Sales',
      enterpriseId: ORG,
      enterpriseName: 'Globex',
    });
    t.standIn.addWorkspace({
      teamId: ENG,
      name: 'Globex Eng',
      enterpriseId: ORG,
      enterpriseName: 'Globex',
    });
    t.standIn.addUser({
      id: ORG_ADMIN,
      name: 'orgadmin',
      team_id: SALES,
      enterprise_user: { enterprise_id: ORG, is_admin: true, is_owner: false, teams: [SALES, ENG] },
    });
    for (const id of PEOPLE)
      t.standIn.addUser({
        id,
        name: id.toLowerCase(),
        team_id: SALES,
        enterprise_user: {
          enterprise_id: ORG,
          is_admin: false,
          is_owner: false,
          teams: [SALES, ENG],
        },
      });
    t.standIn.addChannel({
      id: SHARED,
      name: 'leadership',
      team_id: SALES,
      shared_team_ids: [ENG],
      members: [ORG_ADMIN, ...PEOPLE],
    });
    t.standIn.nextAuthorization({
      enterpriseId: ORG,
      isEnterpriseInstall: true,
      installerUserId: PEOPLE[0] ?? '',
    });
    const flow = await clickAddToSlack({ appUrl: t.baseUrl });
    expect(flow.final.body).toContain('Globex');
  }

  const as = (teamId: string) =>
    t.slack.as({ teamId, enterpriseId: ORG, isEnterpriseInstall: true });

  it('stores an org-wide install by its org, and serves every workspace of it, the org’s admins as admins', async () => {
    await org();
    expect(
      await all(
        t.app.ctx.db,
        sql`SELECT tenant_id AS tenant, is_enterprise_install AS org FROM installations`,
      ),
    ).toEqual([{ tenant: ORG, org: 1 }]);
    // The org admin, in neither workspace an admin nor the installer, sends a pulse from Sales.
    await as(SALES).command({ user: ORG_ADMIN, channel: SHARED, text: 'pulse now' });
    await t.app.idle();
    expect(t.standIn.messagesIn(SHARED)).toHaveLength(1);
    // From Eng, the same channel's survey: a second pulse now says one is open.
    const reply = await as(ENG).command({ user: ORG_ADMIN, channel: SHARED, text: 'pulse now' });
    await t.app.idle();
    const said = `${String(reply.json?.text ?? '')}${t.standIn.responseUrlPosts.map((p) => String(p.body.text)).join(' ')}`;
    expect(said).toContain('already open');
    expect(await count(sql`SELECT count(*) AS n FROM surveys`)).toBe(1);
    expect(t.standIn.violations()).toEqual([]);
  });

  it('runs surveys in leadership channels of different workspaces of the org, and answers events from any of them', async () => {
    await org();
    t.standIn.addChannel({
      id: 'C0ENGLEADS',
      name: 'eng-leads',
      team_id: ENG,
      members: [ORG_ADMIN, ...PEOPLE],
    });
    await as(SALES).command({ user: ORG_ADMIN, channel: SHARED, text: 'pulse now' });
    await as(ENG).command({ user: ORG_ADMIN, channel: 'C0ENGLEADS', text: 'pulse now' });
    await t.app.idle();
    expect(t.standIn.messagesIn('C0ENGLEADS')).toHaveLength(1);
    expect(await all(t.app.ctx.db, sql`SELECT DISTINCT team_id AS tenant FROM surveys`)).toEqual([
      { tenant: ORG },
    ]);
    expect(await count(sql`SELECT count(*) AS n FROM surveys`)).toBe(2);
    // The App Home, opened in Eng, is published with the org's token and lists both surveys to the org admin.
    const opened = await as(ENG).event({ type: 'app_home_opened', user: ORG_ADMIN, tab: 'home' });
    expect(opened.status).toBe(200);
    await t.app.idle();
    const publish = t.standIn.callsTo('views.publish').at(-1);
    expect(publish?.team).toBe(ORG);
    const home = JSON.stringify(t.standIn.homeViews.get(ORG_ADMIN));
    expect(home).toContain('C0ENGLEADS');
    expect(home).toContain(SHARED);
    expect(t.standIn.violations()).toEqual([]);
  });

  it('counts a person once in a channel shared by two workspaces, whichever they answer from', async () => {
    await org();
    await as(SALES).command({ user: ORG_ADMIN, channel: SHARED, text: 'pulse now' });
    await t.app.idle();
    const message = t.standIn.messagesIn(SHARED).at(-1);
    const pulseId = (
      (message?.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ANSWER_PULSE_ACTION)?.value;
    expect(pulseId).toBeDefined();
    const person = PEOPLE[1] ?? '';
    for (const teamId of [SALES, ENG]) {
      const sender = as(teamId);
      await sender.interaction(
        sender.buttonClick({
          user: person,
          channel: SHARED,
          actionId: ANSWER_PULSE_ACTION,
          value: pulseId ?? '',
        }),
      );
      await t.app.idle();
      const opened = t.standIn.openedViews.at(-1);
      const view = { id: opened?.id, ...opened?.view } as OpenedView;
      const values: Record<string, string> = { discipline: 'product' };
      for (const b of view.blocks as { block_id?: string }[])
        if (b.block_id?.startsWith('q:')) values[b.block_id] = '4';
      await sender.interaction(sender.viewSubmission({ user: person, view, values }));
      await t.app.idle();
    }
    expect(await count(sql`SELECT count(DISTINCT user_id) AS n FROM answers`)).toBe(1);
    expect(t.standIn.violations()).toEqual([]);
  });
});
