import { randomUUID } from 'node:crypto';
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
 */

export const TEAM_ID = 'T0ALIGN01';
export const BOT_USER_ID = 'U0BOTPULSE';
export const BOT_ID = 'B0BOTPULSE';
export const APP_ID = 'A0ALIGNPLS';
export const BOT_TOKEN = 'xoxb-stand-in-token';

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
}

export interface StandInChannel {
  id: string;
  name: string;
  members: string[];
  is_archived?: boolean;
  /** Whether the bot was invited; posting to a channel it is not in fails with not_in_channel. */
  botIsMember?: boolean;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  user: string;
  updates: number;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** Why Slack would reject the call; empty when it passed the checks. */
  problems: string[];
  status: number;
  response: Record<string, unknown>;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  problems: string[];
}

export type Fault =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 }
  | { error: string }
  | { delayMs: number }
  /** Slack takes the call (a message is posted) but its answer comes this late. */
  | { answerAfterMs: number };

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
type Handler = (args: Json) => Json;

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

/** A user as users.info and users.list return one. */
function userRecord(user: StandInUser): Json {
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
    ...user,
  };
}

class SlackError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly users = new Map<string, StandInUser>();
  readonly channels = new Map<string, StandInChannel>();
  readonly messages: PostedMessage[] = [];
  readonly ephemerals: { channel: string; user: string; text: string; blocks: unknown[] }[] = [];
  readonly openedViews: { id: string; trigger_id: string; view: Json }[] = [];
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

  private socketMode:
    | { appToken: string; openConnection(): string; problems: string[] }
    | undefined;
  private limits: RateLimits | undefined;
  private revoked: string | undefined;
  private readonly faults = new Map<string, Fault[]>();
  private readonly triggers = new Map<string, 'fresh' | 'used' | 'expired'>();
  private readonly dmChannels = new Map<string, string>();
  private counter = 0;
  private server!: Server;
  url = '';

  private constructor(readonly botToken: string) {
    this.users.set(BOT_USER_ID, {
      id: BOT_USER_ID,
      name: 'alignment-pulse',
      is_bot: true,
      is_app_user: false,
    });
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

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- setting the scene ------------------------------------------------------

  addUser(user: StandInUser): StandInUser {
    this.users.set(user.id, user);
    return user;
  }

  addChannel(channel: StandInChannel): StandInChannel {
    this.channels.set(channel.id, { botIsMember: true, ...channel });
    return channel;
  }

  /** A trigger_id as Slack puts in an interaction payload; usable once by views.open. */
  mintTriggerId(state: 'fresh' | 'expired' = 'fresh'): string {
    const id = `${++this.counter}.${TEAM_ID}.${randomUUID().replaceAll('-', '')}`;
    this.triggers.set(id, state);
    return id;
  }

  /** A response_url as Slack puts in a slash command or interaction payload. */
  responseUrl(): string {
    return `${this.url}response/${++this.counter}`;
  }

  /**
   * From now on the bot token is refused everywhere, as after a revoke
   * (`invalid_auth`) or once the workspace or bot is gone (`account_inactive`).
   */
  revokeToken(error: 'invalid_auth' | 'account_inactive' = 'invalid_auth'): void {
    this.revoked = error;
  }

  /** Socket Mode: apps.connections.open answers the app-level token with this stand-in's URLs. */
  attachSocketMode(socket: {
    appToken: string;
    openConnection(): string;
    problems: string[];
  }): void {
    this.socketMode = socket;
  }

  /** The next `times` calls to `method` meet `fault` instead of an answer. */
  inject(method: string, fault: Fault, times = 1): void {
    if ('error' in fault) {
      const known = loadMethodSpec(method)?.errors ?? {};
      if (!(fault.error in known) && !COMMON_ERRORS.has(fault.error)) {
        throw new Error(`Slack's spec lists no error "${fault.error}" for ${method}`);
      }
    }
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...Array(times).fill(fault)]);
  }

  /**
   * Answers as Slack does once an app goes over a method's published rate limit:
   * 429 with Retry-After (whole seconds, rounded up) until the window frees.
   * Each method's tier comes from its spec: Tier 1–4 allow 1, 20, 50 and 100
   * calls a minute per workspace; chat.postMessage (Slack's special tier) one
   * message a second per channel. Slack allows short bursts above these; the
   * stand-in allows none, so it is stricter than Slack. `speed` shortens every
   * window by that factor so a benchmark need not wait real minutes.
   */
  enforceRateLimits(options: { speed?: number } = {}): void {
    this.limits = { speed: options.speed ?? 1, windows: new Map() };
  }

  /** The least time the enforced limits allow for these calls, in milliseconds. */
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
  private overLimit(method: string, args: Json): number | undefined {
    if (this.limits === undefined) return undefined;
    const rule = rateRule(method);
    if (rule === undefined) return undefined;
    const key = rule.perChannel ? `${method} ${String(args.channel)}` : method;
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

  // ---- reading what happened ----------------------------------------------------

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Every call (and response_url post) Slack would have rejected, as readable lines. */
  /** Problems found in what the app answered in an acknowledgement (checked by the sender). */
  readonly ackProblems: string[] = [];

  violations(): string[] {
    return [
      ...this.calls.flatMap((call) => call.problems.map((p) => `${call.method}: ${p}`)),
      ...this.responseUrlPosts.flatMap((post) => post.problems.map((p) => `response_url: ${p}`)),
      ...this.ackProblems.map((p) => `ack: ${p}`),
      ...(this.socketMode?.problems ?? []).map((p) => `socket mode: ${p}`),
    ];
  }

  messagesIn(channel: string): PostedMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  /** The DM channel the app has with a user, if it opened or posted to one. */
  dmChannelOf(userId: string): string | undefined {
    return this.dmChannels.get(userId);
  }

  // ---- HTTP -----------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      await this.handleApi(url.pathname.slice('/api/'.length), url, req, raw, res);
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
    let answerAfterMs = 0;
    const send = (
      status: number,
      body: Json,
      headers: Record<string, string> = {},
      problems: string[] = [],
    ) => {
      this.calls.push({ method, args, problems, status, response: body });
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      if (answerAfterMs > 0) setTimeout(answer, answerAfterMs);
      else answer();
    };

    const fault = this.faults.get(method)?.shift();
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

    const wait = this.overLimit(method, args);
    if (wait !== undefined) {
      this.rateLimited += 1;
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
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
    if (token !== this.botToken) return send(200, { ok: false, error: 'invalid_auth' });
    if (this.revoked !== undefined) return send(200, { ok: false, error: this.revoked });

    const problems = checkCall(method, args, { tokenInHeader: bearer !== undefined });
    if (problems.length > 0) {
      return send(
        200,
        { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } },
        {},
        problems,
      );
    }
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
      send(200, { ok: true, ...handler(args) });
    } catch (error) {
      if (!(error instanceof SlackError)) throw error;
      send(200, { ok: false, error: error.error });
    }
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
    this.responseUrlPosts.push({ id, body, problems });
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
  private destination(channel: string): string {
    const user = this.users.get(channel);
    if (user !== undefined) {
      if (user.deleted === true) throw new SlackError('channel_not_found');
      return this.openDm(user.id);
    }
    if (channel.startsWith('D')) {
      if (![...this.dmChannels.values()].includes(channel))
        throw new SlackError('channel_not_found');
      return channel;
    }
    const found = this.channels.get(channel);
    if (found === undefined) throw new SlackError('channel_not_found');
    if (found.is_archived === true) throw new SlackError('is_archived');
    if (found.botIsMember !== true) throw new SlackError('not_in_channel');
    return channel;
  }

  private openDm(userId: string): string {
    let dm = this.dmChannels.get(userId);
    if (dm === undefined) {
      dm = `D${String(++this.counter).padStart(8, '0')}`;
      this.dmChannels.set(userId, dm);
    }
    return dm;
  }

  private readonly handlers: Record<string, Handler> = {
    'auth.test': () => ({
      url: 'https://alignment-test.slack.com/',
      team: 'Alignment Test',
      user: 'alignment-pulse',
      team_id: TEAM_ID,
      user_id: BOT_USER_ID,
      bot_id: BOT_ID,
      app_id: APP_ID,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = this.destination(String(args.channel));
      const message: PostedMessage = {
        channel,
        ts: this.nextTs(),
        text: String(args.text ?? ''),
        blocks: parseJson(args.blocks) ?? [],
        user: BOT_USER_ID,
        updates: 0,
      };
      this.messages.push(message);
      return {
        channel,
        ts: message.ts,
        message: {
          type: 'message',
          text: message.text,
          user: BOT_USER_ID,
          bot_id: BOT_ID,
          blocks: message.blocks,
          ts: message.ts,
        },
      };
    },

    'chat.update': (args) => {
      const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
      if (message === undefined) throw new SlackError('message_not_found');
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

    'chat.postEphemeral': (args) => {
      const channel = String(args.channel);
      const user = this.users.get(String(args.user));
      if (user === undefined) throw new SlackError('user_not_in_channel');
      this.ephemerals.push({
        channel,
        user: user.id,
        text: String(args.text ?? ''),
        blocks: parseJson(args.blocks) ?? [],
      });
      return { message_ts: this.nextTs() };
    },

    'conversations.open': (args) => {
      const ids = String(args.users ?? '')
        .split(',')
        .filter(Boolean);
      if (ids.length !== 1)
        throw new SlackError(ids.length === 0 ? 'users_list_not_supplied' : 'not_enough_users');
      const user = this.users.get(ids[0] ?? '');
      if (user === undefined) throw new SlackError('user_not_found');
      if (user.deleted === true) throw new SlackError('user_disabled');
      return { channel: { id: this.openDm(user.id) } };
    },

    'conversations.members': (args) => {
      const channel = this.channels.get(String(args.channel));
      if (channel === undefined) throw new SlackError('channel_not_found');
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

    'users.info': (args) => {
      const user = this.users.get(String(args.user));
      if (user === undefined) throw new SlackError('user_not_found');
      return { user: userRecord(user) };
    },

    'users.list': (args) => {
      const limit = args.limit === undefined ? 0 : Number(args.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 1000)
        throw new SlackError('invalid_limit');
      const everyone = [...this.users.values()];
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

    'views.open': (args) => {
      const trigger = String(args.trigger_id ?? '');
      const state = this.triggers.get(trigger);
      if (state === undefined) throw new SlackError('invalid_trigger_id');
      if (state === 'expired') throw new SlackError('expired_trigger_id');
      if (state === 'used') throw new SlackError('exchanged_trigger_id');
      this.triggers.set(trigger, 'used');
      const view = parseJson<Json>(args.view) ?? {};
      const id = `V${String(++this.counter).padStart(8, '0')}`;
      this.openedViews.push({ id, trigger_id: trigger, view });
      return {
        view: { id, team_id: TEAM_ID, app_id: APP_ID, bot_id: BOT_ID, hash: `${id}.hash`, ...view },
      };
    },

    'views.update': (args) => {
      const opened = this.openedViews.find((v) => v.id === args.view_id);
      if (opened === undefined) throw new SlackError('not_found');
      opened.view = parseJson<Json>(args.view) ?? opened.view;
      return { view: { id: opened.id, ...opened.view } };
    },

    'views.publish': (args) => {
      const user = this.users.get(String(args.user_id));
      if (user === undefined) throw new SlackError('missing_profile_id');
      const view = parseJson<Json>(args.view) ?? {};
      this.homeViews.set(user.id, view);
      return { view: { id: `V${String(++this.counter).padStart(8, '0')}`, ...view } };
    },

    'files.getUploadURLExternal': (args) => {
      const fileId = `F${String(++this.counter).padStart(8, '0')}`;
      this.uploads.set(fileId, { filename: String(args.filename), length: Number(args.length) });
      return { upload_url: `${this.url}upload/${fileId}`, file_id: fileId };
    },

    'files.completeUploadExternal': (args) => {
      const files = parseJson<{ id: string; title?: string }[]>(args.files) ?? [];
      for (const file of files) {
        const upload = this.uploads.get(file.id);
        if (upload?.bytes === undefined) throw new SlackError('file_not_found');
        if (file.title !== undefined) upload.title = file.title;
      }
      if (args.channel_id !== undefined) {
        const channel = this.destination(String(args.channel_id));
        for (const file of files) {
          const upload = this.uploads.get(file.id);
          if (upload !== undefined) upload.channel = channel;
        }
      }
      return { files: files.map((f) => ({ id: f.id, title: f.title ?? '' })) };
    },
  };
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
