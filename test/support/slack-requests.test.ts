import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import {
  appUninstalledEvent,
  SlackSender,
  slackSignature,
  tokensRevokedEvent,
} from './slack-requests.js';
import { APP_ID, BOT_USER_ID, SlackStandIn, TEAM_ID } from './slack-stand-in.js';

describe('slackSignature', () => {
  it("matches the worked example in Slack's request-verification docs", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('changes when the body, the timestamp or the secret changes', () => {
    const base = slackSignature('secret', 1, 'a=1');
    expect(slackSignature('secret', 1, 'a=2')).not.toBe(base);
    expect(slackSignature('secret', 2, 'a=1')).not.toBe(base);
    expect(slackSignature('other', 1, 'a=1')).not.toBe(base);
  });
});

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

let standIn: SlackStandIn;
let sender: SlackSender;
beforeEach(async () => {
  standIn = await SlackStandIn.start();
  standIn.addWorkspace({ teamId: 'T0BETA01', name: 'Beta Corp' });
  standIn.addWorkspace({
    teamId: 'T0GRIDA1',
    name: 'Grid East',
    domain: 'grid-east',
    enterpriseId: 'E0GRID01',
    enterpriseName: 'Grid Org',
  });
  sender = new SlackSender('http://127.0.0.1:1/slack/events', 'secret', standIn);
});
afterEach(() => standIn.stop());

const view = { id: 'V1', blocks: [], callback_id: 'pulse' };

describe('sending as another workspace', () => {
  it('keeps the default sender’s payloads as they were: TEAM_ID, no org', () => {
    expect(sender.commandPayload({ user: 'U1', channel: 'C1' })).toMatchObject({
      team_id: TEAM_ID,
      team_domain: 'alignment-test',
      is_enterprise_install: 'false',
    });
    expect(sender.commandPayload({ user: 'U1', channel: 'C1' })).not.toHaveProperty(
      'enterprise_id',
    );
    const click = sender.buttonClick({ user: 'U1', channel: 'C1', actionId: 'a', value: 'v' });
    expect(click.team).toEqual({ id: TEAM_ID, domain: 'alignment-test' });
    expect(click).not.toHaveProperty('enterprise');
    expect(sender.eventEnvelope({ type: 'app_home_opened' })).toMatchObject({
      team_id: TEAM_ID,
      authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID }],
      is_ext_shared_channel: false,
    });
  });

  it('sends a workspace’s slash command with its team, domain and org, as Slack does', () => {
    const grid = sender.as({ teamId: 'T0GRIDA1' });
    const command = grid.commandPayload({ user: 'W0EAST1', channel: 'C0EAST', text: 'help' });
    expect(command).toMatchObject({
      team_id: 'T0GRIDA1',
      team_domain: 'grid-east',
      enterprise_id: 'E0GRID01',
      enterprise_name: 'Grid Org',
      is_enterprise_install: 'false',
      api_app_id: APP_ID,
    });
    expect(unknownKeys(command, shape('app-backend/SlashCommandPayload.json'))).toEqual([]);
    const orgWide = sender.as({ teamId: 'T0GRIDA1', isEnterpriseInstall: true });
    expect(orgWide.commandPayload({ user: 'W1', channel: 'C1' }).is_enterprise_install).toBe(
      'true',
    );
    const beta = sender.as({ teamId: 'T0BETA01' }).commandPayload({ user: 'U1', channel: 'C1' });
    expect(beta).toMatchObject({ team_id: 'T0BETA01', team_domain: 'beta-corp' });
    expect(beta).not.toHaveProperty('enterprise_id');
  });

  it('sends interactions with team, user.team_id, enterprise and is_enterprise_install', () => {
    const grid = sender.as({ teamId: 'T0GRIDA1', isEnterpriseInstall: true });
    const click = grid.buttonClick({
      user: 'W0EAST1',
      channel: 'C0EAST',
      actionId: 'a',
      value: 'v',
    });
    expect(click).toMatchObject({
      team: {
        id: 'T0GRIDA1',
        domain: 'grid-east',
        enterprise_id: 'E0GRID01',
        enterprise_name: 'Grid Org',
      },
      user: { id: 'W0EAST1', team_id: 'T0GRIDA1' },
      enterprise: { id: 'E0GRID01', name: 'Grid Org' },
      is_enterprise_install: true,
    });
    expect(unknownKeys(click, shape('app-backend/BlockActionPayload.json'))).toEqual([]);
    const beta = sender.as({ teamId: 'T0BETA01' });
    const submission = beta.viewSubmission({ user: 'U0BETA1', view, values: {} });
    expect(submission).toMatchObject({
      team: { id: 'T0BETA01', domain: 'beta-corp' },
      user: { team_id: 'T0BETA01' },
      enterprise: null,
      is_enterprise_install: false,
      view: { team_id: 'T0BETA01' },
    });
    // Beyond the workspace fields, only what the default sender always sent: the view's
    // blocks and state (Block Kit, typed apart in the Java catalogue) and response_urls.
    expect(unknownKeys(submission, shape('app-backend/ViewSubmissionPayload.json'))).toEqual([
      '.view.blocks',
      '.view.state.values',
      '.response_urls',
    ]);
    const inModal = beta.viewButtonClick({
      user: 'U0BETA1',
      view,
      actionId: 'a',
      blockId: 'b',
      value: 'v',
      state: {},
    });
    expect(inModal).toMatchObject({ team: { id: 'T0BETA01' }, view: { team_id: 'T0BETA01' } });
  });

  it('mints trigger ids a token of that workspace can use, and no other', async () => {
    const beta = sender.as({ teamId: 'T0BETA01' });
    const token = standIn.install({ teamId: 'T0BETA01' }).token;
    const modal = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Pulse' },
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Hi' } }],
    };
    const options = { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } };
    const trigger = String(beta.commandPayload({ user: 'U1', channel: 'C1' }).trigger_id);
    await expect(
      new WebClient('xoxb-stand-in-token', options).views.open({
        trigger_id: trigger,
        view: modal,
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
    const opened = await new WebClient(token, options).views.open({
      trigger_id: trigger,
      view: modal,
    });
    expect(opened.view?.team_id).toBe('T0BETA01');
  });

  it('wraps events with the installation’s authorization and the context Slack adds', () => {
    const installed = standIn.install({ enterpriseId: 'E0GRID01', isEnterpriseInstall: true });
    standIn.addWorkspace({ teamId: 'T0OTHER1', name: 'Partner Inc' });
    standIn.addChannel({
      id: 'C0CONNECT',
      name: 'connect',
      members: [],
      team_id: 'T0GRIDA1',
      shared_team_ids: ['T0OTHER1'],
    });
    const grid = sender.as({ teamId: 'T0GRIDA1', isEnterpriseInstall: true });
    const envelope = grid.eventEnvelope({ type: 'app_mention', channel: 'C0CONNECT' });
    expect(envelope).toMatchObject({
      team_id: 'T0GRIDA1',
      enterprise_id: 'E0GRID01',
      authorizations: [
        {
          enterprise_id: 'E0GRID01',
          team_id: 'T0GRIDA1',
          user_id: installed.botUserId,
          is_bot: true,
          is_enterprise_install: true,
        },
      ],
      is_ext_shared_channel: true,
      context_team_id: 'T0GRIDA1',
      context_enterprise_id: 'E0GRID01',
    });
    const { event: _event, ...wrapper } = envelope;
    // Slack sends context_team_id and context_enterprise_id; the Java SDK's catalogue predates them.
    expect(unknownKeys(wrapper, shape('events/AppHomeOpenedPayload.json'))).toEqual([
      '.context_team_id',
      '.context_enterprise_id',
    ]);
    const beta = sender.as({ teamId: 'T0BETA01' }).eventEnvelope({ type: 'app_home_opened' });
    expect(beta).not.toHaveProperty('enterprise_id');
    expect(beta).toMatchObject({
      authorizations: [{ enterprise_id: null, team_id: 'T0BETA01', is_enterprise_install: false }],
      is_ext_shared_channel: false,
      context_enterprise_id: null,
    });
  });

  it('builds app_uninstalled and tokens_revoked in the envelope Slack’s docs show', () => {
    const beta = sender.as({ teamId: 'T0BETA01' });
    const uninstalled = beta.eventEnvelope(appUninstalledEvent());
    expect(Object.keys(uninstalled).sort()).toEqual(
      ['api_app_id', 'event', 'event_id', 'event_time', 'team_id', 'token', 'type'].sort(),
    );
    expect(uninstalled).toMatchObject({
      team_id: 'T0BETA01',
      type: 'event_callback',
      event: { type: 'app_uninstalled' },
    });
    const revoked = sender
      .as({ teamId: 'T0GRIDA1' })
      .eventEnvelope(tokensRevokedEvent({ bot: ['UB0GRIDA1'] }));
    expect(revoked).toMatchObject({
      team_id: 'T0GRIDA1',
      enterprise_id: 'E0GRID01',
      event: { type: 'tokens_revoked', tokens: { oauth: [], bot: ['UB0GRIDA1'] } },
    });
    // A hand-made event keeps the usual envelope, as before.
    expect(sender.eventEnvelope({ type: 'app_uninstalled' })).toHaveProperty('authorizations');
  });
});
