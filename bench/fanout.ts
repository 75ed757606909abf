import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Installation } from '@slack/bolt';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { DEFAULT_SIDES } from '../src/domain/dimensions.js';
import { TENANTS_AT_ONCE } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/logger.js';
import { startAlignmentPulse } from '../src/start.js';
import type { Db } from '../src/storage/database.js';
import { saveInstallation } from '../src/storage/installations.js';
import { Sealer } from '../src/storage/sealed.js';
import { saveSurvey } from '../src/storage/surveys.js';
import { type RecordedCall, SlackStandIn } from '../test/support/slack-stand-in.js';
import { median, megabytes, type Section } from './measure.js';

const WORKSPACES = 1_000;
const LEADERS = 20;
/** Every workspace's pulse is due at this minute: Monday 09:00 UTC. */
const DUE = new Date('2026-11-23T09:00:00.000Z');
/** The goal: the last workspace's channel notice posted this soon after the due time. */
const GOAL_MS = 60_000;
/**
 * Slack's published pace for a DM to someone the app has not written to: one
 * conversations.open each (Tier 3, at least 50 a minute per workspace). Its
 * chat.postMessage goes to a channel of its own (1 a second per channel), so
 * that one never binds.
 */
const DM_PACE_MS = 60_000 / 50;

const OAUTH = {
  SLACK_CLIENT_ID: '1234567890.9876543210',
  SLACK_CLIENT_SECRET: 'c1i3nt5ecret0123456789abcdef0123',
  SLACK_STATE_SECRET: 'state-secret-for-the-bench-0123456789',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

const teamOf = (i: number) => `TF${String(i).padStart(6, '0')}`;
const channelOf = (i: number) => `CF${String(i).padStart(6, '0')}`;
const leaderOf = (i: number, j: number) =>
  `UF${String(i).padStart(6, '0')}L${String(j).padStart(2, '0')}`;

/**
 * A full garbage collection, so that heap figures are what is kept, not what
 * V8 has yet to collect (the same as node --expose-gc's gc()).
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Milliseconds on a clock both processes share (the epoch, with performance.now's precision). */
const clockNow = () => performance.timeOrigin + performance.now();

/** Slack's answers on loopback at once, and 50 ms away, as from a host near slack.com. */
const LATENCIES_MS = [0, 50] as const;

/**
 * A thousand workspaces whose pulses fall due the same minute. The app runs in
 * this process in OAuth mode; the stand-in, in a process of its own (Slack is
 * not on the app's event loop), enforces each method's published tier per
 * workspace (429 with Retry-After, at Slack's own pace). Each workspace has
 * the app installed (its installation stored, sealed, as Bolt stores it) and a
 * survey sending the pulse by DM to the 20 leaders of its leadership channel,
 * with a notice in the channel after the DMs. The scheduler's pass at the due
 * minute, on the app's clock pinned there, serves them all. Measured: when the
 * last notice was posted, each workspace's DM pace against the pace its own
 * limits allow, DMs lost, 429s, memory. Twice: with Slack answering at once on
 * loopback, and with every answer 50 ms away, where serving tenants side by
 * side is what keeps the process busy instead of waiting.
 */
export async function fanoutBenchmark(): Promise<Section> {
  const runs: Measured[] = [];
  for (const latencyMs of LATENCIES_MS) runs.push(await fanOut(latencyMs));
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const percent = (ratio: number) => `${(100 * ratio).toFixed(0)}%`;
  const each = (figure: (m: Measured) => string) => runs.map(figure).join(' · ');
  const verdict = (missed: (m: Measured) => string | undefined) =>
    runs
      .map((m) => {
        const by = missed(m);
        return `${m.latencyMs} ms: ${by === undefined ? 'met' : `MISSED by ${by}`}`;
      })
      .join(', ');
  const first = runs[0];
  const calls = Object.entries(first?.callsPerWorkspace ?? {})
    .map(([method, n]) => `${n} ${method}`)
    .join(', ');
  return {
    title: `Fan-out: ${WORKSPACES.toLocaleString('en')} workspaces due the same minute (OAuth, DM delivery, rate limits per workspace); each figure with Slack ${LATENCIES_MS.map((ms) => `${ms} ms`).join(' · ')} away`,
    rows: [
      [
        'the last channel notice posted, after the due time',
        each((m) => seconds(m.lastNoticeMs)),
        `goal: within 60 s — ${verdict((m) => (m.lastNoticeMs <= GOAL_MS ? undefined : seconds(m.lastNoticeMs - GOAL_MS)))}; median workspace ${each((m) => seconds(m.medianNoticeMs))}; ${each((m) => `${m.noticesMissing}`)} workspaces without a notice, ${each((m) => `${m.noticeBeforeDms}`)} with it before their last DM`,
      ],
      [
        'each workspace, once its turn came',
        each((m) => `median ${seconds(m.medianServiceMs)}, max ${seconds(m.maxServiceMs)}`),
        `from its first Slack call to its notice: ${calls}; the last workspace began ${each((m) => seconds(m.lastStartMs))} after the due time; at most ${each((m) => String(m.mostAtOnce))} workspaces served at once (the scheduler's bound: ${TENANTS_AT_ONCE})`,
      ],
      [
        'the app’s thread: CPU, and SQLite writes',
        each((m) => `${seconds(m.cpuMs)}, ${seconds(m.writesMs)}`),
        `CPU of the app's process over the pass (its threads together); the writes are ${each((m) => m.commits.toLocaleString('en'))} commits, ${each((m) => `${(m.writesMs / m.commits).toFixed(2)} ms`)} each, most of it waiting for the disk (synchronous=FULL: an fsync a commit, on the event loop): two a DM (noted before the post, its ts after it), two for the notice, and the run's claim, pulse, recipients and finish`,
      ],
      [
        'DM pace against the pace the workspace’s own limits allow, min and median',
        each((m) => `${percent(m.pace.min)}, ${percent(m.pace.median)}`),
        `goal: every workspace at least 90% — ${verdict((m) => (m.pace.min >= 0.9 ? undefined : `${(100 * (0.9 - m.pace.min)).toFixed(0)} points`))}. Pace = (its DMs × 1.2 s) ÷ (its last DM − its first Slack call), 1.2 s a DM being Tier 3's 50 conversations.open a minute, the binding limit (each DM's chat.postMessage goes to a channel of its own, 1/s each). Counted from the due time instead, so with its wait for a place: min ${each((m) => percent(m.paceFromDue.min))}, median ${each((m) => percent(m.paceFromDue.median))}. The stand-in's least time for any one workspace's calls (minimumTimeMs, fixed windows) is ${each((m) => seconds(m.limitsMinimumMs))}: ${LEADERS} conversations.open fit in one window of 50, so no workspace's limits ever made it wait`,
      ],
      [
        'DMs lost',
        each((m) => String(m.lost)),
        `each leader of each workspace got exactly one DM, by the stand-in's messages (${each((m) => `${WORKSPACES * LEADERS - m.lost} of ${WORKSPACES * LEADERS}, ${m.extra} extra`)}); recorded by the app: ${each((m) => String(m.storedDms))}; pulse runs ${each((m) => m.runs)}; calls Slack would have refused: ${each((m) => String(m.violations))}; warnings logged: ${each((m) => String(m.warnings))}`,
      ],
      [
        'answered 429',
        each((m) => String(m.rateLimited)),
        `at most ${each((m) => String(m.mostRateLimited))} in one workspace; ${each((m) => m.calls.toLocaleString('en'))} calls in all`,
      ],
      [
        'memory of the app’s process, at peak',
        each((m) => `rss ${megabytes(m.peakRss)}, heap ${megabytes(m.peakHeap)}`),
        `before the due minute rss ${each((m) => megabytes(m.rssBefore))}, heap ${each((m) => megabytes(m.heapBefore))}; heap kept after the pass (collected) ${each((m) => megabytes(m.heapKept))}; open files, sockets to Slack among them, at most ${each((m) => String(m.peakFiles))} (${each((m) => String(m.filesBefore))} before); the stand-in's own process rss ${each((m) => megabytes(m.standInRss))}`,
      ],
      [
        'the set-up',
        `${WORKSPACES} × ${LEADERS} leaders`,
        `installed and seeded in ${each((m) => seconds(m.seededMs))}; Slack's published limits at Slack's own pace (speed 1): Tier 2 20/min, Tier 3 50/min, Tier 4 100/min per workspace, chat.postMessage 1/s per channel, no bursts; the stand-in in a process of its own, at 50 ms behind a proxy that holds each request that long`,
      ],
    ],
  };
}

/** One fan-out's figures; times in milliseconds. */
interface Measured {
  latencyMs: number;
  seededMs: number;
  lastNoticeMs: number;
  medianNoticeMs: number;
  noticesMissing: number;
  noticeBeforeDms: number;
  medianServiceMs: number;
  maxServiceMs: number;
  lastStartMs: number;
  mostAtOnce: number;
  callsPerWorkspace: Record<string, number>;
  pace: { min: number; median: number };
  paceFromDue: { min: number; median: number };
  limitsMinimumMs: number;
  lost: number;
  extra: number;
  storedDms: number;
  runs: string;
  violations: number;
  warnings: number;
  rateLimited: number;
  mostRateLimited: number;
  calls: number;
  rssBefore: number;
  heapBefore: number;
  peakRss: number;
  peakHeap: number;
  /** The heap after the pass, collected: what the app keeps. */
  heapKept: number;
  filesBefore: number;
  peakFiles: number;
  cpuMs: number;
  /** SQLite commits the pass made, and the time its thread spent in writes. */
  commits: number;
  writesMs: number;
  standInRss: number;
}

/** A thousand workspaces' pulses due at once, Slack `latencyMs` away. */
async function fanOut(latencyMs: number): Promise<Measured> {
  const slack = await StandInProcess.start(latencyMs);
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-fanout-'));
  const config = loadConfig({
    ...OAUTH,
    SLACK_SIGNING_SECRET: 'bench0signing0secret0abcdef123456',
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    DATABASE_PATH: join(dir, 'pulse.db'),
    LOG_LEVEL: 'warn',
  });
  const oauth = config.slack.oauth;
  if (oauth === undefined) throw new Error('the fan-out benchmark runs the app in OAuth mode');
  let warnings = 0;
  const clock = { now: new Date(DUE.getTime() - 60 * 60_000) };
  const app = await startAlignmentPulse(
    config,
    createLogger(config.logLevel, () => {
      warnings += 1;
    }),
    { now: () => clock.now, schedule: false },
  );
  try {
    // ---- a thousand workspaces, installed, each with its survey --------------------
    const seeding = performance.now();
    const installs = await slack.seed();
    const sealer = new Sealer(oauth.tokenEncryptionKey);
    for (const [i, issued] of installs.entries()) {
      const teamId = teamOf(i);
      const installer = leaderOf(i, 0);
      // What Bolt's InstallProvider stores after oauth.v2.access.
      const installation: Installation<'v2', false> = {
        team: { id: teamId, name: `Fan-out ${i}` },
        enterprise: undefined,
        user: { id: installer, token: undefined, scopes: undefined },
        bot: {
          token: issued.token,
          scopes: issued.scopes,
          id: issued.botId,
          userId: issued.botUserId,
        },
        tokenType: 'bot',
        isEnterpriseInstall: false,
        appId: issued.appId,
        authVersion: 'v2',
      };
      await saveInstallation(app.ctx.db, sealer, installation);
      await saveSurvey(app.ctx.db, {
        surveyId: undefined,
        teamId,
        by: installer,
        at: clock.now,
        settings: {
          leadershipChannels: [channelOf(i)],
          digestChannels: [channelOf(i)],
          pulseCron: '0 9 * * 1',
          digestCron: '0 16 * * 5',
          timezone: 'UTC',
          questionsPerPulse: 5,
          openHours: 72,
          delivery: 'dm',
          reminderHours: 24,
          sides: DEFAULT_SIDES,
          anonymityThreshold: 3,
          pausedUntil: null,
        },
      });
    }
    const seededMs = performance.now() - seeding;

    // ---- the due minute ---------------------------------------------------------
    collectGarbage();
    const before = process.memoryUsage();
    const filesBefore = openFiles();
    const peak = { rss: before.rss, heap: before.heapUsed, files: filesBefore };
    const sample = () => {
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.heap = Math.max(peak.heap, now.heapUsed);
      peak.files = Math.max(peak.files, openFiles());
    };
    const sampler = setInterval(sample, 100);
    clock.now = DUE;
    const writes = timeWrites();
    const cpuBefore = process.cpuUsage();
    const started = clockNow();
    await app.scheduler.tick(DUE);
    const cpu = process.cpuUsage(cpuBefore);
    writes.stop();
    clearInterval(sampler);
    sample();
    collectGarbage();
    const kept = process.memoryUsage().heapUsed;

    // ---- what each workspace got, as Slack saw it -----------------------------------
    const report = await slack.report();
    const since: number[] = []; // its notice, from the due time
    const service: number[] = []; // its notice, from its own first Slack call
    const waited: number[] = []; // its first Slack call, from the due time
    const pace: number[] = []; // DM pace while served, against the limits' pace
    const paceFromDue: number[] = []; // the same, counted from the due time
    const spans: [number, number][] = [];
    let noticesMissing = 0;
    let noticeBeforeDms = 0;
    for (const w of report.workspaces) {
      if (w.notice === undefined || w.lastDm === undefined || w.firstCall === undefined) {
        noticesMissing += 1;
        continue;
      }
      if (w.notice < w.lastDm) noticeBeforeDms += 1;
      since.push(w.notice - started);
      service.push(w.notice - w.firstCall);
      waited.push(w.firstCall - started);
      pace.push((w.dms * DM_PACE_MS) / (w.lastDm - w.firstCall));
      paceFromDue.push((w.dms * DM_PACE_MS) / (w.lastDm - started));
      spans.push([w.firstCall, w.notice]);
    }
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const limited = report.workspaces.map((w) => w.rateLimited);
    const { storedDms } = await app.ctx.db
      .selectFrom('pulse_messages')
      .select((eb) => eb.fn.countAll<number>().as('storedDms'))
      .where('kind', '=', 'dm')
      .where('ts', 'is not', null)
      .executeTakeFirstOrThrow();
    const runs = await app.ctx.db
      .selectFrom('schedule_runs')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('kind', '=', 'pulse')
      .groupBy('status')
      .execute();
    return {
      latencyMs,
      seededMs,
      lastNoticeMs: Math.max(...since),
      medianNoticeMs: median(since),
      noticesMissing,
      noticeBeforeDms,
      medianServiceMs: median(service),
      maxServiceMs: Math.max(...service),
      lastStartMs: Math.max(...waited),
      mostAtOnce: maxOverlap(spans),
      callsPerWorkspace: report.workspaces[0]?.succeeded ?? {},
      pace: { min: Math.min(...pace), median: median(pace) },
      paceFromDue: { min: Math.min(...paceFromDue), median: median(paceFromDue) },
      limitsMinimumMs: report.limitsMinimumMs,
      lost: sum(report.workspaces.map((w) => w.lost)),
      extra: sum(report.workspaces.map((w) => w.extra)),
      storedDms,
      runs: runs.map((r) => `${r.n} ${r.status}`).join(', '),
      violations: report.violations,
      warnings,
      rateLimited: sum(limited),
      mostRateLimited: Math.max(0, ...limited),
      calls: report.calls,
      rssBefore: before.rss,
      heapBefore: before.heapUsed,
      peakRss: peak.rss,
      peakHeap: peak.heap,
      heapKept: kept,
      filesBefore,
      peakFiles: peak.files,
      cpuMs: (cpu.user + cpu.system) / 1000,
      commits: writes.commits,
      writesMs: writes.ms,
      standInRss: report.rss,
    };
  } finally {
    await app.stop();
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times the app's SQLite writes on its thread (better-sqlite3's Statement#run,
 * which runs BEGIN, COMMIT and each write, and Statement#all for a write that
 * returns rows; every statement's, wrapped until `stop`) and counts the
 * commits: with synchronous=FULL each waits there for its fsync.
 */
function timeWrites(): { commits: number; ms: number; stop: () => void } {
  type Run = (...args: unknown[]) => unknown;
  type Statement = { database: Db; readonly: boolean; run: Run; all: Run };
  // Every connection's statements share one prototype: one of a connection of its own finds it.
  const probe = new Database(':memory:');
  const prototype = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Statement;
  probe.close();
  const { run, all } = prototype;
  const timed = {
    commits: 0,
    ms: 0,
    stop: () => {
      prototype.run = run;
      prototype.all = all;
    },
  };
  const timing = (original: Run, writesOnly: boolean): Run =>
    function (this: Statement, ...args: unknown[]) {
      if (writesOnly && this.readonly) return original.apply(this, args);
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        timed.ms += performance.now() - started;
        // Outside a transaction after it ran: it committed (on its own, or as COMMIT).
        if (!this.database.inTransaction) timed.commits += 1;
      }
    };
  prototype.run = timing(run, false);
  prototype.all = timing(all, true);
  return timed;
}

/** How many files (sockets among them) this process has open; NaN where /proc cannot tell. */
function openFiles(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return Number.NaN;
  }
}

/** The most intervals open at one moment. */
function maxOverlap(spans: readonly [number, number][]): number {
  const edges = spans.flatMap(([from, to]): [number, number][] => [
    [from, 1],
    [to, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) {
    open += step;
    most = Math.max(most, open);
  }
  return most;
}

// ---- the stand-in's process ---------------------------------------------------------

interface Issued {
  token: string;
  botUserId: string;
  botId: string;
  appId: string;
  scopes: string[];
}

/** What one workspace got, as the stand-in saw it; times on clockNow. */
interface WorkspaceReport {
  firstCall: number | undefined;
  lastDm: number | undefined;
  notice: number | undefined;
  dms: number;
  /** Leaders without a DM, and DMs beyond one a leader. */
  lost: number;
  extra: number;
  rateLimited: number;
  succeeded: Record<string, number>;
}

interface Report {
  workspaces: WorkspaceReport[];
  calls: number;
  violations: number;
  /** The longest least time the limits allow for one workspace's calls (minimumTimeMs). */
  limitsMinimumMs: number;
  rss: number;
}

type Request = { type: 'seed' } | { type: 'report' } | { type: 'stop' };
type Reply =
  | { type: 'ready'; apiUrl: string }
  | { type: 'seeded'; installs: Issued[] }
  | { type: 'report'; report: Report };

const CHILD_FLAG = 'ALIGNMENT_PULSE_FANOUT_STAND_IN';

/** The stand-in, run in a child process (this same file), asked over IPC. */
class StandInProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly apiUrl: string,
  ) {}

  static async start(latencyMs: number): Promise<StandInProcess> {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [CHILD_FLAG]: String(latencyMs) },
    });
    const ready = await nextReply(child);
    if (ready.type !== 'ready') throw new Error(`the stand-in said ${ready.type} first`);
    return new StandInProcess(child, ready.apiUrl);
  }

  async seed(): Promise<Issued[]> {
    this.child.send({ type: 'seed' } satisfies Request);
    const reply = await nextReply(this.child);
    if (reply.type !== 'seeded') throw new Error(`the stand-in answered ${reply.type} to seed`);
    return reply.installs;
  }

  async report(): Promise<Report> {
    this.child.send({ type: 'report' } satisfies Request);
    const reply = await nextReply(this.child);
    if (reply.type !== 'report') throw new Error(`the stand-in answered ${reply.type} to report`);
    return reply.report;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies Request);
    await exited;
  }
}

function nextReply(child: ChildProcess): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const exit = (code: number | null) =>
      reject(new Error(`the stand-in's process exited (${code})`));
    child.once('exit', exit);
    child.once('message', (message) => {
      child.off('exit', exit);
      resolve(message as Reply);
    });
  });
}

/** In the child: the stand-in with the thousand workspaces, enforcing the limits. */
async function serveStandIn(latencyMs: number): Promise<void> {
  const standIn = await SlackStandIn.start();
  const apiUrl = latencyMs > 0 ? await delayedBy(latencyMs, standIn.url) : standIn.apiUrl;
  standIn.configureOAuth({
    clientId: OAUTH.SLACK_CLIENT_ID,
    clientSecret: OAUTH.SLACK_CLIENT_SECRET,
  });
  // The stand-in keeps no time with its calls: note when each was answered.
  const answeredAt = new Map<RecordedCall, number>();
  const record = standIn.calls.push.bind(standIn.calls);
  standIn.calls.push = (...calls: RecordedCall[]) => {
    const at = clockNow();
    for (const call of calls) answeredAt.set(call, at);
    return record(...calls);
  };
  const reply = (message: Reply) => process.send?.(message);

  process.on('message', async (message: Request) => {
    if (message.type === 'stop') {
      await standIn.stop();
      process.exit(0);
    }
    if (message.type === 'seed') {
      const installs: Issued[] = [];
      for (let i = 0; i < WORKSPACES; i += 1) {
        const teamId = teamOf(i);
        standIn.addWorkspace({ teamId, name: `Fan-out ${i}` });
        const leaders = Array.from({ length: LEADERS }, (_, j) => leaderOf(i, j));
        for (const id of leaders) standIn.addUser({ id, name: id.toLowerCase(), team_id: teamId });
        const issued = standIn.install({ teamId, installerUserId: leaderOf(i, 0) });
        standIn.addChannel({
          id: channelOf(i),
          name: 'leadership',
          members: [issued.botUserId, ...leaders],
          team_id: teamId,
        });
        const { token, botUserId, botId, appId, scopes } = issued;
        installs.push({ token, botUserId, botId, appId, scopes });
      }
      standIn.enforceRateLimits({ speed: 1 });
      reply({ type: 'seeded', installs });
    }
    if (message.type === 'report') reply({ type: 'report', report: reportOf(standIn, answeredAt) });
  });
  reply({ type: 'ready', apiUrl });
}

/**
 * The stand-in `latencyMs` away: a proxy in front of it that holds each request
 * that long before passing it on, as the round trip to slack.com would. Its
 * base URL for SLACK_API_URL.
 */
async function delayedBy(latencyMs: number, target: string): Promise<string> {
  const agent = new Agent({ keepAlive: true });
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = request(
          new URL(req.url ?? '/', target),
          { method: req.method, headers: req.headers, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (error) => res.destroy(error));
        upstream.end(Buffer.concat(chunks));
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/`;
}

function reportOf(standIn: SlackStandIn, answeredAt: Map<RecordedCall, number>): Report {
  const byWorkspace = new Map<string, WorkspaceReport>();
  const of = (teamId: string) => {
    let w = byWorkspace.get(teamId);
    if (w === undefined) {
      w = {
        firstCall: undefined,
        lastDm: undefined,
        notice: undefined,
        dms: 0,
        lost: 0,
        extra: 0,
        rateLimited: 0,
        succeeded: {},
      };
      byWorkspace.set(teamId, w);
    }
    return w;
  };
  for (const call of standIn.calls) {
    const at = answeredAt.get(call);
    if (at === undefined || call.workspace === undefined) continue;
    const w = of(call.workspace);
    w.firstCall = Math.min(w.firstCall ?? at, at);
    if (call.status === 429) w.rateLimited += 1;
    if (call.status !== 200 || call.response.ok !== true) continue;
    w.succeeded[call.method] = (w.succeeded[call.method] ?? 0) + 1;
    if (call.method !== 'chat.postMessage') continue;
    if (String(call.response.channel).startsWith('D')) {
      w.dms += 1;
      w.lastDm = Math.max(w.lastDm ?? at, at);
    } else w.notice = at;
  }
  const inChannel = new Map<string, number>();
  for (const message of standIn.messages)
    inChannel.set(message.channel, (inChannel.get(message.channel) ?? 0) + 1);
  const workspaces: WorkspaceReport[] = [];
  let limitsMinimumMs = 0;
  for (let i = 0; i < WORKSPACES; i += 1) {
    const teamId = teamOf(i);
    const w = of(teamId);
    for (let j = 0; j < LEADERS; j += 1) {
      const dm = standIn.dmChannelOf(leaderOf(i, j), teamId);
      const got = dm === undefined ? 0 : (inChannel.get(dm) ?? 0);
      if (got === 0) w.lost += 1;
      if (got > 1) w.extra += got - 1;
    }
    limitsMinimumMs = Math.max(limitsMinimumMs, standIn.minimumTimeMs(w.succeeded));
    workspaces.push(w);
  }
  return {
    workspaces,
    calls: standIn.calls.length,
    violations: standIn.violations().length,
    limitsMinimumMs,
    rss: process.memoryUsage().rss,
  };
}

const childLatency = process.env[CHILD_FLAG];
if (childLatency !== undefined && process.send !== undefined)
  void serveStandIn(Number(childLatency));
