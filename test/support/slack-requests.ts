import { createHmac, randomUUID } from 'node:crypto';
import { checkAck } from './slack-checks.js';
import {
  APP_ID,
  BOT_ID,
  BOT_USER_ID,
  botUserFor,
  type SlackStandIn,
  TEAM_ID,
} from './slack-stand-in.js';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Replaces the computed signature (to test a bad one). */
  signature?: string;
  /** Leaves these headers out. */
  omit?: ('signature' | 'timestamp')[];
  /** Slack's retry headers: x-slack-retry-num and x-slack-retry-reason. */
  retryNum?: number;
  retryReason?: string;
}

export interface SlackReply {
  status: number;
  text: string;
  /** The body as JSON, when it is JSON. */
  json: Record<string, unknown> | undefined;
}

export interface ButtonClick {
  user: string;
  channel: string;
  actionId: string;
  value: string;
  blockId?: string;
  messageTs?: string;
  expiredTrigger?: boolean;
}

export interface OpenedView {
  id?: string;
  blocks: unknown[];
  private_metadata?: string;
  callback_id?: string;
  title?: unknown;
  close?: unknown;
  submit?: unknown;
}

export interface ViewSubmission {
  user: string;
  view: OpenedView;
  /**
   * block_id → the chosen option's value, the typed text, the chosen channels
   * (a list); null for nothing chosen.
   */
  values: Record<string, string | string[] | null>;
  /**
   * As Slack does: every input not in `values` is sent with what the form
   * showed in it (its initial value). Off: only `values` are sent.
   */
  keepInitial?: boolean;
}

interface InputElement {
  type: string;
  action_id: string;
  initial_option?: { value: string };
  initial_options?: { value: string }[];
  initial_conversations?: string[];
  initial_time?: string;
  initial_date?: string;
  initial_value?: string;
  initial_user?: string;
}

/** An input's state as Slack sends it, for a value given (or, when undefined, the one it showed). */
function inputState(element: InputElement, given: string | string[] | null | undefined) {
  const value =
    given !== undefined
      ? given
      : (element.initial_option?.value ??
        element.initial_options?.map((o) => o.value) ??
        element.initial_conversations ??
        element.initial_time ??
        element.initial_date ??
        element.initial_value ??
        element.initial_user ??
        null);
  switch (element.type) {
    case 'plain_text_input':
      return { type: element.type, value };
    case 'users_select':
      return { type: element.type, selected_user: value };
    case 'datepicker':
      return { type: element.type, selected_date: value };
    case 'timepicker':
      return { type: element.type, selected_time: value };
    case 'multi_conversations_select':
      return { type: element.type, selected_conversations: value ?? [] };
    case 'checkboxes':
      return {
        type: element.type,
        selected_options: (Array.isArray(value) ? value : value === null ? [] : [value]).map(
          (v) => ({ text: { type: 'plain_text', text: v }, value: v }),
        ),
      };
    default:
      return {
        type: element.type,
        selected_option:
          value === null ? null : { text: { type: 'plain_text', text: String(value) }, value },
      };
  }
}

/** The workspace a request comes from (see SlackSender.as). */
export interface WorkspaceIdentity {
  teamId: string;
  /** The workspace's subdomain; the stand-in's (addWorkspace), else derived from the id. */
  domain?: string;
  /** The org, for a workspace in Enterprise Grid; the stand-in's when not given. */
  enterpriseId?: string;
  enterpriseName?: string;
  /** The app is installed org-wide (authorizations and is_enterprise_install say so). */
  isEnterpriseInstall?: boolean;
  /** The installation's bot user (authorizations[0].user_id); the stand-in's when not given. */
  botUserId?: string;
  botId?: string;
}

/** A workspace identity with everything filled in. */
interface Identity {
  teamId: string;
  domain: string;
  enterpriseId: string | undefined;
  enterpriseName: string | undefined;
  isEnterpriseInstall: boolean;
  botUserId: string;
  botId: string;
}

export interface CommandFields {
  user: string;
  channel: string;
  text?: string;
  command?: string;
  userName?: string;
  channelName?: string;
}

/**
 * Sends the app requests exactly as Slack does: slash commands form-encoded,
 * interactions as a `payload=` form field, events as JSON; each signed with the
 * signing secret and timestamped.
 */
export class SlackSender {
  constructor(
    readonly endpoint: string,
    readonly signingSecret: string,
    /**
     * Where trigger ids and response URLs come from: the stand-in, or ids it
     * minted beforehand; and where problems with what the app acknowledged go.
     */
    readonly standIn: Pick<SlackStandIn, 'mintTriggerId' | 'responseUrl'> &
      Partial<Pick<SlackStandIn, 'ackProblems' | 'workspaceOf' | 'installationOf' | 'isExtShared'>>,
  ) {}

  /** The workspace this sender speaks for; undefined: the default one, as always. */
  private identity: Identity | undefined;

  /**
   * A sender whose commands, interactions, view submissions and events come
   * from another workspace (or org), with every field Slack sets for it.
   * Works on a subclass too (a Socket Mode sender stays one).
   */
  as(workspace: WorkspaceIdentity): this {
    const known = this.standIn.workspaceOf?.(workspace.teamId);
    const enterpriseId = workspace.enterpriseId ?? known?.enterpriseId;
    const isEnterpriseInstall = workspace.isEnterpriseInstall ?? false;
    const installationId = isEnterpriseInstall
      ? (enterpriseId ?? workspace.teamId)
      : workspace.teamId;
    const installed = this.standIn.installationOf?.(installationId);
    const bot = botUserFor(installationId);
    const copy = Object.assign(Object.create(Object.getPrototypeOf(this)), this) as this;
    copy.identity = {
      teamId: workspace.teamId,
      domain: workspace.domain ?? known?.domain ?? workspace.teamId.toLowerCase(),
      enterpriseId,
      enterpriseName: workspace.enterpriseName ?? known?.enterpriseName ?? enterpriseId,
      isEnterpriseInstall,
      botUserId: workspace.botUserId ?? installed?.botUserId ?? bot.botUserId,
      botId: workspace.botId ?? installed?.botId ?? bot.botId,
    };
    return copy;
  }

  /** The team this sender's requests come from. */
  get teamId(): string {
    return this.identity?.teamId ?? TEAM_ID;
  }

  private trigger(state: 'fresh' | 'expired' = 'fresh'): string {
    return this.identity === undefined
      ? this.standIn.mintTriggerId(state)
      : this.standIn.mintTriggerId(state, this.identity.teamId);
  }

  private responseUrlFor(): string {
    return this.identity === undefined
      ? this.standIn.responseUrl()
      : this.standIn.responseUrl(this.identity.teamId);
  }

  /** An interaction's team, enterprise and is_enterprise_install, as Slack sends them. */
  private interactionWorkspace(): Record<string, unknown> {
    const id = this.identity;
    if (id === undefined) return { team: { id: TEAM_ID, domain: 'alignment-test' } };
    return {
      team: {
        id: id.teamId,
        domain: id.domain,
        ...(id.enterpriseId === undefined
          ? {}
          : { enterprise_id: id.enterpriseId, enterprise_name: id.enterpriseName }),
      },
      enterprise:
        id.enterpriseId === undefined ? null : { id: id.enterpriseId, name: id.enterpriseName },
      is_enterprise_install: id.isEnterpriseInstall,
    };
  }

  /** The fields of a slash command, named as in Slack's payload. */
  commandPayload(fields: CommandFields): Record<string, string> {
    const id = this.identity;
    return {
      token: 'legacy-verification-token',
      team_id: id?.teamId ?? TEAM_ID,
      team_domain: id?.domain ?? 'alignment-test',
      ...(id?.enterpriseId === undefined
        ? {}
        : { enterprise_id: id.enterpriseId, enterprise_name: id.enterpriseName ?? '' }),
      channel_id: fields.channel,
      channel_name: fields.channelName ?? 'leadership',
      user_id: fields.user,
      user_name: fields.userName ?? fields.user.toLowerCase(),
      command: fields.command ?? '/alignment',
      text: fields.text ?? '',
      api_app_id: APP_ID,
      is_enterprise_install: id?.isEnterpriseInstall === true ? 'true' : 'false',
      response_url: this.responseUrlFor(),
      trigger_id: this.trigger(),
    };
  }

  command(fields: CommandFields, options?: SendOptions): Promise<SlackReply> {
    const body = new URLSearchParams(this.commandPayload(fields)).toString();
    return this.send(body, 'application/x-www-form-urlencoded', options);
  }

  /** A click on a button in a message (channel or DM), as Slack sends it. */
  buttonClick(click: ButtonClick): Record<string, unknown> {
    const user = {
      id: click.user,
      username: click.user.toLowerCase(),
      name: click.user.toLowerCase(),
      team_id: this.teamId,
    };
    return {
      type: 'block_actions',
      user,
      api_app_id: APP_ID,
      token: 'legacy-verification-token',
      container: {
        type: 'message',
        message_ts: click.messageTs ?? '1.000001',
        channel_id: click.channel,
        is_ephemeral: false,
      },
      trigger_id: this.trigger(click.expiredTrigger === true ? 'expired' : 'fresh'),
      ...this.interactionWorkspace(),
      channel: { id: click.channel, name: 'leadership' },
      message: {
        type: 'message',
        ts: click.messageTs ?? '1.000001',
        text: 'pulse',
        user: this.identity?.botUserId ?? BOT_USER_ID,
      },
      response_url: this.responseUrlFor(),
      actions: [
        {
          type: 'button',
          action_id: click.actionId,
          block_id: click.blockId ?? 'actions',
          text: { type: 'plain_text', text: 'Answer the pulse', emoji: true },
          value: click.value,
          style: 'primary',
          action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
        },
      ],
    };
  }

  /**
   * A click on a button inside an open modal, as Slack sends it: the view with
   * its current state (block_id → action_id → element state), so the app can
   * redraw the form without losing what was entered.
   */
  viewButtonClick(click: {
    user: string;
    view: OpenedView & { id: string };
    actionId: string;
    blockId: string;
    value: string;
    state: Record<string, Record<string, unknown>>;
  }): Record<string, unknown> {
    return {
      type: 'block_actions',
      user: {
        id: click.user,
        username: click.user.toLowerCase(),
        name: click.user.toLowerCase(),
        team_id: this.teamId,
      },
      api_app_id: APP_ID,
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: click.view.id },
      trigger_id: this.trigger(),
      ...this.interactionWorkspace(),
      view: {
        id: click.view.id,
        team_id: this.teamId,
        type: 'modal',
        blocks: click.view.blocks,
        private_metadata: click.view.private_metadata ?? '',
        callback_id: click.view.callback_id ?? '',
        state: { values: click.state },
        hash: `${click.view.id}.hash`,
        title: click.view.title,
        close: click.view.close ?? null,
        submit: click.view.submit ?? null,
        app_id: APP_ID,
        bot_id: this.identity?.botId ?? BOT_ID,
      },
      actions: [
        {
          type: 'button',
          action_id: click.actionId,
          block_id: click.blockId,
          text: { type: 'plain_text', text: 'button', emoji: true },
          value: click.value,
          action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
        },
      ],
    };
  }

  /** A modal submitted with the given input values (block_id → value), as Slack sends it. */
  viewSubmission(submission: ViewSubmission): Record<string, unknown> {
    const view = submission.view;
    const values: Record<string, Record<string, unknown>> = {};
    const blocks = view.blocks as { type?: string; block_id?: string; element?: InputElement }[];
    for (const [blockId, value] of Object.entries(submission.values)) {
      const block = blocks.find((b) => b.block_id === blockId);
      const element = block?.element ?? { type: 'plain_text_input', action_id: 'value' };
      // Each element's state as Slack sends it: typed text, a chosen person, a day, an option.
      values[blockId] = { [element.action_id]: inputState(element, value) };
    }
    if (submission.keepInitial === true)
      for (const block of blocks) {
        if (block.type !== 'input' || block.block_id === undefined || block.element === undefined)
          continue;
        if (block.block_id in values) continue;
        values[block.block_id] = {
          [block.element.action_id]: inputState(block.element, undefined),
        };
      }
    const { is_enterprise_install: _set, ...workspace } = this.interactionWorkspace();
    return {
      type: 'view_submission',
      ...workspace,
      user: {
        id: submission.user,
        username: submission.user.toLowerCase(),
        name: submission.user.toLowerCase(),
        team_id: this.teamId,
      },
      api_app_id: APP_ID,
      token: 'legacy-verification-token',
      trigger_id: this.trigger(),
      view: {
        id: view.id ?? 'V00000000',
        team_id: this.teamId,
        type: 'modal',
        blocks: view.blocks,
        private_metadata: view.private_metadata ?? '',
        callback_id: view.callback_id ?? '',
        state: { values },
        hash: `${view.id ?? 'V0'}.hash`,
        title: view.title,
        close: view.close ?? null,
        submit: view.submit ?? null,
        app_id: APP_ID,
        bot_id: this.identity?.botId ?? BOT_ID,
      },
      response_urls: [],
      is_enterprise_install: this.identity?.isEnterpriseInstall ?? false,
    };
  }

  interaction(payload: Record<string, unknown>, options?: SendOptions): Promise<SlackReply> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.send(body, 'application/x-www-form-urlencoded', options);
  }

  /** An Events API event, wrapped in Slack's event_callback envelope. */
  eventEnvelope(event: Record<string, unknown>): Record<string, unknown> {
    if (DOCS_SHAPED.has(event)) return this.uninstallEnvelope(event);
    const id = this.identity;
    if (id !== undefined) {
      const channel = typeof event.channel === 'string' ? event.channel : undefined;
      return {
        token: 'legacy-verification-token',
        team_id: id.teamId,
        ...(id.enterpriseId === undefined ? {} : { enterprise_id: id.enterpriseId }),
        api_app_id: APP_ID,
        event,
        type: 'event_callback',
        event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [
          {
            enterprise_id: id.enterpriseId ?? null,
            team_id: id.teamId,
            user_id: id.botUserId,
            is_bot: true,
            is_enterprise_install: id.isEnterpriseInstall,
          },
        ],
        is_ext_shared_channel:
          channel === undefined ? false : (this.standIn.isExtShared?.(channel) ?? false),
        context_team_id: id.teamId,
        context_enterprise_id: id.enterpriseId ?? null,
      };
    }
    return {
      token: 'legacy-verification-token',
      team_id: TEAM_ID,
      api_app_id: APP_ID,
      event,
      type: 'event_callback',
      event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    };
  }

  event(event: Record<string, unknown>, options?: SendOptions): Promise<SlackReply> {
    return this.send(JSON.stringify(this.eventEnvelope(event)), 'application/json', options);
  }

  /**
   * The envelope Slack sends app_uninstalled and tokens_revoked in, as its
   * docs show it: no authorizations (the installation is gone), the team (and
   * org) it happened in.
   */
  uninstallEnvelope(event: Record<string, unknown>): Record<string, unknown> {
    const id = this.identity;
    return {
      token: 'legacy-verification-token',
      team_id: id?.teamId ?? TEAM_ID,
      ...(id?.enterpriseId === undefined ? {} : { enterprise_id: id.enterpriseId }),
      api_app_id: APP_ID,
      event,
      type: 'event_callback',
      event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
    };
  }

  /** The app was uninstalled from this sender's workspace (or org): app_uninstalled. */
  appUninstalled(options?: SendOptions): Promise<SlackReply> {
    return this.event(appUninstalledEvent(), options);
  }

  /** Tokens of this workspace's installation were revoked (user ids by kind): tokens_revoked. */
  tokensRevoked(
    tokens: { oauth?: string[]; bot?: string[] },
    options?: SendOptions,
  ): Promise<SlackReply> {
    return this.event(tokensRevokedEvent(tokens), options);
  }

  async send(body: string, contentType: string, options: SendOptions = {}): Promise<SlackReply> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': contentType };
    if (!options.omit?.includes('timestamp'))
      headers['x-slack-request-timestamp'] = String(timestamp);
    if (!options.omit?.includes('signature')) {
      headers['x-slack-signature'] =
        options.signature ?? slackSignature(this.signingSecret, timestamp, body);
    }
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    const response = await fetch(this.endpoint, { method: 'POST', headers, body });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      json = undefined;
    }
    // What the app said in the acknowledgement is held to Slack's rules like every other answer.
    if (json !== undefined) this.standIn.ackProblems?.push(...checkAck(json));
    return { status: response.status, text, json };
  }
}

/**
 * Events built by appUninstalledEvent/tokensRevokedEvent: eventEnvelope wraps
 * them as Slack's docs show (uninstallEnvelope); a hand-made
 * `{ type: 'app_uninstalled' }` keeps the usual envelope, as before.
 */
const DOCS_SHAPED = new WeakSet<object>();

/** The app_uninstalled event, as Slack's docs give it. */
export function appUninstalledEvent(): Record<string, unknown> {
  const event = { type: 'app_uninstalled' };
  DOCS_SHAPED.add(event);
  return event;
}

/**
 * The tokens_revoked event: for each kind of token (oauth: user tokens, bot:
 * bot tokens), the ids of the users whose tokens were revoked.
 */
export function tokensRevokedEvent(tokens: {
  oauth?: string[];
  bot?: string[];
}): Record<string, unknown> {
  const event = {
    type: 'tokens_revoked',
    tokens: { oauth: tokens.oauth ?? [], bot: tokens.bot ?? [] },
  };
  DOCS_SHAPED.add(event);
  return event;
}
