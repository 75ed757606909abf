import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getWorkspace } from '../../src/storage/workspaces.js';
import { foldRisks, readText } from '../support/presentation.js';
import { slackSignature } from '../support/slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import {
  commandAnswers,
  type PrivateAnswer,
  SIGNING_SECRET,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

/** A Tuesday morning: what a pulse says depends on the day it is sent. */
const NOW = new Date('2026-11-17T10:00:00Z');
let t: TestApp;
beforeEach(async () => {
  t = await startTestApp({ now: () => NOW });
});
afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

describe('start-up', () => {
  it('checks the bot token with Slack and records the workspace', async () => {
    expect(t.standIn.callsTo('auth.test')).toHaveLength(1);
    expect(await getWorkspace(t.app.ctx.db, TEAM_ID)).toMatchObject({
      teamId: TEAM_ID,
      name: 'Alignment Test',
      botUserId: BOT_USER_ID,
      uninstalledAt: null,
    });
  });

  it('answers GET /healthz with 200 and a small JSON body', async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      status: 'ok',
      database: 'ok',
      slack: 'http',
      scheduler: 'running',
      uptimeSeconds: expect.any(Number),
    });
    // Ready: HTTP mode has no connection to wait for, and the schedules run.
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, slack: 'http' });
  });
});

describe('request verification', () => {
  const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';

  it('answers a request with a bad signature with 401 and does nothing', async () => {
    const callsBefore = t.standIn.calls.length;
    const reply = await t.slack.command(
      { user: 'U0PRODUCT1', channel: 'C0LEADERS', text: 'help' },
      { signature: `v0=${'0'.repeat(64)}` },
    );
    expect(reply.status).toBe(401);
    expect(t.standIn.calls.length).toBe(callsBefore);
    expect(t.standIn.responseUrlPosts).toEqual([]);
  });

  it('answers a request signed with another secret with 401', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const reply = await t.slack.send(body, 'application/x-www-form-urlencoded', {
      timestamp,
      signature: slackSignature('some-other-secret', timestamp, body),
    });
    expect(reply.status).toBe(401);
  });

  it('answers a request older than five minutes with 401, even when signed correctly', async () => {
    const timestamp = Math.floor(Date.now() / 1000) - 6 * 60;
    const reply = await t.slack.send(body, 'application/x-www-form-urlencoded', {
      timestamp,
      signature: slackSignature(SIGNING_SECRET, timestamp, body),
    });
    expect(reply.status).toBe(401);
  });

  it('answers a request without signature or timestamp headers with 401', async () => {
    expect(
      (await t.slack.send(body, 'application/x-www-form-urlencoded', { omit: ['signature'] }))
        .status,
    ).toBe(401);
    expect(
      (await t.slack.send(body, 'application/x-www-form-urlencoded', { omit: ['timestamp'] }))
        .status,
    ).toBe(401);
  });

  it('answers an unsigned uninstall event with 401 and keeps the workspace', async () => {
    const reply = await t.slack.event({ type: 'app_uninstalled' }, { signature: 'v0=forged' });
    expect(reply.status).toBe(401);
    expect((await getWorkspace(t.app.ctx.db, TEAM_ID))?.uninstalledAt).toBeNull();
  });

  it("answers Slack's URL verification challenge when signed", async () => {
    const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
    const reply = await t.slack.send(
      JSON.stringify({ token: 'legacy', challenge, type: 'url_verification' }),
      'application/json',
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ challenge });
  });
});

describe('/alignment', () => {
  /** The private answer to a command: in the acknowledgement itself, one round trip. */
  async function ask(user: string, text: string) {
    const answers = await commandAnswers(t, { user, channel: 'C0LEADERS', text });
    expect(answers.map((a) => [a.via, a.response_type])).toEqual([['ack', 'ephemeral']]);
    return answers[0] as PrivateAnswer;
  }

  it('answers help privately, short: each command once, and no admin command for a leader', async () => {
    const help = await ask('U0PRODUCT1', 'help');
    expect(help.text).toContain(
      'Alignment Pulse asks product, engineering, design and program leaders',
    );
    const shown = readText(help.blocks);
    for (const command of [
      'score [weeks]',
      'trend [dimension] [weeks]',
      'gap',
      'role &lt;discipline&gt;',
      'forget-me',
    ])
      expect(
        shown.match(new RegExp(`/alignment ${command.replace(/[[\]]/g, '\\$&')}\``, 'g')),
      ).toHaveLength(1);
    expect(shown).not.toMatch(
      /For admins|setup|pulse now|digest now|export|score all|role @person/,
    );
    expect(foldRisks(help.blocks)).toEqual([]);
    expect(shown.split('\n').length).toBeLessThanOrEqual(10);
  });

  it('shows an admin the admin commands as well, under their own heading', async () => {
    t.standIn.addUser({ id: 'U0WSADMIN', name: 'owner', is_admin: true });
    const help = await ask('U0WSADMIN', 'help');
    const shown = readText(help.blocks);
    expect(shown).toContain('*For admins*');
    for (const command of [
      'setup',
      'pulse now',
      'digest now',
      'export',
      'score all',
      'role @person &lt;discipline&gt;',
    ])
      expect(shown).toContain(`\`/alignment ${command}\``);
    expect(foldRisks(help.blocks)).toEqual([]);
  });

  it('answers an empty command with help', async () => {
    const help = await ask('U0PRODUCT1', '   ');
    expect(help.text).not.toContain("I don't know");
    expect(readText(help.blocks)).toContain('`/alignment score [weeks]`');
  });

  it('answers after the ack, by response_url, when Slack is slower than two seconds to say who is an admin', async () => {
    t.standIn.inject('users.info', { delayMs: 2_500 });
    const answers = await commandAnswers(t, {
      user: 'U0PRODUCT1',
      channel: 'C0LEADERS',
      text: 'help',
    });
    expect(answers.map((a) => a.via)).toEqual(['response_url']);
    expect(answers[0]?.text).toContain('Alignment Pulse asks product, engineering');
  });

  it('asks Slack who is an admin once, and after a failed look-up not again on every command', async () => {
    t.standIn.inject('users.info', { error: 'fatal_error' });
    for (let i = 0; i < 3; i++) {
      const answers = await commandAnswers(t, {
        user: 'U0ADMIN01',
        channel: 'C0LEADERS',
        text: 'help',
      });
      // Help still comes, without the admin commands Slack could not vouch for.
      expect(answers.map((a) => a.via)).toEqual(['ack']);
      expect(readText(answers[0]?.blocks ?? [])).not.toContain('For admins');
    }
    expect(t.standIn.callsTo('users.info').filter((c) => c.args.user === 'U0ADMIN01')).toHaveLength(
      1,
    );
  });

  it('names an unknown subcommand and shows help, however long or odd it is', async () => {
    expect((await ask('U0PRODUCT1', 'sc0re')).text).toContain('I don\'t know "sc0re"');
    const odd = `${'🙈'.repeat(1500)}`;
    const long = await ask('U0PRODUCT1', odd);
    expect(long.text).toContain("I don't know");
  });
});

describe('events', () => {
  it('stops a workspace that uninstalled the app, once, even when Slack retries', async () => {
    const first = await t.slack.event({ type: 'app_uninstalled' });
    expect(first.status).toBe(200);
    const uninstalledAt = (await getWorkspace(t.app.ctx.db, TEAM_ID))?.uninstalledAt;
    expect(uninstalledAt).toEqual(expect.any(String));
    const retry = await t.slack.event(
      { type: 'app_uninstalled' },
      { retryNum: 1, retryReason: 'http_timeout' },
    );
    expect(retry.status).toBe(200);
    expect((await getWorkspace(t.app.ctx.db, TEAM_ID))?.uninstalledAt).toBe(uninstalledAt);
    expect(t.logs.filter((line) => line.includes('workspace removed the app'))).toHaveLength(1);
  });

  it('stops a workspace whose tokens were revoked', async () => {
    await t.slack.event({ type: 'tokens_revoked', tokens: { oauth: [], bot: [BOT_USER_ID] } });
    expect((await getWorkspace(t.app.ctx.db, TEAM_ID))?.uninstalledAt).toEqual(expect.any(String));
  });
});

describe('shutdown', () => {
  /** A query on the app's database once it is closed: refused, on either engine. */
  const anyQuery = () => sql`SELECT 1`.execute(t.app.ctx.db);

  it('lets a request in flight finish before closing the database', async () => {
    t.standIn.addUser({ id: 'U0ADMIN01', name: 'cpo' });
    t.standIn.addChannel({ id: 'C0LEADERS', name: 'leadership', members: ['U0ADMIN01'] });
    t.app.ctx.config.adminUserIds.push('U0ADMIN01');
    // Slack answers slowly: the pulse is still being posted when the stop begins.
    t.standIn.inject('chat.postMessage', { delayMs: 400 });
    const reply = await t.slack.command({
      user: 'U0ADMIN01',
      channel: 'C0LEADERS',
      text: 'pulse now',
    });
    expect(reply.status).toBe(200);
    await t.app.stop();
    expect(t.standIn.messagesIn('C0LEADERS')).toHaveLength(1);
    expect(t.standIn.responseUrlPosts.at(-1)?.body.text).toMatch(/^Pulse posted in <#C0LEADERS>/);
    await expect(anyQuery()).rejects.toThrow('driver has already been destroyed');
  });

  it('stops listening and closes the database', async () => {
    const port = t.app.port;
    await t.app.stop();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(anyQuery()).rejects.toThrow('driver has already been destroyed');
    expect(t.logs.some((line) => line.includes('shut down'))).toBe(true);
  });
});
