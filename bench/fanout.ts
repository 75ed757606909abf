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
import { sql } from 'kysely';
import { type Config, loadConfig } from '../src/config.js';
import { DEFAULT_SIDES } from '../src/domain/dimensions.js';
import { TENANTS_AT_ONCE } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/logger.js';
import { startAlignmentPulse } from '../src/start.js';
import type { Db } from '../src/storage/database.js';
import { saveInstallation } from '../src/storage/installations.js';
import { Sealer } from '../src/storage/sealed.js';
import { openStore, type Store } from '../src/storage/store.js';
import { saveSurvey } from '../src/storage/surveys.js';
import { type RecordedCall, SlackStandIn } from '../test/support/slack-stand-in.js';
import { benchEngines, median, megabytes, type Section } from './measure.js';
import { type BenchPostgres, startBenchPostgres } from './postgres.js';

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

/** Postgres is measured with this many app instances sharing the database and the work. */
const INSTANCES = 2;

/**
 * A thousand workspaces whose pulses fall due the same minute. The stand-in,
 * in a process of its own (Slack is not on the app's event loop), enforces
 * each method's published tier per workspace (429 with Retry-After, at Slack's
 * own pace). Each workspace has the app installed (its installation stored,
 * sealed, as Bolt stores it) and a survey sending the pulse by DM to the 20
 * leaders of its leadership channel, with a notice in the channel after the
 * DMs. The scheduler's pass at the due minute, on the app's clock pinned
 * there, serves them all. On SQLite one app runs in this process, in OAuth
 * mode; on Postgres two run, each in a process of its own on the same
 * database (a server of its own with its default settings), both passing at
 * the due minute and sharing the runs by their claims. Measured: when the last
 * notice was posted, each workspace's DM pace against the pace its own limits
 * allow, DMs lost, 429s, memory. Each with Slack answering at once on
 * loopback, and with every answer 50 ms away, where serving tenants side by
 * side is what keeps the process busy instead of waiting.
 */
export async function fanoutBenchmark(): Promise<Section> {
  const groups: { engine: 'sqlite' | 'postgres'; runs: Measured[] }[] = [];
  for (const engine of benchEngines()) {
    const runs: Measured[] = [];
    if (engine === 'sqlite')
      for (const latencyMs of LATENCIES_MS) runs.push(await fanOut(latencyMs));
    else {
      const postgres = await startBenchPostgres();
      try {
        for (const latencyMs of LATENCIES_MS) runs.push(await fanOutShared(latencyMs, postgres));
      } finally {
        await postgres.stop();
      }
    }
    groups.push({ engine, runs });
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const percent = (ratio: number) => `${(100 * ratio).toFixed(0)}%`;
  /** One cell a group: the figure of each latency's run, separated by " · ". */
  const cells = (figure: (each: (f: (m: Measured) => string) => string) => string) =>
    groups.map(({ runs }) => figure((f) => runs.map(f).join(' · ')));
  const verdict = (runs: Measured[], missed: (m: Measured) => string | undefined) =>
    runs
      .map((m) => {
        const by = missed(m);
        return by === undefined ? 'met' : `MISSED by ${by}`;
      })
      .join(' · ');
  const verdicts = (missed: (m: Measured) => string | undefined) =>
    groups.map(({ runs }) => verdict(runs, missed));
  const first = groups[0]?.runs[0];
  const calls = Object.entries(first?.callsPerWorkspace ?? {})
    .map(([method, n]) => `${n} ${method}`)
    .join(', ');
  const noticeVerdicts = verdicts((m) =>
    m.lastNoticeMs <= GOAL_MS ? undefined : seconds(m.lastNoticeMs - GOAL_MS),
  );
  const paceVerdicts = verdicts((m) =>
    m.pace.min >= 0.9 ? undefined : `${(100 * (0.9 - m.pace.min)).toFixed(0)} points`,
  );
  const byInstance = (m: Measured, figure: (i: InstanceFigures) => string) =>
    m.instances.length === 1
      ? figure(m.instances[0] as InstanceFigures)
      : m.instances.map((i, k) => `${String.fromCharCode(65 + k)}: ${figure(i)}`).join('; ');
  return {
    title: `Fan-out: ${WORKSPACES.toLocaleString('en')} workspaces due the same minute (OAuth, DM delivery, rate limits per workspace); each figure with Slack ${LATENCIES_MS.map((ms) => `${ms} ms`).join(' · ')} away`,
    columns: groups.map(({ engine }) =>
      engine === 'sqlite' ? 'SQLite, one instance' : `Postgres, ${INSTANCES} instances`,
    ),
    rows: [
      [
        'the last channel notice posted, after the due time',
        ...cells(
          (each) =>
            `${each((m) => seconds(m.lastNoticeMs))}; median workspace ${each((m) => seconds(m.medianNoticeMs))}; ${each((m) => `${m.noticesMissing}`)} without a notice, ${each((m) => `${m.noticeBeforeDms}`)} with it before their last DM`,
        ).map((cell, g) => `${cell}; goal ${noticeVerdicts[g]}`),
        'goal: within 60 s',
      ],
      [
        'each workspace, once its turn came',
        ...cells(
          (each) =>
            `median ${each((m) => seconds(m.medianServiceMs))}, max ${each((m) => seconds(m.maxServiceMs))}; the last began ${each((m) => seconds(m.lastStartMs))} after the due time; at most ${each((m) => String(m.mostAtOnce))} served at once`,
        ),
        `from its first Slack call to its notice: ${calls}; the scheduler's bound: ${TENANTS_AT_ONCE} workspaces at once an instance`,
      ],
      [
        'CPU over the pass, and the database’s writes',
        ...groups.map(({ engine, runs }) =>
          engine === 'sqlite'
            ? `app ${runs.map((m) => seconds(m.instances[0]?.cpuMs ?? Number.NaN)).join(' · ')}; writes on its thread ${runs.map((m) => seconds(m.writesMs)).join(' · ')}, ${runs.map((m) => m.commits.toLocaleString('en')).join(' · ')} commits, ${runs.map((m) => `${(m.writesMs / m.commits).toFixed(2)} ms`).join(' · ')} each`
            : `instances ${runs.map((m) => m.instances.map((i) => seconds(i.cpuMs)).join(' + ')).join(' · ')}; the Postgres server ${runs.map((m) => seconds(m.serverCpuMs)).join(' · ')}; ${runs.map((m) => m.commits.toLocaleString('en')).join(' · ')} transactions, reads among them; ${runs.map((m) => m.walSyncs.toLocaleString('en')).join(' · ')} WAL flushes`,
        ),
        "CPU of the app's processes over the pass (each with its threads) and, on Postgres, of the server's processes. SQLite: every commit waits on the app's event loop for its fsync (synchronous=FULL). Postgres: a commit waits for its WAL flush (an fsync) on the server, the app's event loop free meanwhile, and commits waiting together share a flush; transactions and flushes as the server counts them (pg_stat_database, pg_stat_wal). The writes a workspace: two a DM (noted before the post, its ts after it), two for the notice, and the run's claim, pulse, recipients and finish",
      ],
      [
        'DM pace against the pace the workspace’s own limits allow, min and median',
        ...cells(
          (each) =>
            `${each((m) => `${percent(m.pace.min)}, ${percent(m.pace.median)}`)}; from the due time: min ${each((m) => percent(m.paceFromDue.min))}, median ${each((m) => percent(m.paceFromDue.median))}`,
        ).map((cell, g) => `${cell}; goal ${paceVerdicts[g]}`),
        `goal: every workspace at least 90%. Pace = (its DMs × 1.2 s) ÷ (its last DM − its first Slack call), 1.2 s a DM being Tier 3's 50 conversations.open a minute, the binding limit (each DM's chat.postMessage goes to a channel of its own, 1/s each). "From the due time" counts its wait for a place too. The stand-in's least time for any one workspace's calls (minimumTimeMs, fixed windows) is ${seconds(first?.limitsMinimumMs ?? 0)}: ${LEADERS} conversations.open fit in one window of 50, so no workspace's limits ever made it wait`,
      ],
      [
        'DMs lost',
        ...cells(
          (each) =>
            `${each((m) => String(m.lost))} (${each((m) => `${WORKSPACES * LEADERS - m.lost} of ${WORKSPACES * LEADERS}, ${m.extra} extra`)}); recorded by the app: ${each((m) => String(m.storedDms))}; pulse runs ${each((m) => m.runs)}; calls Slack would have refused: ${each((m) => String(m.violations))}; warnings logged: ${each((m) => String(m.instances.reduce((n, i) => n + i.warnings, 0)))}`,
        ),
        "goal: none. Each leader of each workspace got exactly one DM, by the stand-in's messages; on Postgres each run was claimed by one instance or the other (pulse runs by instance)",
      ],
      [
        'answered 429',
        ...cells(
          (each) =>
            `${each((m) => String(m.rateLimited))}; at most ${each((m) => String(m.mostRateLimited))} in one workspace; ${each((m) => m.calls.toLocaleString('en'))} calls in all`,
        ),
        '',
      ],
      [
        'memory of each app process, at peak',
        ...cells((each) =>
          each((m) =>
            byInstance(m, (i) => `rss ${megabytes(i.peakRss)}, heap ${megabytes(i.peakHeap)}`),
          ),
        ),
        'resident memory and V8 heap, sampled every 100 ms over the pass; on Postgres A and B are the two instances',
      ],
      [
        'the same processes before the due minute, and after',
        ...cells(
          (each) =>
            `before: ${each((m) => byInstance(m, (i) => `rss ${megabytes(i.rssBefore)}, heap ${megabytes(i.heapBefore)}`))}; heap kept after the pass (collected): ${each((m) => byInstance(m, (i) => megabytes(i.heapKept)))}; open files at most ${each((m) => byInstance(m, (i) => `${i.peakFiles} (${i.filesBefore} before)`))}`,
        ),
        "open files count the sockets to Slack (and, on Postgres, to the server); on SQLite the app's process is also the benchmark's",
      ],
      [
        'the set-up',
        ...cells(
          (each) =>
            `installed and seeded in ${each((m) => seconds(m.seededMs))}; the stand-in's process rss ${each((m) => megabytes(m.standInRss))}`,
        ),
        `${WORKSPACES} × ${LEADERS} leaders; Slack's published limits at Slack's own pace (speed 1): Tier 2 20/min, Tier 3 50/min, Tier 4 100/min per workspace, chat.postMessage 1/s per channel, no bursts; the stand-in in a process of its own, at 50 ms behind a proxy that holds each request that long`,
      ],
    ],
  };
}

/** One app process's figures over the pass; times in milliseconds, memory in bytes. */
interface InstanceFigures {
  cpuMs: number;
  rssBefore: number;
  heapBefore: number;
  peakRss: number;
  peakHeap: number;
  /** The heap after the pass, collected: what the app keeps. */
  heapKept: number;
  filesBefore: number;
  peakFiles: number;
  warnings: number;
  /** Its scheduler's claims (schedule_runs.claimed_by). */
  owner: string;
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
  rateLimited: number;
  mostRateLimited: number;
  calls: number;
  /** Each app process: one on SQLite, INSTANCES on Postgres. */
  instances: InstanceFigures[];
  /**
   * Over the pass, SQLite: its commits (an fsync each) and the time its thread
   * spent in writes; Postgres: the transactions the server counted, reads among
   * them, and its WAL flushes (an fsync each).
   */
  commits: number;
  walSyncs: number;
  writesMs: number;
  /** CPU of the Postgres server over the pass (NaN on SQLite). */
  serverCpuMs: number;
  standInRss: number;
}

/** What the pass leaves to read: the stand-in's report, and the app's own records. */
async function figuresOf(
  db: Store,
  slack: StandInProcess,
  started: number,
): Promise<
  Omit<
    Measured,
    'latencyMs' | 'seededMs' | 'instances' | 'commits' | 'walSyncs' | 'writesMs' | 'serverCpuMs'
  > & { runsByOwner: Map<string, number> }
> {
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
  const { storedDms } = await db
    .selectFrom('pulse_messages')
    .select((eb) => eb.fn.countAll<number>().as('storedDms'))
    .where('kind', '=', 'dm')
    .where('ts', 'is not', null)
    .executeTakeFirstOrThrow();
  const runs = await db
    .selectFrom('schedule_runs')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where('kind', '=', 'pulse')
    .groupBy('status')
    .execute();
  const owners = await db
    .selectFrom('schedule_runs')
    .select((eb) => ['claimed_by', eb.fn.countAll<number>().as('n')])
    .where('kind', '=', 'pulse')
    .groupBy('claimed_by')
    .execute();
  return {
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
    rateLimited: sum(limited),
    mostRateLimited: Math.max(0, ...limited),
    calls: report.calls,
    standInRss: report.rss,
    runsByOwner: new Map(owners.map((o) => [o.claimed_by ?? '', o.n])),
  };
}

/** The app's settings for the fan-out, Slack at `apiUrl`, its data where `database` says. */
function fanoutConfig(apiUrl: string, database: Record<string, string>): Config {
  return loadConfig({
    ...OAUTH,
    SLACK_SIGNING_SECRET: 'bench0signing0secret0abcdef123456',
    SLACK_API_URL: apiUrl,
    PORT: '0',
    ...database,
    LOG_LEVEL: 'warn',
  });
}

/**
 * A thousand workspaces, installed (each installation stored, sealed, as Bolt's
 * InstallProvider stores it after oauth.v2.access), each with its survey.
 */
async function seedWorkspaces(
  db: Store,
  installs: readonly Issued[],
  encryptionKey: Buffer,
  at: Date,
): Promise<void> {
  const sealer = new Sealer(encryptionKey);
  for (const [i, issued] of installs.entries()) {
    const teamId = teamOf(i);
    const installer = leaderOf(i, 0);
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
    await saveInstallation(db, sealer, installation);
    await saveSurvey(db, {
      surveyId: undefined,
      teamId,
      by: installer,
      at,
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
}

/**
 * Memory, open files and CPU of this process over `pass`: sampled every 100 ms,
 * with the heap collected before and after, so that heap figures are what is
 * kept, not what V8 has yet to collect.
 */
async function measurePass(
  pass: () => Promise<void>,
): Promise<Omit<InstanceFigures, 'warnings' | 'owner'>> {
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
  const cpuBefore = process.cpuUsage();
  try {
    await pass();
  } finally {
    clearInterval(sampler);
  }
  const cpu = process.cpuUsage(cpuBefore);
  sample();
  collectGarbage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    peakRss: peak.rss,
    peakHeap: peak.heap,
    heapKept: process.memoryUsage().heapUsed,
    filesBefore,
    peakFiles: peak.files,
  };
}

/** A thousand workspaces' pulses due at once, Slack `latencyMs` away: one app on SQLite, in this process. */
async function fanOut(latencyMs: number): Promise<Measured> {
  const slack = await StandInProcess.start(latencyMs);
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-fanout-'));
  const config = fanoutConfig(slack.apiUrl, { DATABASE_PATH: join(dir, 'pulse.db') });
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
    const seeding = performance.now();
    await seedWorkspaces(app.ctx.db, await slack.seed(), oauth.tokenEncryptionKey, clock.now);
    const seededMs = performance.now() - seeding;

    // ---- the due minute ---------------------------------------------------------
    clock.now = DUE;
    let started = Number.NaN;
    let writes: ReturnType<typeof timeWrites> | undefined;
    const figures = await measurePass(async () => {
      writes = timeWrites();
      started = clockNow();
      try {
        await app.scheduler.tick(DUE);
      } finally {
        writes.stop();
      }
    });
    const seen = await figuresOf(app.ctx.db, slack, started);
    return {
      latencyMs,
      seededMs,
      ...seen,
      instances: [{ ...figures, warnings, owner: app.scheduler.owner }],
      commits: writes?.commits ?? Number.NaN,
      walSyncs: Number.NaN,
      writesMs: writes?.ms ?? Number.NaN,
      serverCpuMs: Number.NaN,
    };
  } finally {
    await app.stop();
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same on Postgres: a database of its own on the bench server, and
 * INSTANCES apps on it, each in a process of its own, both passing at the due
 * minute (each instance's scheduler claims what the other has not).
 */
async function fanOutShared(latencyMs: number, postgres: BenchPostgres): Promise<Measured> {
  const slack = await StandInProcess.start(latencyMs);
  const database = await postgres.fresh();
  const config = fanoutConfig(slack.apiUrl, { DATABASE_URL: database.url });
  const oauth = config.slack.oauth;
  if (oauth === undefined) throw new Error('the fan-out benchmark runs the app in OAuth mode');
  const instances: InstanceProcess[] = [];
  const store = await openStore({ engine: 'postgres', url: database.url });
  try {
    // Started together, as a deployment's instances are: one migrates, the others wait.
    instances.push(
      ...(await Promise.all(
        Array.from({ length: INSTANCES }, () => InstanceProcess.start(slack.apiUrl, database.url)),
      )),
    );
    const seeding = performance.now();
    await seedWorkspaces(
      store.db,
      await slack.seed(),
      oauth.tokenEncryptionKey,
      new Date(DUE.getTime() - 60 * 60_000),
    );
    const seededMs = performance.now() - seeding;

    // ---- the due minute ---------------------------------------------------------
    // Transactions the server counted in this database (reads among them), and
    // its WAL flushes (one fsync each, a commit's wait; the server serves only this).
    const counters = async () =>
      (
        await sql<{ transactions: number; syncs: number }>`SELECT
          (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS transactions,
          (SELECT wal_sync FROM pg_stat_wal) AS syncs`.execute(store.db)
      ).rows[0] ?? { transactions: Number.NaN, syncs: Number.NaN };
    const countersBefore = await counters();
    const serverBefore = postgres.cpuMs();
    const started = clockNow();
    const figures = await Promise.all(instances.map((instance) => instance.pass()));
    const serverCpuMs = postgres.cpuMs() - serverBefore;
    // The server counts a backend's work when it reports it, within a second or so.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const countersAfter = await counters();
    const { runsByOwner, ...seen } = await figuresOf(store.db, slack, started);
    return {
      latencyMs,
      seededMs,
      ...seen,
      runs: `${seen.runs} (${figures.map((f, k) => `${String.fromCharCode(65 + k)} ${runsByOwner.get(f.owner) ?? 0}`).join(', ')})`,
      instances: figures,
      commits: countersAfter.transactions - countersBefore.transactions,
      walSyncs: countersAfter.syncs - countersBefore.syncs,
      writesMs: Number.NaN,
      serverCpuMs,
    };
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await store.close();
    await slack.stop();
    await database.drop();
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

// ---- the app instances' processes (Postgres) ------------------------------------------

type InstanceRequest = { type: 'pass' } | { type: 'stop' };
type InstanceReply = { type: 'ready' } | { type: 'passed'; figures: InstanceFigures };

const INSTANCE_FLAG = 'ALIGNMENT_PULSE_FANOUT_INSTANCE';

/**
 * An app instance in a child process (this same file), in OAuth mode on the
 * Postgres database, its clock pinned an hour before the due minute and its
 * scheduler's timers off until told to pass at the due minute.
 */
class InstanceProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(apiUrl: string, url: string): Promise<InstanceProcess> {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [INSTANCE_FLAG]: JSON.stringify({ apiUrl, url }) },
      // Its output to this process's stderr, away from the report.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    const ready = await nextMessage<InstanceReply>(child);
    if (ready.type !== 'ready') throw new Error(`the instance said ${ready.type} first`);
    return new InstanceProcess(child);
  }

  /** The scheduler's pass at the due minute, on the instance's clock moved there. */
  async pass(): Promise<InstanceFigures> {
    this.child.send({ type: 'pass' } satisfies InstanceRequest);
    const reply = await nextMessage<InstanceReply>(this.child);
    if (reply.type !== 'passed') throw new Error(`the instance answered ${reply.type} to pass`);
    return reply.figures;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies InstanceRequest);
    await exited;
  }
}

/** In the child: one app instance, until told to stop. */
async function serveInstance(settings: { apiUrl: string; url: string }): Promise<void> {
  const config = fanoutConfig(settings.apiUrl, { DATABASE_URL: settings.url });
  let warnings = 0;
  const clock = { now: new Date(DUE.getTime() - 60 * 60_000) };
  const app = await startAlignmentPulse(
    config,
    createLogger(config.logLevel, (line) => {
      warnings += 1;
      process.stderr.write(line);
    }),
    { now: () => clock.now, schedule: false },
  );
  const reply = (message: InstanceReply) => process.send?.(message);
  process.on('message', async (message: InstanceRequest) => {
    if (message.type === 'stop') {
      await app.stop();
      process.exit(0);
    }
    if (message.type === 'pass') {
      clock.now = DUE;
      const figures = await measurePass(() => app.scheduler.tick(DUE));
      reply({ type: 'passed', figures: { ...figures, warnings, owner: app.scheduler.owner } });
    }
  });
  reply({ type: 'ready' });
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
  return nextMessage<Reply>(child);
}

/** The child's next message; fails if it exits first. */
function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const exit = (code: number | null) => reject(new Error(`a child process exited (${code})`));
    child.once('exit', exit);
    child.once('message', (message) => {
      child.off('exit', exit);
      resolve(message as T);
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
const instanceSettings = process.env[INSTANCE_FLAG];
if (instanceSettings !== undefined && process.send !== undefined)
  void serveInstance(JSON.parse(instanceSettings) as { apiUrl: string; url: string });
