import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NOT_INSTALLED } from '../../src/slack/app.js';
import { BOT_SCOPES } from '../../src/slack/scopes.js';
import { FORGET_ME_CONFIRM_ACTION } from '../../src/views/forget-me.js';
import { all, one } from '../support/db.js';
import { clickAddToSlack } from '../support/install-flow.js';
import { commandAnswer, pinnedClock, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Installing by OAuth, clicked through as a person does it: the app's install
 * page, Slack's authorize page (the stand-in), Slack's redirect back with a
 * code, the stored installation, then a command from that workspace answered
 * with its own token. And every way an install goes wrong stores nothing.
 */

const ACME = 'T0ACME001';
const INSTALLER = 'U0ACMECPO';
const LEADS = 'C0ACMELEADS';

let t: TestApp;
const clock = pinnedClock('2026-11-17T10:00:00Z');

beforeEach(async () => {
  t = await startTestApp({ now: () => clock.now, schedule: false, oauth: {} });
  t.standIn.addWorkspace({ teamId: ACME, name: 'Acme & Co' });
  t.standIn.addUser({ id: INSTALLER, name: 'cpo', team_id: ACME, tz: 'Europe/Berlin' });
  for (const id of ['U0ACME01', 'U0ACME02', 'U0ACME03'])
    t.standIn.addUser({ id, name: id.toLowerCase(), team_id: ACME });
  t.standIn.addChannel({
    id: LEADS,
    name: 'leadership',
    team_id: ACME,
    members: [INSTALLER, 'U0ACME01', 'U0ACME02', 'U0ACME03'],
  });
});

afterEach(async () => {
  vi.useRealTimers();
  await t.stop();
});

const count = async (table: string) =>
  (
    (await one(
      t.app.ctx.db,
      sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`,
    )) as { n: number }
  ).n;

/** Nothing of the workspace was kept: no installation, no tenant, no survey, no person. */
async function nothingStored(): Promise<void> {
  for (const table of ['installations', 'workspaces', 'surveys', 'discipline_changes'])
    expect(await count(table), table).toBe(0);
}

/**
 * All the database holds, as bytes: on SQLite the file itself, its write-ahead
 * log checkpointed into it first; on Postgres every row of every table, as text.
 */
async function everythingStored(): Promise<Buffer> {
  const db = t.app.ctx.db;
  if (t.database.engine === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    return readFileSync(t.database.path);
  }
  const tables = await all(
    db,
    sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const lines: string[] = [];
  for (const { name } of tables)
    for (const { line } of await all(
      db,
      sql<{ line: string }>`SELECT CAST(row_to_json(x) AS TEXT) AS line FROM ${sql.table(name)} x`,
    ))
      lines.push(line);
  return Buffer.from(lines.join('\n'));
}

describe('Add to Slack', () => {
  it('installs through the real pages, then answers a command from that workspace with its own token', async () => {
    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    const flow = await clickAddToSlack({ appUrl: t.baseUrl });

    expect(flow.steps[0]?.body).toContain('Add Alignment Pulse to Slack');
    expect(flow.authorizeUrl).toContain('/oauth/v2/authorize');
    const asked = t.standIn.authorizeRequests.at(-1);
    expect(asked?.scopes.sort()).toEqual([...BOT_SCOPES].sort());
    expect(flow.final.status).toBe(200);
    expect(flow.final.body).toContain('Alignment Pulse is installed');
    // The workspace's name is shown, escaped.
    expect(flow.final.body).toContain('Acme &amp; Co');
    expect(flow.final.body).toContain('/invite @Alignment Pulse');
    expect(await count('installations')).toBe(1);

    const acme = t.slack.as({ teamId: ACME });
    const help = await commandAnswer({ ...t, slack: acme }, { user: INSTALLER, channel: LEADS });
    expect(help.text + JSON.stringify(help.blocks)).toContain('/alignment');
    // The installer is an admin of the app in their workspace: help lists the admin commands.
    expect(JSON.stringify(help.blocks)).toContain('pulse now');

    await acme.command({ user: INSTALLER, channel: LEADS, text: 'pulse now' });
    await t.app.idle();
    const token = t.standIn.installationOf(ACME)?.token;
    const posted = t.standIn.callsTo('chat.postMessage');
    expect(posted.length).toBeGreaterThan(0);
    for (const call of posted) expect(call.team).toBe(ACME);
    expect(t.standIn.messagesIn(LEADS)).toHaveLength(1);
    expect(token).toMatch(/^xoxb-/);
    expect(t.standIn.violations()).toEqual([]);
  });

  it('keeps the tokens only encrypted: neither the database nor the log holds them', async () => {
    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    await clickAddToSlack({ appUrl: t.baseUrl });
    const token = t.standIn.installationOf(ACME)?.token ?? '';
    expect(token).not.toBe('');
    const file = await everythingStored();
    expect(file.includes(Buffer.from(token))).toBe(false);
    expect(file.includes(Buffer.from(ACME))).toBe(true);
    expect(t.logs.some((line) => line.includes(token))).toBe(false);
    expect(t.logs.some((line) => line.includes('installed'))).toBe(true);
  });

  it('installing the same workspace again updates its installation, never a second one', async () => {
    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    await clickAddToSlack({ appUrl: t.baseUrl });
    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: 'U0ACME01' });
    const again = await clickAddToSlack({ appUrl: t.baseUrl });
    expect(again.final.body).toContain('Alignment Pulse is installed');
    expect(await count('installations')).toBe(1);
    expect(await count('workspaces')).toBe(1);
    // The newest token is the one used, and whoever installed it last is an admin.
    const acme = t.slack.as({ teamId: ACME });
    await acme.command({ user: 'U0ACME01', channel: LEADS, text: 'pulse now' });
    await t.app.idle();
    const newest = t.standIn.installationOf(ACME)?.tokens.at(-1)?.token;
    const used = t.standIn.callsTo('chat.postMessage').at(-1);
    expect(used?.token).toBe(newest);
  });

  it('says nothing was installed when the person cancels on Slack’s page', async () => {
    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER, outcome: 'cancel' });
    const flow = await clickAddToSlack({ appUrl: t.baseUrl });
    expect(flow.final.body).toContain('Nothing was installed');
    expect(flow.final.body).toContain('Start again');
    await nothingStored();
  });

  it('refuses a forged state, a state from another browser and an expired one', async () => {
    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    const forged = await clickAddToSlack({ appUrl: t.baseUrl, forgeState: true });
    expect(forged.final.status).toBe(400);
    expect(forged.final.body).toContain('This install link has expired');

    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    const otherBrowser = await clickAddToSlack({ appUrl: t.baseUrl, dropCookie: true });
    expect(otherBrowser.final.body).toContain('This install link has expired');

    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-17T10:00:00Z'));
    const late = await clickAddToSlack({
      appUrl: t.baseUrl,
      // Bolt's state lives ten minutes; the person comes back eleven minutes later.
      beforeCallback: () => {
        vi.setSystemTime(new Date('2026-11-17T10:11:00Z'));
      },
    });
    vi.useRealTimers();
    expect(late.final.body).toContain('This install link has expired');
    await nothingStored();
  });

  it('installs nothing when Slack refuses the code, nor when a code is replayed', async () => {
    t.standIn.inject('oauth.v2.access', { error: 'invalid_code' });
    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    const refused = await clickAddToSlack({ appUrl: t.baseUrl });
    expect(refused.final.body).toContain('Slack did not complete the install');
    await nothingStored();

    t.standIn.nextAuthorization({ teamId: ACME, installerUserId: INSTALLER });
    const replayed = await clickAddToSlack({ appUrl: t.baseUrl, replayCode: true });
    expect(replayed.final.body).toContain('Alignment Pulse is installed');
    expect(replayed.replay?.status).toBe(400);
    expect(await count('installations')).toBe(1);
  });

  it('installs nothing while a workspace that restricts apps waits for an admin’s approval', async () => {
    t.standIn.nextAuthorization({
      teamId: ACME,
      installerUserId: 'U0ACME01',
      outcome: 'admin_approval_required',
    });
    const flow = await clickAddToSlack({ appUrl: t.baseUrl });
    expect(flow.callbackUrl).toBeUndefined();
    await nothingStored();
    // The install page said this could happen.
    expect(flow.steps[0]?.body).toContain('lets only admins add apps');
  });
});

describe('a workspace without an installation', () => {
  it('is told so when someone types a command, and nothing is stored', async () => {
    const stranger = t.slack.as({ teamId: ACME });
    const answer = await commandAnswer(
      { ...t, slack: stranger },
      {
        user: 'U0ACME01',
        channel: LEADS,
        text: 'role product',
      },
    );
    expect(answer.text).toBe(NOT_INSTALLED);
    await nothingStored();
    expect(t.standIn.calls).toEqual([]);
  });

  it('gets nothing for its events and clicks, and nothing is stored', async () => {
    const stranger = t.slack.as({ teamId: ACME });
    const opened = await stranger.event({ type: 'app_home_opened', user: 'U0ACME01', tab: 'home' });
    expect(opened.status).toBe(200);
    const click = await stranger.interaction(
      stranger.buttonClick({
        user: 'U0ACME01',
        channel: LEADS,
        actionId: FORGET_ME_CONFIRM_ACTION,
        value: 'confirm',
      }),
    );
    expect(click.status).toBe(200);
    await t.app.idle();
    await nothingStored();
    expect(t.standIn.calls).toEqual([]);
    expect(t.logs.filter((line) => line.includes(' ERROR '))).toEqual([]);
  });
});
