import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkCall, checkPrivateAnswer, loadMethodSpec } from './slack-checks.js';

/**
 * A loopback stand-in for Slack's Web API. It answers the methods the app uses
 * as Slack does, records every call, and checks each one against Slack's
 * published method specs and Block Kit's limits: a call Slack would reject is a
 * violation, answered with `invalid_arguments`, and fails the test that made it.
 * Faults (429 with Retry-After, 500, ok:false errors, slow answers) can be
 * injected per method.
 *
 * It holds several workspaces and Enterprise Grid orgs at once. Every bot token
 * belongs to an installation (one workspace, or a whole org for an org-wide
 * install) and sees only what Slack would show that installation. Apps get
 * installed as Slack's OAuth v2 does it: the authorize page at
 * `/oauth/v2/authorize` (the test decides beforehand what the person does
 * there, with `nextAuthorization`), then `oauth.v2.access`, with token rotation
 * when configured. The default workspace (TEAM_ID) is installed from the start
 * with BOT_TOKEN.
 */

export const TEAM_ID = 'T0ALIGN01';
export const BOT_USER_ID = 'U0BOTPULSE';
export const BOT_ID = 'B0BOTPULSE';
export const APP_ID = 'A0ALIGNPLS';
export const BOT_TOKEN = 'xoxb-stand-in-token';

/** The bot scopes of the default installation (those the manifest asks for). */
export const DEFAULT_SCOPES = [
  'commands',
  'chat:write',
  'channels:read',
  'groups:read',
  'im:write',
  'users:read',
  'files:write',
];

/** How long an OAuth code can be exchanged, as Slack's docs say: ten minutes. */
export const CODE_LIFETIME_MS = 10 * 60_000;

export interface StandInWorkspace {
  teamId: string;
  name: string;
  /** The workspace's subdomain: https://{domain}.slack.com/ */
  domain: string;
  enterpriseId?: string;
  enterpriseName?: string;
}

export interface EnterpriseUser {
  enterprise_id: string;
  enterprise_name?: string;
  is_admin: boolean;
  is_owner: boolean;
  /** The workspaces of the org the person belongs to. */
  teams: string[];
}

export interface StandInUser {
  id: string;
  name: string;
  real_name?: string;
  is_bot?: boolean;
  is_app_user?: boolean;
  deleted?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  tz?: string;
  /** The person's workspace; TEAM_ID when not given. */
  team_id?: string;
  /** An Enterprise Grid person: a member of every workspace in `teams`. */
  enterprise_user?: EnterpriseUser;
}

export interface StandInChannel {
  id: string;
  name: string;
  members: string[];
  is_archived?: boolean;
  /** Whether the bot was invited; posting to a channel it is not in fails with not_in_channel. */
  botIsMember?: boolean;
  /** The workspace the channel was made in; TEAM_ID when not given. */
  team_id?: string;
  /**
   * Workspaces the channel is shared with: in the same org a multi-workspace
   * channel, across orgs (or standalone workspaces) a Slack Connect channel.
   */
  shared_team_ids?: string[];
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  user: string;
  updates: number;
  /** The workspace (or org, for an org-wide token) of the token that posted it. */
  team?: string;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** Why Slack would reject the call; empty when it passed the checks. */
  problems: string[];
  status: number;
  response: Record<string, unknown>;
  /**
   * The team id the calling token belongs to, or for an org-wide token its
   * enterprise id; undefined for a call without a known token.
   */
  team: string | undefined;
  /**
   * The workspace whose rate limits the call counts against: the token's team,
   * or for an org-wide token the team the call acts in (its team_id argument or
   * its channel's workspace), else the enterprise id.
   */
  workspace?: string;
  /** The token the call came with (bearer header or argument). */
  token?: string;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  problems: string[];
  /** The workspace whose request the response_url came with. */
  team?: string;
}

export type Fault =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 }
  | { error: string }
  | { delayMs: number }
  /** Slack takes the call (a message is posted) but its answer comes this late. */
  | { answerAfterMs: number };

/** What a token is: the installation it belongs to. */
export interface TokenInfo {
  /** The workspace; undefined for an org-wide install. */
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  botUserId: string;
  botId: string;
  appId: string;
  scopes: string[];
  /** When the token stops working (ms since the epoch); only with token rotation. */
  expiresAt?: number;
}

export interface IssuedToken extends TokenInfo {
  token: string;
  /** The installation's id: its team id, or its enterprise id for an org-wide install. */
  installation: string;
  issuedAt: number;
  via: 'default' | 'install' | 'refresh';
  /** With token rotation: the refresh token issued with this access token. */
  refreshToken?: string;
  /** The error the token answers once revoked (auth.revoke, revokeToken). */
  revoked?: string;
}

export interface InstallationInfo extends TokenInfo {
  /** Its team id, or its enterprise id for an org-wide install. */
  id: string;
  installerUserId?: string;
  /** The newest token that still works (not revoked, not expired). */
  token: string | undefined;
  /** Every token issued to it, oldest first. */
  tokens: IssuedToken[];
  /** The refresh token that can be used now (token rotation). */
  refreshToken?: string;
  /** Whether any of its tokens is still not revoked. */
  active: boolean;
}

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** The app's configured Redirect URL: used when the authorize URL names none. */
  redirectUri?: string;
  /** Token rotation: bot tokens expire after this many seconds and come with a refresh token. */
  tokenRotation?: { expiresInSeconds: number };
}

/** What the person on Slack's authorize page does, decided by the test beforehand. */
export interface AuthorizationDecision {
  /** The workspace they install into; TEAM_ID when neither it nor an org is given. */
  teamId?: string;
  enterpriseId?: string;
  /** An org-wide install: the whole org (enterpriseId, or teamId's org). */
  isEnterpriseInstall?: boolean;
  installerUserId: string;
  outcome?: 'allow' | 'cancel' | 'admin_approval_required';
}

export interface AuthorizeRequest {
  clientId: string | null;
  scopes: string[];
  userScopes: string[];
  state: string | null;
  redirectUri: string | null;
  /** The `team` parameter, when the app named a workspace. */
  team: string | null;
  /** What happened: the decision's outcome, or why Slack showed an error page. */
  outcome:
    | 'allow'
    | 'cancel'
    | 'admin_approval_required'
    | 'invalid_client_id'
    | 'bad_redirect_uri'
    | 'invalid_scope'
    | 'no_decision';
  status: number;
  /** Where the page sent the browser (allow and cancel). */
  location?: string;
}

/** Errors any method can answer, beside those its spec lists. */
const COMMON_ERRORS = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'ratelimited',
  'fatal_error',
  'internal_error',
  'request_timeout',
  'service_unavailable',
  'team_access_not_granted',
  'invalid_arguments',
]);

type Json = Record<string, unknown>;
type Handler = (args: Json, caller: IssuedToken) => Json;

interface RateLimits {
  speed: number;
  windows: Map<string, { start: number; count: number }>;
}

/** Calls a minute for each of Slack's rate-limit tiers (the published minimums). */
const TIER_PER_MINUTE: Record<string, number> = { t1: 1, t2: 20, t3: 50, t4: 100 };

function rateRule(
  method: string,
): { perWindow: number; windowMs: number; perChannel: boolean } | undefined {
  const tier = loadMethodSpec(method)?.rate_limits;
  if (tier === 't5' && method === 'chat.postMessage')
    return { perWindow: 1, windowMs: 1_000, perChannel: true };
  const perMinute = tier === undefined ? undefined : TIER_PER_MINUTE[tier];
  return perMinute === undefined
    ? undefined
    : { perWindow: perMinute, windowMs: 60_000, perChannel: false };
}

/**
 * The bot user an installation of the app has in a workspace or org: the
 * default workspace's is BOT_USER_ID/BOT_ID; any other's is derived from its id
 * (org-wide bots get a W id, as Grid users do). Slack keeps it across reinstalls.
 */
export function botUserFor(teamOrEnterpriseId: string): { botUserId: string; botId: string } {
  if (teamOrEnterpriseId === TEAM_ID) return { botUserId: BOT_USER_ID, botId: BOT_ID };
  const rest = teamOrEnterpriseId.slice(1);
  const prefix = teamOrEnterpriseId.startsWith('E') ? 'W' : 'U';
  return { botUserId: `${prefix}B${rest}`, botId: `BB${rest}` };
}

/** A user as users.info and users.list return one. */
function userRecord(user: StandInUser): Json {
  const { enterprise_user: grid, ...rest } = user;
  return {
    team_id: TEAM_ID,
    real_name: user.real_name ?? user.name,
    deleted: false,
    is_bot: false,
    is_app_user: false,
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    tz: 'Europe/London',
    ...rest,
    ...(grid === undefined
      ? {}
      : { enterprise_user: { id: user.id, is_primary_owner: false, ...grid, teams: grid.teams } }),
  };
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

class SlackError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

interface InstallationRecord {
  id: string;
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  botUserId: string;
  botId: string;
  appId: string;
  scopes: string[];
  installerUserId?: string;
  tokens: IssuedToken[];
}

interface Target {
  id: string;
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
}

interface CodeRecord {
  target: Target;
  installerUserId: string;
  scopes: string[];
  redirectUri: string | undefined;
  issuedAt: number;
  used: boolean;
}

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly users = new Map<string, StandInUser>();
  readonly channels = new Map<string, StandInChannel>();
  readonly workspaces = new Map<string, StandInWorkspace>();
  readonly messages: PostedMessage[] = [];
  readonly ephemerals: {
    channel: string;
    user: string;
    text: string;
    blocks: unknown[];
    team?: string;
  }[] = [];
  readonly openedViews: { id: string; trigger_id: string; view: Json; team_id?: string }[] = [];
  readonly homeViews = new Map<string, Json>();
  readonly uploads = new Map<
    string,
    { filename: string; length: number; bytes?: Buffer; title?: string; channel?: string }
  >();
  /**
   * Block types this workspace's Slack refuses with invalid_blocks (as one
   * that does not know the native chart yet would), though they pass the checks.
   */
  readonly refusedBlockTypes = new Set<string>();
  /** Page size used by conversations.members when the caller gives no limit. */
  membersPageSize = 100;
  /** Calls answered 429 because they went over a rate limit (see enforceRateLimits). */
  rateLimited = 0;
  /** The same, for each workspace whose limits were hit (see RecordedCall.workspace). */
  readonly rateLimitedIn = new Map<string, number>();
  /** Every request to the authorize page, in order: the scopes asked for and what happened. */
  readonly authorizeRequests: AuthorizeRequest[] = [];
  /** Every bot token issued, in order: the default one, installs and refreshes. */
  readonly tokensIssued: IssuedToken[] = [];

  private socketMode:
    | { appToken: string; openConnection(): string; problems: string[] }
    | undefined;
  private limits: RateLimits | undefined;
  private readonly faults = new Map<string, { fault: Fault; team?: string }[]>();
  private readonly triggers = new Map<
    string,
    { state: 'fresh' | 'used' | 'expired'; team: string }
  >();
  /** `${botUserId} ${userId}` → the DM channel between that bot and that person. */
  private readonly dmChannels = new Map<string, string>();
  private readonly dmOwners = new Map<string, { botUserId: string; userId: string }>();
  private readonly responseUrlTeams = new Map<string, string>();
  private readonly enterprises = new Map<string, { name: string }>();
  private readonly installations = new Map<string, InstallationRecord>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly refreshTokens = new Map<
    string,
    { installation: string; used: boolean; expiresInSeconds: number }
  >();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly decisions: AuthorizationDecision[] = [];
  private readonly authorizeProblems: string[] = [];
  private oauth: OAuthConfig | undefined;
  private counter = 0;
  private server!: Server;
  url = '';

  private constructor(readonly botToken: string) {
    this.workspaces.set(TEAM_ID, {
      teamId: TEAM_ID,
      name: 'Alignment Test',
      domain: 'alignment-test',
    });
    this.users.set(BOT_USER_ID, {
      id: BOT_USER_ID,
      name: 'alignment-pulse',
      is_bot: true,
      is_app_user: false,
    });
    const installation: InstallationRecord = {
      id: TEAM_ID,
      teamId: TEAM_ID,
      isEnterpriseInstall: false,
      botUserId: BOT_USER_ID,
      botId: BOT_ID,
      appId: APP_ID,
      scopes: [...DEFAULT_SCOPES],
      tokens: [],
    };
    this.installations.set(TEAM_ID, installation);
    this.issueToken(installation, botToken, 'default', undefined);
  }

  static async start(options: { botToken?: string } = {}): Promise<SlackStandIn> {
    const standIn = new SlackStandIn(options.botToken ?? BOT_TOKEN);
    standIn.server = createServer((req, res) => {
      standIn.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.url = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}/`;
    return standIn;
  }

  /** The base to hand the app as SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}api/`;
  }

  /** Slack's authorize page on this stand-in: `new URL('/oauth/v2/authorize', apiUrl)`. */
  get authorizeUrl(): string {
    return `${this.url}oauth/v2/authorize`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- setting the scene ------------------------------------------------------

  /** Another workspace, standalone or in an Enterprise Grid org (enterpriseId). */
  addWorkspace(workspace: {
    teamId: string;
    name: string;
    domain?: string;
    enterpriseId?: string;
    enterpriseName?: string;
  }): StandInWorkspace {
    const enterpriseName =
      workspace.enterpriseId === undefined
        ? undefined
        : (workspace.enterpriseName ??
          this.enterprises.get(workspace.enterpriseId)?.name ??
          workspace.enterpriseId);
    const added: StandInWorkspace = {
      teamId: workspace.teamId,
      name: workspace.name,
      domain: workspace.domain ?? slug(workspace.name),
      ...(workspace.enterpriseId === undefined
        ? {}
        : { enterpriseId: workspace.enterpriseId, enterpriseName }),
    };
    this.workspaces.set(added.teamId, added);
    if (workspace.enterpriseId !== undefined && enterpriseName !== undefined) {
      this.enterprises.set(workspace.enterpriseId, { name: enterpriseName });
      // An org-wide install's bot is a member of every workspace of the org.
      const orgWide = this.installations.get(workspace.enterpriseId);
      const bot = orgWide === undefined ? undefined : this.users.get(orgWide.botUserId);
      if (bot?.enterprise_user !== undefined && !bot.enterprise_user.teams.includes(added.teamId))
        bot.enterprise_user.teams.push(added.teamId);
    }
    return added;
  }

  /** A workspace the stand-in knows (TEAM_ID from the start, others by addWorkspace). */
  workspaceOf(teamId: string): StandInWorkspace | undefined {
    return this.workspaces.get(teamId);
  }

  addUser(user: StandInUser): StandInUser {
    this.users.set(user.id, user);
    return user;
  }

  addChannel(channel: StandInChannel): StandInChannel {
    this.channels.set(channel.id, { botIsMember: true, ...channel });
    return channel;
  }

  /**
   * A trigger_id as Slack puts in an interaction payload; usable once by
   * views.open, with a token of the workspace it came from (`team`).
   */
  mintTriggerId(state: 'fresh' | 'expired' = 'fresh', team: string = TEAM_ID): string {
    const id = `${++this.counter}.${team}.${randomUUID().replaceAll('-', '')}`;
    this.triggers.set(id, { state, team });
    return id;
  }

  /** A response_url as Slack puts in a slash command or interaction payload. */
  responseUrl(team?: string): string {
    const id = String(++this.counter);
    if (team !== undefined) this.responseUrlTeams.set(id, team);
    return `${this.url}response/${id}`;
  }

  /**
   * From now on the tokens of an installation are refused everywhere: the
   * default workspace's bot token when no id is given (as before), else every
   * token of that workspace's (or org's) installation, with its refresh token.
   * `invalid_auth` as after a revoke, `account_inactive` once the workspace or
   * bot is gone, `token_revoked` as after an uninstall.
   */
  revokeToken(
    error: 'invalid_auth' | 'account_inactive' | 'token_revoked' = 'invalid_auth',
    teamOrEnterpriseId: string = TEAM_ID,
  ): void {
    const installation = this.installations.get(teamOrEnterpriseId);
    if (installation === undefined)
      throw new Error(`the app is not installed in ${teamOrEnterpriseId}`);
    for (const token of installation.tokens) token.revoked = error;
    for (const record of this.refreshTokens.values())
      if (record.installation === installation.id) record.used = true;
  }

  /** Socket Mode: apps.connections.open answers the app-level token with this stand-in's URLs. */
  attachSocketMode(socket: {
    appToken: string;
    openConnection(): string;
    problems: string[];
  }): void {
    this.socketMode = socket;
  }

  /**
   * The next `times` calls to `method` meet `fault` instead of an answer; with
   * `team`, only calls whose token belongs to that team (or enterprise).
   */
  inject(method: string, fault: Fault, times = 1, options: { team?: string } = {}): void {
    if ('error' in fault) {
      const known = loadMethodSpec(method)?.errors ?? {};
      if (!(fault.error in known) && !COMMON_ERRORS.has(fault.error)) {
        throw new Error(`Slack's spec lists no error "${fault.error}" for ${method}`);
      }
    }
    const entry = options.team === undefined ? { fault } : { fault, team: options.team };
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...Array(times).fill(entry)]);
  }

  /** Slack is well again: the faults still queued for `method` are dropped. */
  clearFaults(method: string): void {
    this.faults.delete(method);
  }

  private takeFault(method: string, team: string | undefined): Fault | undefined {
    const queue = this.faults.get(method);
    const index = queue?.findIndex((f) => f.team === undefined || f.team === team) ?? -1;
    if (queue === undefined || index < 0) return undefined;
    return queue.splice(index, 1)[0]?.fault;
  }

  /**
   * Answers as Slack does once an app goes over a method's published rate limit:
   * 429 with Retry-After (whole seconds, rounded up) until the window frees.
   * Each method's tier comes from its spec: Tier 1–4 allow 1, 20, 50 and 100
   * calls a minute per workspace; chat.postMessage (Slack's special tier) one
   * message a second per channel. The windows are per app per workspace, as
   * Slack's are: a token's own workspace, or for an org-wide token the workspace
   * the call acts in. Slack allows short bursts above these; the stand-in
   * allows none, so it is stricter than Slack. `speed` shortens every window by
   * that factor so a benchmark need not wait real minutes.
   */
  enforceRateLimits(options: { speed?: number } = {}): void {
    this.limits = { speed: options.speed ?? 1, windows: new Map() };
  }

  /** The least time the enforced limits allow for these calls in one workspace, in milliseconds. */
  minimumTimeMs(callsByMethod: Record<string, number>, perChannel = false): number {
    const speed = this.limits?.speed ?? 1;
    let longest = 0;
    for (const [method, count] of Object.entries(callsByMethod)) {
      const rule = rateRule(method);
      if (rule === undefined || (rule.perChannel && !perChannel)) continue;
      const windows = Math.ceil(count / rule.perWindow);
      longest = Math.max(longest, ((windows - 1) * rule.windowMs) / speed);
    }
    return longest;
  }

  /** When over a limit, the whole seconds to wait; undefined when the call may go ahead. */
  private overLimit(method: string, args: Json, workspace: string | undefined): number | undefined {
    if (this.limits === undefined) return undefined;
    const rule = rateRule(method);
    if (rule === undefined) return undefined;
    const scope = `${workspace ?? '-'} ${method}`;
    const key = rule.perChannel ? `${scope} ${String(args.channel)}` : scope;
    const windowMs = rule.windowMs / this.limits.speed;
    const now = Date.now();
    const window = this.limits.windows.get(key);
    if (window === undefined || now - window.start >= windowMs) {
      this.limits.windows.set(key, { start: now, count: 1 });
      return undefined;
    }
    if (window.count < rule.perWindow) {
      window.count += 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
  }

  // ---- OAuth and installations ----------------------------------------------------

  /** The app's OAuth settings, as on its app config page. */
  configureOAuth(config: OAuthConfig): void {
    this.oauth = { ...config };
  }

  /**
   * What the next person on the authorize page does (queued, first in first
   * out): allow (default), cancel, or ask for an admin's approval.
   */
  nextAuthorization(decision: AuthorizationDecision): void {
    this.target(decision); // refuses a decision naming a workspace or org the stand-in lacks
    this.decisions.push(decision);
  }

  /**
   * Installs the app as if someone went through OAuth (without the pages):
   * the new token, with its refresh token when rotation is configured.
   */
  install(options: {
    teamId?: string;
    enterpriseId?: string;
    isEnterpriseInstall?: boolean;
    scopes?: string[];
    installerUserId?: string;
  }): IssuedToken {
    try {
      return this.installInto(
        this.target(options),
        options.scopes ?? [...DEFAULT_SCOPES],
        options.installerUserId,
      );
    } catch (error) {
      if (error instanceof SlackError) throw new Error(`install: ${error.error}`);
      throw error;
    }
  }

  /** The installation in a workspace (team id) or, org-wide, in an org (enterprise id). */
  installationOf(teamOrEnterpriseId: string): InstallationInfo | undefined {
    const installation = this.installations.get(teamOrEnterpriseId);
    if (installation === undefined) return undefined;
    const working = installation.tokens.filter((t) => this.refusal(t) === undefined);
    const newest = working.at(-1) ?? installation.tokens.at(-1);
    const refresh = [...this.refreshTokens.entries()].find(
      ([, r]) => r.installation === installation.id && !r.used,
    )?.[0];
    const { tokens, ...rest } = installation;
    return {
      ...rest,
      scopes: [...installation.scopes],
      token: working.at(-1)?.token,
      tokens: [...tokens],
      ...(newest?.expiresAt === undefined ? {} : { expiresAt: newest.expiresAt }),
      ...(refresh === undefined ? {} : { refreshToken: refresh }),
      active: installation.tokens.some((t) => t.revoked === undefined),
    };
  }

  /** Where an install goes: the installation's id, workspace and org. */
  private target(where: {
    teamId?: string;
    enterpriseId?: string;
    isEnterpriseInstall?: boolean;
  }): Target {
    if (where.isEnterpriseInstall === true) {
      const enterpriseId =
        where.enterpriseId ??
        (where.teamId === undefined ? undefined : this.workspaces.get(where.teamId)?.enterpriseId);
      if (enterpriseId === undefined || !this.enterprises.has(enterpriseId))
        throw new Error(
          `an org-wide install needs an org the stand-in knows (addWorkspace with enterpriseId); got ${JSON.stringify(where)}`,
        );
      return { id: enterpriseId, enterpriseId, isEnterpriseInstall: true };
    }
    const teamId = where.teamId ?? TEAM_ID;
    const workspace = this.workspaces.get(teamId);
    if (workspace === undefined)
      throw new Error(`no workspace ${teamId} in the stand-in: addWorkspace it first`);
    if (where.enterpriseId !== undefined && where.enterpriseId !== workspace.enterpriseId)
      throw new Error(`workspace ${teamId} is not in org ${where.enterpriseId}`);
    return {
      id: teamId,
      teamId,
      ...(workspace.enterpriseId === undefined ? {} : { enterpriseId: workspace.enterpriseId }),
      isEnterpriseInstall: false,
    };
  }

  private installInto(
    target: Target,
    scopes: string[],
    installerUserId: string | undefined,
  ): IssuedToken {
    if (!target.isEnterpriseInstall && target.enterpriseId !== undefined) {
      const orgWide = this.installations.get(target.enterpriseId);
      if (orgWide?.tokens.some((t) => t.revoked === undefined))
        throw new SlackError('cannot_install_an_org_installed_app');
    }
    let installation = this.installations.get(target.id);
    if (installation === undefined) {
      // A new bot user, kept across reinstalls (as Slack keeps it).
      const bot = botUserFor(target.id);
      installation = {
        ...target,
        botUserId: bot.botUserId,
        botId: bot.botId,
        appId: APP_ID,
        scopes,
        tokens: [],
      };
      this.installations.set(target.id, installation);
      if (!this.users.has(bot.botUserId)) this.addBotUser(installation);
    }
    installation.scopes = [...scopes];
    if (installerUserId !== undefined) installation.installerUserId = installerUserId;
    const rotation = this.oauth?.tokenRotation?.expiresInSeconds;
    return this.issueToken(installation, undefined, 'install', rotation);
  }

  private addBotUser(installation: InstallationRecord): void {
    const enterpriseId = installation.enterpriseId;
    const user: StandInUser = {
      id: installation.botUserId,
      name: 'alignment-pulse',
      is_bot: true,
      is_app_user: false,
      team_id: installation.teamId ?? enterpriseId ?? TEAM_ID,
    };
    if (installation.isEnterpriseInstall && enterpriseId !== undefined)
      user.enterprise_user = {
        enterprise_id: enterpriseId,
        enterprise_name: this.enterprises.get(enterpriseId)?.name ?? enterpriseId,
        is_admin: false,
        is_owner: false,
        teams: [...this.workspaces.values()]
          .filter((w) => w.enterpriseId === enterpriseId)
          .map((w) => w.teamId),
      };
    this.users.set(user.id, user);
  }

  private issueToken(
    installation: InstallationRecord,
    given: string | undefined,
    via: IssuedToken['via'],
    expiresInSeconds: number | undefined,
  ): IssuedToken {
    const rotating = expiresInSeconds !== undefined;
    // The default token is given: it takes no number, so ids and ts stay as they were.
    const n = given === undefined ? ++this.counter : 0;
    const secret = randomBytes(12).toString('hex');
    const token = given ?? (rotating ? `xoxe.xoxb-1-${n}-${secret}` : `xoxb-${n}-${secret}`);
    const issued: IssuedToken = {
      token,
      installation: installation.id,
      ...(installation.teamId === undefined ? {} : { teamId: installation.teamId }),
      ...(installation.enterpriseId === undefined
        ? {}
        : { enterpriseId: installation.enterpriseId }),
      isEnterpriseInstall: installation.isEnterpriseInstall,
      botUserId: installation.botUserId,
      botId: installation.botId,
      appId: installation.appId,
      scopes: [...installation.scopes],
      issuedAt: Date.now(),
      via,
    };
    if (rotating) {
      issued.expiresAt = issued.issuedAt + expiresInSeconds * 1000;
      issued.refreshToken = `xoxe-1-${n}-${randomBytes(12).toString('hex')}`;
      this.refreshTokens.set(issued.refreshToken, {
        installation: installation.id,
        used: false,
        expiresInSeconds,
      });
    }
    installation.tokens.push(issued);
    this.tokens.set(token, issued);
    this.tokensIssued.push(issued);
    return issued;
  }

  /** Why Slack would refuse this token now; undefined when it works. */
  private refusal(token: IssuedToken): string | undefined {
    if (token.revoked !== undefined) return token.revoked;
    if (token.expiresAt !== undefined && Date.now() >= token.expiresAt) return 'token_expired';
    return undefined;
  }

  // ---- what a token sees ------------------------------------------------------------

  private teamOfUser(user: StandInUser): string {
    return user.team_id ?? TEAM_ID;
  }

  private orgOfUser(user: StandInUser): string | undefined {
    return (
      user.enterprise_user?.enterprise_id ??
      this.workspaces.get(this.teamOfUser(user))?.enterpriseId
    );
  }

  private canSeeUser(caller: IssuedToken, user: StandInUser): boolean {
    if (caller.isEnterpriseInstall) return this.orgOfUser(user) === caller.enterpriseId;
    const team = caller.teamId ?? '';
    return this.teamOfUser(user) === team || (user.enterprise_user?.teams.includes(team) ?? false);
  }

  /** Whether a user is a member of a workspace (for users.list with an org token's team_id). */
  private inTeam(user: StandInUser, team: string): boolean {
    return this.teamOfUser(user) === team || (user.enterprise_user?.teams.includes(team) ?? false);
  }

  private channelTeams(channel: StandInChannel): string[] {
    return [channel.team_id ?? TEAM_ID, ...(channel.shared_team_ids ?? [])];
  }

  private canSeeTeam(caller: IssuedToken, team: string): boolean {
    if (caller.isEnterpriseInstall)
      return this.workspaces.get(team)?.enterpriseId === caller.enterpriseId;
    return team === caller.teamId;
  }

  private canSeeChannel(caller: IssuedToken, channel: StandInChannel): boolean {
    return this.channelTeams(channel).some((team) => this.canSeeTeam(caller, team));
  }

  /**
   * Whether a channel is shared outside its org (Slack Connect): two of its
   * workspaces belong to different orgs, or are standalone.
   */
  isExtShared(channelId: string): boolean {
    const channel = this.channels.get(channelId);
    if (channel === undefined) return false;
    const orgs = new Set(
      this.channelTeams(channel).map((team) => this.workspaces.get(team)?.enterpriseId ?? team),
    );
    return orgs.size > 1;
  }

  /** The team id a token belongs to, or its enterprise id when org-wide. */
  private teamOfToken(caller: IssuedToken): string {
    return caller.isEnterpriseInstall ? (caller.enterpriseId ?? '') : (caller.teamId ?? '');
  }

  /** The workspace a call acts in, for an org-wide token: its team_id, or its channel's. */
  private workspaceOfCall(caller: IssuedToken, args: Json): string {
    if (!caller.isEnterpriseInstall) return caller.teamId ?? '';
    if (typeof args.team_id === 'string' && args.team_id !== '') return args.team_id;
    const target = args.channel ?? args.channel_id ?? args.user ?? args.user_id;
    if (typeof target === 'string') {
      const channel = this.channels.get(target);
      if (channel !== undefined) return channel.team_id ?? TEAM_ID;
      const person = this.users.get(this.dmOwners.get(target)?.userId ?? target);
      if (person !== undefined) return this.teamOfUser(person);
    }
    return caller.enterpriseId ?? '';
  }

  // ---- reading what happened ----------------------------------------------------

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Calls made with tokens of a workspace (team id), or of an org-wide install (enterprise id). */
  callsFrom(teamOrEnterpriseId: string): RecordedCall[] {
    return this.calls.filter((call) => call.team === teamOrEnterpriseId);
  }

  /**
   * For each workspace whose limits calls counted against (RecordedCall.workspace):
   * how many calls, how many answered 429 (enforced or injected).
   */
  workspaceStats(): Map<string, { calls: number; rateLimited: number }> {
    const stats = new Map<string, { calls: number; rateLimited: number }>();
    for (const call of this.calls) {
      if (call.workspace === undefined) continue;
      const entry = stats.get(call.workspace) ?? { calls: 0, rateLimited: 0 };
      entry.calls += 1;
      if (call.status === 429) entry.rateLimited += 1;
      stats.set(call.workspace, entry);
    }
    return stats;
  }

  /** Problems found in what the app answered in an acknowledgement (checked by the sender). */
  readonly ackProblems: string[] = [];

  /** Every call (and response_url post) Slack would have rejected, as readable lines. */
  violations(): string[] {
    return [
      ...this.calls.flatMap((call) => call.problems.map((p) => `${call.method}: ${p}`)),
      ...this.responseUrlPosts.flatMap((post) => post.problems.map((p) => `response_url: ${p}`)),
      ...this.ackProblems.map((p) => `ack: ${p}`),
      ...(this.socketMode?.problems ?? []).map((p) => `socket mode: ${p}`),
      ...this.authorizeProblems.map((p) => `authorize: ${p}`),
    ];
  }

  messagesIn(channel: string): PostedMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  /**
   * The DM channel the app has with a user, if it opened or posted to one: the
   * default bot's, or with `teamOrEnterpriseId` that installation's bot's.
   */
  dmChannelOf(userId: string, teamOrEnterpriseId?: string): string | undefined {
    const bot =
      teamOrEnterpriseId === undefined
        ? BOT_USER_ID
        : (this.installations.get(teamOrEnterpriseId)?.botUserId ?? '');
    const own = this.dmChannels.get(`${bot} ${userId}`);
    if (own !== undefined || teamOrEnterpriseId !== undefined) return own;
    return [...this.dmOwners.entries()].find(([, o]) => o.userId === userId)?.[0];
  }

  // ---- HTTP -----------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      await this.handleApi(url.pathname.slice('/api/'.length), url, req, raw, res);
    } else if (url.pathname === '/oauth/v2/authorize') {
      this.handleAuthorize(url, res);
    } else if (url.pathname.startsWith('/response/')) {
      this.handleResponseUrl(url.pathname.slice('/response/'.length), raw, res);
    } else if (url.pathname.startsWith('/upload/')) {
      this.handleUpload(
        url.pathname.slice('/upload/'.length),
        fileContent(req.headers['content-type'] ?? '', raw),
        res,
      );
    } else {
      res.writeHead(404).end();
    }
  }

  private async handleApi(
    method: string,
    url: URL,
    req: IncomingMessage,
    raw: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const args = parseArgs(req.headers['content-type'] ?? '', raw, url);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const caller = token === undefined ? undefined : this.tokens.get(token);
    const team = caller === undefined ? undefined : this.teamOfToken(caller);
    const workspace = caller === undefined ? undefined : this.workspaceOfCall(caller, args);
    let answerAfterMs = 0;
    const send = (
      status: number,
      body: Json,
      headers: Record<string, string> = {},
      problems: string[] = [],
    ) => {
      this.calls.push({
        method,
        args,
        problems,
        status,
        response: body,
        team,
        ...(workspace === undefined ? {} : { workspace }),
        ...(token === undefined ? {} : { token }),
      });
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      if (answerAfterMs > 0) setTimeout(answer, answerAfterMs);
      else answer();
    };

    const fault = this.takeFault(method, team);
    if (fault !== undefined && 'answerAfterMs' in fault) {
      answerAfterMs = fault.answerAfterMs;
    } else if (fault !== undefined && 'delayMs' in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    } else if (fault !== undefined) {
      if ('status' in fault && fault.status === 429) {
        send(
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(fault.retryAfterSeconds) },
        );
      } else if ('status' in fault) {
        send(500, { ok: false, error: 'internal_error' });
      } else {
        send(200, { ok: false, error: fault.error });
      }
      return;
    }

    const wait = this.overLimit(method, args, workspace);
    if (wait !== undefined) {
      this.rateLimited += 1;
      const key = workspace ?? '-';
      this.rateLimitedIn.set(key, (this.rateLimitedIn.get(key) ?? 0) + 1);
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
    }

    if (method === 'oauth.v2.access') {
      // No bearer token: the app's client id and secret (Basic auth or arguments).
      const problems = checkCall(method, args);
      if (problems.length > 0)
        return send(200, { ok: false, error: 'invalid_arguments' }, {}, problems);
      try {
        return send(200, { ok: true, ...this.oauthAccess(args, req.headers.authorization) });
      } catch (error) {
        if (!(error instanceof SlackError)) throw error;
        return send(200, { ok: false, error: error.error });
      }
    }

    if (token === undefined) return send(200, { ok: false, error: 'not_authed' });
    if (method === 'apps.connections.open') {
      // Socket Mode: only the app-level token opens a connection.
      const socket = this.socketMode;
      if (socket === undefined || token !== socket.appToken)
        return send(200, { ok: false, error: 'invalid_auth' });
      const problems = checkCall(method, args, { tokenInHeader: bearer !== undefined });
      if (problems.length > 0)
        return send(200, { ok: false, error: 'invalid_arguments' }, {}, problems);
      return send(200, { ok: true, url: socket.openConnection() });
    }
    if (caller === undefined) return send(200, { ok: false, error: 'invalid_auth' });
    const refused = this.refusal(caller);
    if (refused !== undefined) return send(200, { ok: false, error: refused });

    // Slack takes team_id on every method (org-wide apps name the workspace with
    // it; Bolt's clients always send it); a workspace token's is ignored.
    const checked = withoutTeamId(method, args);
    const problems = checkCall(method, checked, { tokenInHeader: bearer !== undefined });
    if (problems.length > 0) {
      return send(
        200,
        { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } },
        {},
        problems,
      );
    }
    if (
      caller.isEnterpriseInstall &&
      typeof args.team_id === 'string' &&
      args.team_id !== '' &&
      !this.canSeeTeam(caller, args.team_id)
    )
      return send(200, { ok: false, error: 'team_access_not_granted' });
    const given = typeof args.blocks === 'string' ? parseJson<unknown>(args.blocks) : args.blocks;
    const blocks = Array.isArray(given) ? (given as { type?: unknown }[]) : [];
    if (blocks.some((b) => typeof b?.type === 'string' && this.refusedBlockTypes.has(b.type)))
      return send(200, { ok: false, error: 'invalid_blocks' });
    const handler = this.handlers[method];
    if (handler === undefined) {
      const problem = `the stand-in does not implement ${method}: add it before the app calls it`;
      return send(200, { ok: false, error: 'unknown_method' }, {}, [problem]);
    }
    try {
      send(200, { ok: true, ...handler(args, caller) });
    } catch (error) {
      if (!(error instanceof SlackError)) throw error;
      send(200, { ok: false, error: error.error });
    }
  }

  /** Slack's authorize page: what the person does there was queued by nextAuthorization. */
  private handleAuthorize(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    const list = (name: string) =>
      (p.get(name) ?? '')
        .split(/[ ,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    const request: AuthorizeRequest = {
      clientId: p.get('client_id'),
      scopes: list('scope'),
      userScopes: list('user_scope'),
      state: p.get('state'),
      redirectUri: p.get('redirect_uri'),
      team: p.get('team'),
      outcome: 'no_decision',
      status: 0,
    };
    this.authorizeRequests.push(request);
    const page = (status: number, title: string, text: string, problem?: string) => {
      request.status = status;
      if (problem !== undefined) this.authorizeProblems.push(problem);
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(htmlPage(title, text));
    };
    const oauth = this.oauth;
    if (oauth === undefined || request.clientId !== oauth.clientId) {
      request.outcome = 'invalid_client_id';
      page(
        400,
        'Invalid client_id parameter',
        'This link does not name an app Slack knows (invalid client_id).',
        `unknown client_id ${JSON.stringify(request.clientId)}`,
      );
      return;
    }
    const redirect = request.redirectUri ?? oauth.redirectUri;
    if (
      redirect === undefined ||
      (request.redirectUri !== null &&
        oauth.redirectUri !== undefined &&
        !redirectMatches(request.redirectUri, oauth.redirectUri))
    ) {
      request.outcome = 'bad_redirect_uri';
      page(
        400,
        'redirect_uri did not match',
        'The redirect_uri does not match any Redirect URL configured for this app (bad_redirect_uri).',
        `redirect_uri ${JSON.stringify(request.redirectUri)} does not match the configured ${JSON.stringify(oauth.redirectUri)}`,
      );
      return;
    }
    if (request.scopes.length === 0 && request.userScopes.length === 0) {
      request.outcome = 'invalid_scope';
      page(
        400,
        'Invalid permissions requested',
        'The link asks for no scope or user_scope.',
        'the authorize URL asks for no scope and no user_scope',
      );
      return;
    }
    const decision = this.decisions.shift();
    if (decision === undefined) {
      request.outcome = 'no_decision';
      request.status = 500;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        'stand-in: nobody is on the authorize page: call standIn.nextAuthorization(...) first',
      );
      return;
    }
    const outcome = decision.outcome ?? 'allow';
    request.outcome = outcome;
    const target = this.target(decision);
    if (outcome === 'admin_approval_required') {
      const where = target.teamId ?? target.enterpriseId ?? '';
      const name =
        this.workspaces.get(where)?.name ?? this.enterprises.get(where)?.name ?? 'your workspace';
      page(
        200,
        'Request sent',
        `Apps need an admin's approval in ${escapeHtml(name)}. Your request to install this app was sent to the admins; you will get a message once they decide.`,
      );
      return;
    }
    const location = new URL(redirect);
    if (outcome === 'cancel') {
      location.searchParams.set('error', 'access_denied');
    } else {
      const code = `${++this.counter}.${randomBytes(16).toString('hex')}`;
      this.codes.set(code, {
        target,
        installerUserId: decision.installerUserId,
        scopes: request.scopes,
        redirectUri: request.redirectUri ?? undefined,
        issuedAt: Date.now(),
        used: false,
      });
      location.searchParams.set('code', code);
    }
    if (request.state !== null) location.searchParams.set('state', request.state);
    request.status = 302;
    request.location = location.toString();
    res.writeHead(302, { location: request.location, 'content-type': 'text/html' });
    res.end();
  }

  /** oauth.v2.access: a code (or a refresh token) for a bot token. */
  private oauthAccess(args: Json, authorization: string | undefined): Json {
    const basic = /^Basic (.+)$/.exec(authorization ?? '')?.[1];
    let clientId = typeof args.client_id === 'string' ? args.client_id : undefined;
    let clientSecret = typeof args.client_secret === 'string' ? args.client_secret : undefined;
    if (basic !== undefined) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decoded.slice(0, colon < 0 ? undefined : colon);
      clientSecret = colon < 0 ? '' : decoded.slice(colon + 1);
    }
    const oauth = this.oauth;
    if (oauth === undefined || clientId !== oauth.clientId)
      throw new SlackError('invalid_client_id');
    if (clientSecret !== oauth.clientSecret) throw new SlackError('bad_client_secret');
    const grant = typeof args.grant_type === 'string' ? args.grant_type : 'authorization_code';
    if (grant === 'refresh_token') return this.refreshGrant(args);
    if (grant !== 'authorization_code') throw new SlackError('invalid_grant_type');

    const code = typeof args.code === 'string' ? this.codes.get(args.code) : undefined;
    if (code === undefined || code.used || Date.now() - code.issuedAt > CODE_LIFETIME_MS)
      throw new SlackError('invalid_code');
    const redirectUri = typeof args.redirect_uri === 'string' ? args.redirect_uri : undefined;
    const expected = code.redirectUri ?? oauth.redirectUri;
    if (code.redirectUri !== undefined && redirectUri !== code.redirectUri)
      throw new SlackError('bad_redirect_uri');
    if (redirectUri !== undefined && expected !== undefined && redirectUri !== expected)
      throw new SlackError('bad_redirect_uri');
    const issued = this.installInto(code.target, code.scopes, code.installerUserId);
    code.used = true;
    return {
      ...this.grantAnswer(issued),
      authed_user: { id: code.installerUserId },
    };
  }

  private refreshGrant(args: Json): Json {
    const given = typeof args.refresh_token === 'string' ? args.refresh_token : '';
    const record = this.refreshTokens.get(given);
    const installation =
      record === undefined ? undefined : this.installations.get(record.installation);
    if (record === undefined || record.used || installation === undefined)
      throw new SlackError('invalid_refresh_token');
    record.used = true;
    const issued = this.issueToken(installation, undefined, 'refresh', record.expiresInSeconds);
    return this.grantAnswer(issued);
  }

  /** The fields oauth.v2.access answers with for a bot token. */
  private grantAnswer(issued: IssuedToken): Json {
    const workspace = issued.teamId === undefined ? undefined : this.workspaces.get(issued.teamId);
    const enterprise =
      issued.enterpriseId === undefined ? undefined : this.enterprises.get(issued.enterpriseId);
    return {
      access_token: issued.token,
      token_type: 'bot',
      scope: issued.scopes.join(','),
      bot_user_id: issued.botUserId,
      app_id: issued.appId,
      team:
        issued.isEnterpriseInstall || workspace === undefined
          ? null
          : { id: workspace.teamId, name: workspace.name },
      enterprise:
        issued.enterpriseId === undefined
          ? null
          : { id: issued.enterpriseId, name: enterprise?.name ?? issued.enterpriseId },
      is_enterprise_install: issued.isEnterpriseInstall,
      ...(issued.expiresAt === undefined || issued.refreshToken === undefined
        ? {}
        : {
            expires_in: Math.round((issued.expiresAt - issued.issuedAt) / 1000),
            refresh_token: issued.refreshToken,
          }),
    };
  }

  private handleResponseUrl(id: string, raw: Buffer, res: ServerResponse): void {
    let body: Json = {};
    const problems: string[] = [];
    try {
      body = JSON.parse(raw.toString('utf8')) as Json;
    } catch {
      problems.push('the body is not JSON');
    }
    problems.push(...checkPrivateAnswer(body));
    if (typeof body.text !== 'string' && body.delete_original !== true) {
      problems.push('a response_url message needs a text (the notification fallback)');
    }
    const team = this.responseUrlTeams.get(id);
    this.responseUrlPosts.push({ id, body, problems, ...(team === undefined ? {} : { team }) });
    res.writeHead(problems.length > 0 ? 400 : 200, { 'content-type': 'text/plain' });
    res.end(problems.length > 0 ? 'invalid_payload' : 'ok');
  }

  private handleUpload(fileId: string, raw: Buffer, res: ServerResponse): void {
    const upload = this.uploads.get(fileId);
    if (upload === undefined) {
      res.writeHead(404).end();
      return;
    }
    upload.bytes = raw;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
  }

  // ---- the methods -------------------------------------------------------------------

  private nextTs(): string {
    this.counter += 1;
    return `${1_763_800_000 + this.counter}.${String(this.counter).padStart(6, '0')}`;
  }

  /** Resolves where a message goes: a channel the bot is in, or a person's DM. */
  private destination(channel: string, caller: IssuedToken): string {
    const user = this.users.get(channel);
    if (user !== undefined) {
      if (user.deleted === true || !this.canSeeUser(caller, user))
        throw new SlackError('channel_not_found');
      return this.openDm(caller.botUserId, user.id);
    }
    if (channel.startsWith('D')) {
      if (this.dmOwners.get(channel)?.botUserId !== caller.botUserId)
        throw new SlackError('channel_not_found');
      return channel;
    }
    const found = this.channels.get(channel);
    if (found === undefined || !this.canSeeChannel(caller, found))
      throw new SlackError('channel_not_found');
    if (found.is_archived === true) throw new SlackError('is_archived');
    if (found.botIsMember !== true) throw new SlackError('not_in_channel');
    return channel;
  }

  private openDm(botUserId: string, userId: string): string {
    const key = `${botUserId} ${userId}`;
    let dm = this.dmChannels.get(key);
    if (dm === undefined) {
      dm = `D${String(++this.counter).padStart(8, '0')}`;
      this.dmChannels.set(key, dm);
      this.dmOwners.set(dm, { botUserId, userId });
    }
    return dm;
  }

  /** The team a view shows in: the token's workspace, or for an org token the user's. */
  private viewTeam(caller: IssuedToken, user: StandInUser | undefined): string {
    if (!caller.isEnterpriseInstall) return caller.teamId ?? TEAM_ID;
    return user === undefined ? (caller.enterpriseId ?? '') : this.teamOfUser(user);
  }

  private readonly handlers: Record<string, Handler> = {
    'auth.test': (_args, caller) => {
      const expiresIn =
        caller.expiresAt === undefined
          ? {}
          : { expires_in: Math.max(0, Math.floor((caller.expiresAt - Date.now()) / 1000)) };
      if (caller.isEnterpriseInstall) {
        // An org-wide token answers for the org: its id in team_id and enterprise_id.
        const id = caller.enterpriseId ?? '';
        const name = this.enterprises.get(id)?.name ?? id;
        return {
          url: `https://${slug(name)}.enterprise.slack.com/`,
          team: name,
          user: 'alignment-pulse',
          team_id: id,
          user_id: caller.botUserId,
          bot_id: caller.botId,
          app_id: caller.appId,
          enterprise_id: id,
          is_enterprise_install: true,
          ...expiresIn,
        };
      }
      const workspace = this.workspaces.get(caller.teamId ?? TEAM_ID);
      return {
        url: `https://${workspace?.domain ?? 'alignment-test'}.slack.com/`,
        team: workspace?.name ?? 'Alignment Test',
        user: 'alignment-pulse',
        team_id: caller.teamId,
        user_id: caller.botUserId,
        bot_id: caller.botId,
        app_id: caller.appId,
        ...(caller.enterpriseId === undefined ? {} : { enterprise_id: caller.enterpriseId }),
        is_enterprise_install: false,
        ...expiresIn,
      };
    },

    'auth.revoke': (args, caller) => {
      // test=1 only tries: the token stays.
      const trying = args.test === true || args.test === 'true' || args.test === '1';
      if (!trying) caller.revoked = 'token_revoked';
      return { revoked: !trying };
    },

    'chat.postMessage': (args, caller) => {
      const channel = this.destination(String(args.channel), caller);
      const message: PostedMessage = {
        channel,
        ts: this.nextTs(),
        text: String(args.text ?? ''),
        blocks: parseJson(args.blocks) ?? [],
        user: caller.botUserId,
        updates: 0,
        team: this.teamOfToken(caller),
      };
      this.messages.push(message);
      return {
        channel,
        ts: message.ts,
        message: {
          type: 'message',
          text: message.text,
          user: caller.botUserId,
          bot_id: caller.botId,
          blocks: message.blocks,
          ts: message.ts,
        },
      };
    },

    'chat.update': (args, caller) => {
      const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
      if (message === undefined) throw new SlackError('message_not_found');
      if (message.user !== caller.botUserId) throw new SlackError('cant_update_message');
      message.text = String(args.text ?? message.text);
      message.blocks = parseJson(args.blocks) ?? message.blocks;
      message.updates += 1;
      return {
        channel: message.channel,
        ts: message.ts,
        text: message.text,
        message: { text: message.text, blocks: message.blocks },
      };
    },

    'chat.postEphemeral': (args, caller) => {
      const channel = String(args.channel);
      const user = this.users.get(String(args.user));
      if (user === undefined || !this.canSeeUser(caller, user))
        throw new SlackError('user_not_in_channel');
      this.ephemerals.push({
        channel,
        user: user.id,
        text: String(args.text ?? ''),
        blocks: parseJson(args.blocks) ?? [],
        team: this.teamOfToken(caller),
      });
      return { message_ts: this.nextTs() };
    },

    'conversations.open': (args, caller) => {
      const ids = String(args.users ?? '')
        .split(',')
        .filter(Boolean);
      if (ids.length !== 1)
        throw new SlackError(ids.length === 0 ? 'users_list_not_supplied' : 'not_enough_users');
      const user = this.users.get(ids[0] ?? '');
      if (user === undefined || !this.canSeeUser(caller, user))
        throw new SlackError('user_not_found');
      if (user.deleted === true) throw new SlackError('user_disabled');
      return { channel: { id: this.openDm(caller.botUserId, user.id) } };
    },

    'conversations.members': (args, caller) => {
      const channel = this.channels.get(String(args.channel));
      if (channel === undefined || !this.canSeeChannel(caller, channel))
        throw new SlackError('channel_not_found');
      const limit = args.limit === undefined ? this.membersPageSize : Number(args.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new SlackError('invalid_limit');
      const cursor =
        typeof args.cursor === 'string' && args.cursor !== '' ? args.cursor : undefined;
      const start = cursor === undefined ? 0 : decodeCursor(cursor);
      const members = channel.members.slice(start, start + limit);
      const next = start + limit < channel.members.length ? encodeCursor(start + limit) : '';
      return { members, response_metadata: { next_cursor: next } };
    },

    'users.info': (args, caller) => {
      const user = this.users.get(String(args.user));
      if (user === undefined || !this.canSeeUser(caller, user))
        throw new SlackError('user_not_found');
      return { user: userRecord(user) };
    },

    'users.list': (args, caller) => {
      const limit = args.limit === undefined ? 0 : Number(args.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 1000)
        throw new SlackError('invalid_limit');
      const teamArg = typeof args.team_id === 'string' && args.team_id !== '' ? args.team_id : '';
      // An org-wide token must say which workspace (team_id); a workspace token's is ignored.
      if (caller.isEnterpriseInstall && teamArg === '') throw new SlackError('missing_argument');
      const everyone = [...this.users.values()].filter(
        (u) =>
          this.canSeeUser(caller, u) && (!caller.isEnterpriseInstall || this.inTeam(u, teamArg)),
      );
      const size = limit === 0 ? everyone.length : limit;
      const cursor =
        typeof args.cursor === 'string' && args.cursor !== '' ? args.cursor : undefined;
      const start = cursor === undefined ? 0 : decodeCursor(cursor);
      const next = start + size < everyone.length ? encodeCursor(start + size) : '';
      return {
        members: everyone.slice(start, start + size).map(userRecord),
        cache_ts: Math.floor(Date.now() / 1000),
        response_metadata: { next_cursor: next },
      };
    },

    'views.open': (args, caller) => {
      const trigger = String(args.trigger_id ?? '');
      const minted = this.triggers.get(trigger);
      if (minted === undefined || !this.canSeeTeam(caller, minted.team))
        throw new SlackError('invalid_trigger_id');
      if (minted.state === 'expired') throw new SlackError('expired_trigger_id');
      if (minted.state === 'used') throw new SlackError('exchanged_trigger_id');
      minted.state = 'used';
      const view = parseJson<Json>(args.view) ?? {};
      const id = `V${String(++this.counter).padStart(8, '0')}`;
      this.openedViews.push({ id, trigger_id: trigger, view, team_id: minted.team });
      return {
        view: {
          id,
          team_id: minted.team,
          app_id: caller.appId,
          bot_id: caller.botId,
          hash: `${id}.hash`,
          ...view,
        },
      };
    },

    'views.update': (args, caller) => {
      const opened = this.openedViews.find((v) => v.id === args.view_id);
      if (opened === undefined || !this.canSeeTeam(caller, opened.team_id ?? TEAM_ID))
        throw new SlackError('not_found');
      opened.view = parseJson<Json>(args.view) ?? opened.view;
      return { view: { id: opened.id, ...opened.view } };
    },

    'views.publish': (args, caller) => {
      const user = this.users.get(String(args.user_id));
      if (user === undefined || !this.canSeeUser(caller, user))
        throw new SlackError('missing_profile_id');
      const view = parseJson<Json>(args.view) ?? {};
      this.homeViews.set(user.id, view);
      const team = this.viewTeam(caller, user);
      return {
        view: { id: `V${String(++this.counter).padStart(8, '0')}`, team_id: team, ...view },
      };
    },

    'files.getUploadURLExternal': (args) => {
      const fileId = `F${String(++this.counter).padStart(8, '0')}`;
      this.uploads.set(fileId, { filename: String(args.filename), length: Number(args.length) });
      return { upload_url: `${this.url}upload/${fileId}`, file_id: fileId };
    },

    'files.completeUploadExternal': (args, caller) => {
      const files = parseJson<{ id: string; title?: string }[]>(args.files) ?? [];
      for (const file of files) {
        const upload = this.uploads.get(file.id);
        if (upload?.bytes === undefined) throw new SlackError('file_not_found');
        if (file.title !== undefined) upload.title = file.title;
      }
      if (args.channel_id !== undefined) {
        const channel = this.destination(String(args.channel_id), caller);
        for (const file of files) {
          const upload = this.uploads.get(file.id);
          if (upload !== undefined) upload.channel = channel;
        }
      }
      return { files: files.map((f) => ({ id: f.id, title: f.title ?? '' })) };
    },
  };
}

/** The arguments as Slack checks them: team_id is taken on every method. */
function withoutTeamId(method: string, args: Json): Json {
  if (!('team_id' in args)) return args;
  const listed = loadMethodSpec(method)?.args.properties ?? {};
  if (Object.hasOwn(listed, 'team_id')) return args;
  const { team_id: _ignored, ...rest } = args;
  return rest;
}

/** Slack takes a redirect_uri equal to a configured Redirect URL, or below it. */
function redirectMatches(given: string, configured: string): boolean {
  try {
    const a = new URL(given);
    const b = new URL(configured);
    if (a.origin !== b.origin) return false;
    const base = b.pathname.endsWith('/') ? b.pathname : `${b.pathname}/`;
    return a.pathname === b.pathname || a.pathname.startsWith(base);
  } catch {
    return false;
  }
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function htmlPage(title: string, text: string): string {
  return `<!doctype html><html><head><title>${escapeHtml(title)} | Slack</title></head><body><h1>${escapeHtml(title)}</h1><p>${text}</p></body></html>`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The file in an upload: the body itself, or its one part when sent as multipart/form-data. */
function fileContent(contentType: string, raw: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!contentType.startsWith('multipart/form-data') || marker === undefined) return raw;
  const start = raw.indexOf('\r\n\r\n');
  const end = raw.lastIndexOf(`\r\n--${marker}`);
  return start < 0 || end < start ? raw : raw.subarray(start + 4, end);
}

function parseArgs(contentType: string, raw: Buffer, url: URL): Json {
  const args: Json = Object.fromEntries(url.searchParams);
  const text = raw.toString('utf8');
  if (text === '') return args;
  if (contentType.includes('application/json')) {
    return { ...args, ...(JSON.parse(text) as Json) };
  }
  return { ...args, ...Object.fromEntries(new URLSearchParams(text)) };
}

function parseJson<T = unknown[]>(value: unknown): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64');

function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (match === null) throw new SlackError('invalid_cursor');
  return Number(match[1]);
}
