import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { checkAck, checkBlocks } from './slack-checks.js';
import { type SendOptions, type SlackReply, SlackSender } from './slack-requests.js';
import { APP_ID, type SlackStandIn } from './slack-stand-in.js';

/**
 * A loopback stand-in for Slack's Socket Mode: the WebSocket end of it, as
 * Slack speaks it. `apps.connections.open` (on the Web API stand-in, with the
 * app-level token) hands out a one-time URL; a client connecting to it gets
 * `hello`; envelopes (`slash_commands`, `interactive`, `events_api`) carry an
 * `envelope_id` and wait for the ack with that id, whose payload is the
 * response; Slack's retries carry `retry_attempt` and `retry_reason`;
 * `disconnect` asks the client to reconnect (`refresh_requested`, `warning`,
 * `link_disabled`); a drop cuts the socket without a word. Every ack is checked:
 * it must name an envelope that was sent and not acked yet, and the blocks in
 * its payload must pass Block Kit's limits.
 */

export const APP_TOKEN = 'xapp-1-A0ALIGNPLS-1-standintoken';

interface Pending {
  type: string;
  resolve: (payload: Record<string, unknown> | undefined) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class SocketModeStandIn {
  /** Connections opened with a ticket, in order. */
  readonly connections: { ticket: string; socket: WebSocket; closedAt?: number }[] = [];
  /** Every ack received: its envelope id and payload. */
  readonly acks: { envelopeId: string; payload: Record<string, unknown> | undefined }[] = [];
  readonly problems: string[] = [];
  /** When false, a new connection gets no hello (Slack is slow, or failing). */
  sayHello = true;
  /** How long to wait for an ack before giving up, as Slack does (3 s). */
  ackTimeoutMs = 3_000;

  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private server!: WebSocketServer;
  private port = 0;

  private constructor(readonly appToken: string) {}

  static async start(standIn: SlackStandIn, appToken = APP_TOKEN): Promise<SocketModeStandIn> {
    const socket = new SocketModeStandIn(appToken);
    socket.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => socket.server.once('listening', () => resolve()));
    socket.port = (socket.server.address() as AddressInfo).port;
    socket.server.on('connection', (ws, req) => socket.accept(ws, req.url ?? ''));
    standIn.attachSocketMode(socket);
    return socket;
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** apps.connections.open: a one-time URL to connect to. */
  openConnection(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `ws://127.0.0.1:${this.port}/link/?ticket=${ticket}&app_id=${APP_ID}`;
  }

  /** The connections open now. */
  get open(): WebSocket[] {
    return this.connections.filter((c) => c.closedAt === undefined).map((c) => c.socket);
  }

  /** Resolves once a client is connected and has been greeted (or `count` have been, in all). */
  async connected(count = 1, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (
      this.connections.filter((c) => c.closedAt === undefined).length === 0 ||
      this.connections.length < count
    ) {
      if (Date.now() > until)
        throw new Error(`no Socket Mode connection #${count} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private accept(ws: WebSocket, path: string): void {
    const ticket = new URL(path, 'ws://stand-in').searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      this.problems.push(`a connection came with an unknown or used ticket (${path})`);
      ws.close(4001, 'invalid ticket');
      return;
    }
    const entry: (typeof this.connections)[number] = { ticket, socket: ws };
    this.connections.push(entry);
    // Slack pings each connection now and then; a client that hears none reconnects.
    const pings = setInterval(() => ws.ping('stand-in'), 5_000);
    ws.on('close', () => {
      clearInterval(pings);
      entry.closedAt = Date.now();
    });
    ws.on('message', (data) => this.receive(data.toString()));
    if (this.sayHello) this.hello(ws);
  }

  /** Greets a connection as Slack does once it is ready. */
  hello(ws: WebSocket | undefined = this.open.at(-1)): void {
    ws?.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open.length,
        debug_info: { host: 'applink-stand-in', approximate_connection_time: 18060 },
        connection_info: { app_id: APP_ID },
      }),
    );
  }

  private receive(text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.problems.push(`the client sent something that is not JSON: ${text.slice(0, 80)}`);
      return;
    }
    const envelopeId = typeof message.envelope_id === 'string' ? message.envelope_id : undefined;
    const pending = envelopeId === undefined ? undefined : this.pending.get(envelopeId);
    if (envelopeId === undefined || pending === undefined) {
      this.problems.push(`an ack names no envelope waiting for one: ${text.slice(0, 120)}`);
      return;
    }
    this.pending.delete(envelopeId);
    clearTimeout(pending.timer);
    const payload =
      message.payload !== null && typeof message.payload === 'object'
        ? (message.payload as Record<string, unknown>)
        : undefined;
    this.check(pending.type, payload);
    this.acks.push({ envelopeId, payload });
    pending.resolve(payload);
  }

  /** An ack's payload is a response Slack shows: its blocks must pass Block Kit's limits. */
  private check(type: string, payload: Record<string, unknown> | undefined): void {
    if (payload === undefined || Object.keys(payload).length === 0) return;
    if (payload.blocks !== undefined) this.problems.push(...checkBlocks(payload.blocks, 'message'));
    const view = payload.view as { blocks?: unknown } | undefined;
    if (type === 'interactive' && view?.blocks !== undefined)
      this.problems.push(...checkBlocks(view.blocks, 'modal'));
  }

  /**
   * Sends an envelope on the latest connection and resolves with the ack's
   * payload (undefined for an empty ack); rejects when no ack comes in time.
   */
  send(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: Record<string, unknown>,
    options: { retryAttempt?: number; retryReason?: string; envelopeId?: string } = {},
  ): Promise<Record<string, unknown> | undefined> {
    const ws = this.open.at(-1);
    if (ws === undefined) return Promise.reject(new Error('no Socket Mode connection is open'));
    const envelopeId = options.envelopeId ?? randomUUID();
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
    };
    if (type === 'events_api') {
      envelope.retry_attempt = options.retryAttempt ?? 0;
      envelope.retry_reason = options.retryReason ?? '';
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(
          new Error(`no ack for ${type} envelope ${envelopeId} within ${this.ackTimeoutMs} ms`),
        );
      }, this.ackTimeoutMs);
      this.pending.set(envelopeId, { type, resolve, reject, timer });
      ws.send(JSON.stringify(envelope));
    });
  }

  /** Asks every open connection to reconnect, as Slack does before recycling a server. */
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled'): void {
    for (const ws of this.open)
      ws.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-stand-in' } }),
      );
  }

  /** Cuts every open connection without a word (a network blip, a crashed server). */
  drop(): void {
    for (const ws of this.open) ws.terminate();
  }
}

/**
 * Sends the app what Slack would, over Socket Mode instead of HTTP: the same
 * payloads as SlackSender builds, wrapped in envelopes; the ack is the reply.
 */
export class SocketSender extends SlackSender {
  constructor(
    readonly socket: SocketModeStandIn,
    standIn: SlackStandIn,
  ) {
    super('socket-mode', '', standIn);
  }

  private async through(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: Record<string, unknown>,
    options: SendOptions = {},
  ): Promise<SlackReply> {
    const ack = await this.socket.send(type, payload, {
      ...(options.retryNum === undefined ? {} : { retryAttempt: options.retryNum }),
      ...(options.retryReason === undefined ? {} : { retryReason: options.retryReason }),
    });
    const json = ack === undefined || Object.keys(ack).length === 0 ? undefined : ack;
    if (json !== undefined) this.standIn.ackProblems?.push(...checkAck(json));
    return { status: 200, text: json === undefined ? '' : JSON.stringify(json), json };
  }

  override command(
    fields: Parameters<SlackSender['command']>[0],
    options?: SendOptions,
  ): Promise<SlackReply> {
    return this.through('slash_commands', this.commandPayload(fields), options);
  }

  override interaction(
    payload: Record<string, unknown>,
    options?: SendOptions,
  ): Promise<SlackReply> {
    return this.through('interactive', payload, options);
  }

  override event(event: Record<string, unknown>, options?: SendOptions): Promise<SlackReply> {
    return this.through('events_api', this.eventEnvelope(event), options);
  }
}
