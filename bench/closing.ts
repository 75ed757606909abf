import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WebClient } from '@slack/web-api';
import { sql } from 'kysely';
import { CATALOGUE } from '../src/domain/catalogue.js';
import type { Discipline } from '../src/domain/dimensions.js';
import { chooseQuestions } from '../src/domain/rotation.js';
import { projectRoot } from '../src/paths.js';
import { workOutPublication } from '../src/reports/publication.js';
import { createAgreement } from '../src/storage/agreements.js';
import { storePublication } from '../src/storage/publication.js';
import {
  type Engine,
  type OpenStore,
  openStore,
  type StoreLocation,
} from '../src/storage/store.js';
import { findOrCreateSurvey } from '../src/storage/surveys.js';
import {
  freePort,
  openPulseDatabase,
  waitUntilServing,
} from '../test/support/open-pulse-database.js';
import { BOT_TOKEN, BOT_USER_ID, SlackStandIn } from '../test/support/slack-stand-in.js';
import { SIGNING_SECRET } from '../test/support/test-app.js';
import type { AnswerLoad, Submission } from './closing-load.js';
import {
  benchEngines,
  engineName,
  markdown,
  megabytes,
  percentile,
  profilingArgs,
  type Section,
} from './measure.js';
import { type BenchPostgres, startBenchPostgres } from './postgres.js';
import { pulseWriter, type SeedAnswer, type SeedComment, type SeedPulse } from './seed.js';

const WORKSPACES = 1_000;
/** Every tenth workspace is a big one: 200 leaders, 10 statements a pulse (some 1,800 answers). */
const BIG_EVERY = 10;
const BIG_LEADERS = 200;
/** Weeks a workspace with a full history has answered: this one and the 15 published before. */
const FULL_HISTORY = 16;
/** Leaders answering the open pulse of another survey, a submission each this often a second. */
const ANSWERING = 2_000;
const ANSWER_RATE = 50;
/**
 * How long leaders answer before the due minute: the minute before it, with
 * its scheduler tick (every survey's schedule checked, nothing to close), for
 * the figures of the same load without the closes.
 */
const LEAD_IN_MS = 70_000;
/** The goal: no answer waits longer than this while the pulses close. */
const GOAL_MS = 100;
const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

const pad = (i: number, width = 4) => String(i).padStart(width, '0');
const teamOf = (i: number) => `TC${pad(i)}`;
const channelOf = (i: number) => `CC${pad(i)}`;

/** What workspace i looks like: its leadership team, statements a pulse and weeks of answers. */
function profile(i: number): { leaders: number; statements: number; weeks: number } {
  const big = i % BIG_EVERY === 0;
  return {
    leaders: big ? BIG_LEADERS : 8 + ((i * 7) % 33),
    statements: big ? 10 : 5,
    // Every big one and a third of the rest have 16 weeks; the others are 1 to 5 weeks old.
    weeks: big || i % 3 === 0 ? FULL_HISTORY : 1 + (i % 5),
  };
}

/** Submissions in a window: their latencies, how many were slow, how many refused. */
interface Window {
  count: number;
  p50: number;
  p99: number;
  max: number;
  over: number;
  refused: number;
}

/** The figures of one engine's run. */
interface ClosingRun {
  engine: Engine;
  during: Window;
  checking: Window;
  before: Window;
  slowest: string;
  /** From the due minute: the first pulse closed, the last published, the last run done. */
  firstClosedS: number;
  lastPublishedS: number;
  doneS: number;
  published: { pulses: number; calls: number };
  updates: number;
  warnings: number;
  /** CPU over the closes (due minute to the last run done): the app's process, the Postgres server's. */
  appCpuS: number;
  serverCpuS: number;
  answers: number;
  fullHistory: number;
  size: number;
  seedSeconds: number;
  load: number;
}

/**
 * A thousand workspaces' pulses due to close the same minute while leaders of
 * another survey keep answering through the real HTTP app, once on a SQLite
 * file and once on Postgres (DATABASE_URL, a server of its own with its default
 * settings). The app runs as `npm start` runs it, in its own process (a build
 * of this project, or the one CLOSING_APP_DIR names, to measure another
 * version on the same data); the Slack stand-in answers it from this process;
 * the answers come from a thread of their own at a steady rate. Measured: how
 * long each answer took before and during the closes, how many Slack would
 * have shown as failed, and how long the thousand closes took, each published
 * exactly once.
 */
export async function closingBenchmark(): Promise<Section> {
  const appDir = process.env.CLOSING_APP_DIR ?? projectRoot;
  const engines = benchEngines();
  const postgres = engines.includes('postgres') ? await startBenchPostgres() : undefined;
  const runs: ClosingRun[] = [];
  try {
    for (const engine of engines) runs.push(await closingOn(engine, appDir, postgres));
  } finally {
    await postgres?.stop();
  }
  const each = (figure: (r: ClosingRun) => string) => runs.map(figure);
  const describe = (w: Window) =>
    `p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms, max ${w.max.toFixed(0)} ms`;
  const seconds = (s: number) => `${s.toFixed(1)} s`;
  const version = appDir === projectRoot ? 'this build' : `the build in ${appDir}`;
  const first = runs[0];
  return {
    title: `Closing while answering: ${WORKSPACES.toLocaleString('en')} pulses due the same minute (${version})`,
    columns: runs.map((r) => engineName(r.engine)),
    rows: [
      [
        `answers while the pulses closed (${ANSWER_RATE} a second)`,
        ...each(
          (r) =>
            `${describe(r.during)}; over ${GOAL_MS} ms: ${r.during.over} of ${r.during.count.toLocaleString('en')}; refused: ${r.during.refused} — ${r.during.over === 0 && r.during.refused === 0 ? 'met' : 'MISSED'}; slowest ${r.slowest}`,
        ),
        `goal: none over ${GOAL_MS} ms and none refused (no thanks within Slack's 3 s). From the first pulse closed to the last close's run done. Form submissions through the HTTP receiver, signatures checked, each stored before it is thanked`,
      ],
      [
        'answers in the due minute before the first close',
        ...each(
          (r) =>
            `${describe(r.checking)}; over ${GOAL_MS} ms: ${r.checking.over} of ${r.checking.count}, refused: ${r.checking.refused}; first close at +${seconds(r.firstClosedS)}`,
        ),
        "the scheduler's tick checking every survey's schedules before it closes any pulse",
      ],
      [
        `answers in the ${LEAD_IN_MS / 1000} s before the due minute`,
        ...each(
          (r) =>
            `${describe(r.before)}; over ${GOAL_MS} ms: ${r.before.over} of ${r.before.count.toLocaleString('en')}, refused: ${r.before.refused}`,
        ),
        'the same load with nothing closing, over one minute tick of the scheduler',
      ],
      [
        'the thousand closes',
        ...each(
          (r) =>
            `${seconds(r.doneS)}; last published at +${seconds(r.lastPublishedS)}; ${r.published.pulses} of ${WORKSPACES} published once, ${r.published.calls.toLocaleString('en')} calls; ${r.updates} messages updated; ${r.warnings} warnings or errors logged`,
        ),
        "from the due minute to the last close's run done (its pulse published, its message updated)",
      ],
      [
        'CPU over the closes',
        ...each(
          (r) =>
            `app ${seconds(r.appCpuS)}${Number.isNaN(r.serverCpuS) ? '' : `, Postgres ${seconds(r.serverCpuS)}`}`,
        ),
        "from the due minute to the last run done: the app's process (its worker threads with it) and the database server's processes",
      ],
      [
        'the set-up',
        ...each(
          (r) =>
            `${r.answers.toLocaleString('en')} answers, ${megabytes(r.size)}, seeded in ${r.seedSeconds.toFixed(0)} s; load average ${r.load.toFixed(1)} as the closes ended`,
        ),
        `${WORKSPACES} workspaces, each with its survey and a pulse due to close: every ${BIG_EVERY}th has ${BIG_LEADERS} leaders answering 10 statements (about 1,800 answers a pulse), the others 8 to 40 answering 5; ${first?.fullHistory ?? 0} of them (every big one and a third of the rest) with 16 weeks of answers, so their calls read 16 weeks, and two open agreements each to follow up; the rest 1 to 5 weeks old. 80 to 90% of leaders answer. Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${megabytes(totalmem())}, shared with the load, the stand-in and the database server`,
      ],
    ],
  };
}

/** CPU time a process has used so far, in milliseconds, from /proc (Linux; 100 ticks a second). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** The benchmark on one engine, on a database of its own. */
async function closingOn(
  engine: Engine,
  appDir: string,
  postgres: BenchPostgres | undefined,
): Promise<ClosingRun> {
  const standIn = await SlackStandIn.start();
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-closing-'));
  let location: StoreLocation;
  let drop = async () => {};
  if (engine === 'sqlite') location = { engine, path: join(dir, 'pulse.db') };
  else {
    if (postgres === undefined) throw new Error('no Postgres server for the benchmark');
    const database = await postgres.fresh();
    location = { engine, url: database.url };
    drop = database.drop;
  }
  const users = Array.from({ length: ANSWERING }, (_, i) => `UA${pad(i, 6)}`);
  for (const id of users) standIn.addUser({ id, name: id });
  // Three days ago, so the pulses close "now" (their time is set once the app is up).
  const due = new Date(Date.now() - 72 * HOUR);
  due.setUTCSeconds(0, 0);

  const seeding = performance.now();
  const { pulse: answering, form: view } = await openPulseDatabase(location, 'C0BENCH', users);
  const store = await openStore(location);
  const db = store.db;
  let app: ReturnType<typeof startApp> | undefined;
  try {
    const { closing, answers, fullHistory } = await seedWorkspaces(store, due);
    // Each closing pulse's message in its channel, which closing turns into "Closed — …".
    const slack = new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl });
    const posted: [number, string, string][] = [];
    for (const { pulseId, channel } of closing) {
      standIn.addChannel({ id: channel, name: channel.toLowerCase(), members: [BOT_USER_ID] });
      const message = await slack.chat.postMessage({ channel, text: 'The alignment pulse' });
      posted.push([pulseId, channel, message.ts ?? '']);
    }
    await db.transaction().execute(async (trx) => {
      for (const rows of chunks(posted))
        await trx
          .insertInto('pulse_messages')
          .values(
            rows.map(([pulse_id, channel_id, ts]) => ({
              pulse_id,
              channel_id,
              kind: 'channel',
              ts,
            })),
          )
          .execute();
      // The answered pulse is open another day, its reminder sent.
      await trx
        .updateTable('pulses')
        .set((eb) => ({ reminded_at: eb.ref('opened_at') }))
        .where('id', '=', answering.id)
        .execute();
    });
    // Postgres's planner chooses from statistics, which autovacuum gathers
    // after a load this size; gathered now, as a database in service has them.
    if (engine === 'postgres') await sql`ANALYZE`.execute(db);
    const seedSeconds = (performance.now() - seeding) / 1000;
    const size =
      location.engine === 'sqlite'
        ? statSync(location.path).size
        : ((
            await sql<{
              size: number;
            }>`SELECT pg_database_size(current_database()) AS size`.execute(db)
          ).rows[0]?.size ?? Number.NaN);

    const appPort = await freePort();
    app = startApp(appDir, profilingArgs(), {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standIn.apiUrl,
      PORT: String(appPort),
      ...(location.engine === 'sqlite'
        ? { DATABASE_PATH: location.path }
        : { DATABASE_URL: location.url }),
      LOG_LEVEL: 'warn',
    });
    // Its start reads the whole database once (closed pulses left unpublished): a minute at most.
    for (let tries = 0; ; tries++)
      try {
        await waitUntilServing(`http://127.0.0.1:${appPort}/healthz`, app.output);
        break;
      } catch (error) {
        if (tries === 5 || app.child.exitCode !== null) throw error;
      }
    // The due minute: the scheduler's minute tick then closes them all.
    const dueMinute = Math.ceil((Date.now() + LEAD_IN_MS + 5_000) / 60_000) * 60_000;
    for (const rows of chunks(closing))
      await db
        .updateTable('pulses')
        .set({ closes_at: new Date(dueMinute).toISOString() })
        .where(
          'id',
          'in',
          rows.map((c) => c.pulseId),
        )
        .execute();
    await new Promise((resolve) => setTimeout(resolve, dueMinute - LEAD_IN_MS - Date.now()));

    const values = Object.fromEntries([
      ...view.blocks
        .map((b) => (b as { block_id?: string }).block_id ?? '')
        .filter((id) => id.startsWith('q:'))
        .map((id) => [id, '4']),
      ['discipline', 'product'],
      ['comment', ''],
    ]) as Record<string, string>;
    const job: AnswerLoad = {
      endpoint: `http://127.0.0.1:${appPort}/slack/events`,
      signingSecret: SIGNING_SECRET,
      users,
      view,
      values,
      responseUrl: standIn.responseUrl(),
      rate: ANSWER_RATE,
    };
    const answerers = new Worker(new URL('./closing-load.js', import.meta.url), {
      workerData: job,
    });
    const submissions = new Promise<Submission[]>((resolve, reject) => {
      answerers.once('message', resolve);
      answerers.once('error', reject);
    });

    // CPU from the due minute: the app's process, and the database server's.
    const pid = app.child.pid;
    const cpuAtDue = new Promise<[number, number]>((resolve) =>
      setTimeout(
        () => resolve([cpuMs(pid), postgres?.cpuMs() ?? Number.NaN]),
        Math.max(0, dueMinute - Date.now()),
      ),
    );
    const closes = await watchCloses(location, due, closing.length, dueMinute);
    const [appCpuAtDue, serverCpuAtDue] = await cpuAtDue;
    const appCpuS = (cpuMs(pid) - appCpuAtDue) / 1000;
    const serverCpuS =
      engine === 'postgres'
        ? ((postgres?.cpuMs() ?? Number.NaN) - serverCpuAtDue) / 1000
        : Number.NaN;
    // Other work on the machine shows here: the 1-minute load average as the closes ended.
    const load = loadavg()[0] ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    answerers.postMessage('stop');
    const all = await submissions;
    // CLOSING_DUMP=file keeps every submission's timing, relative to the due minute
    // (the engine's name added before the file's extension).
    if (process.env.CLOSING_DUMP !== undefined)
      writeFileSync(
        process.env.CLOSING_DUMP.replace(/(\.[^./]*)?$/, `-${engine}$1`),
        JSON.stringify({
          closes: Object.fromEntries(Object.entries(closes).map(([k, v]) => [k, v - dueMinute])),
          submissions: all.map((s) => [Math.round(s.sentAt - dueMinute), Math.round(s.ms), s.ok]),
        }),
      );

    // Three windows: the minute before (the same load, one scheduler tick,
    // nothing to close); the due minute's tick until the first pulse closed
    // (every survey's schedules checked, nothing of closing yet); the closes.
    const window = (list: Submission[]): Window => {
      const ms = list.map((s) => s.ms);
      return {
        count: list.length,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        max: Math.max(...ms),
        over: list.filter((s) => s.ms > GOAL_MS).length,
        refused: list.filter((s) => !s.ok).length,
      };
    };
    const during = all.filter((s) => s.sentAt >= closes.firstClosedAt && s.sentAt <= closes.doneAt);
    const slowest = [...during]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((s) => `${s.ms.toFixed(0)} ms at +${((s.sentAt - dueMinute) / 1000).toFixed(1)} s`)
      .join(', ');
    const updates = standIn
      .callsTo('chat.update')
      .filter((c) => c.status === 200 && String(c.args.channel).startsWith('CC')).length;
    const { rows } = await sql<{ pulses: number; calls: number }>`
      SELECT count(*) AS pulses, (SELECT count(*) FROM published_calls pc JOIN pulses p ON p.id = pc.pulse_id
          WHERE p.due_at = ${due.toISOString()}) AS calls
        FROM published_pulses pp JOIN pulses p ON p.id = pp.pulse_id WHERE p.due_at = ${due.toISOString()}`.execute(
      db,
    );
    const output = app.output();
    // What the app warned of, most often first, to this process's stderr (away from the report).
    const warned = new Map<string, number>();
    for (const line of output.split('\n'))
      if (/ (WARN|ERROR) /.test(line)) {
        const gist = line.replace(/^\S+ /, '').replace(/\d+/g, 'N').slice(0, 200);
        warned.set(gist, (warned.get(gist) ?? 0) + 1);
      }
    for (const [gist, n] of [...warned].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.error(`closing on ${engine}: ${n} × ${gist}`);
    return {
      engine,
      during: window(during),
      checking: window(all.filter((s) => s.sentAt >= dueMinute && s.sentAt < closes.firstClosedAt)),
      before: window(all.filter((s) => s.sentAt < dueMinute)),
      slowest,
      firstClosedS: (closes.firstClosedAt - dueMinute) / 1000,
      lastPublishedS: (closes.lastPublishedAt - dueMinute) / 1000,
      doneS: (closes.doneAt - dueMinute) / 1000,
      published: rows[0] ?? { pulses: 0, calls: 0 },
      updates,
      warnings: output.split('\n').filter((line) => / (WARN|ERROR) /.test(line)).length,
      appCpuS,
      serverCpuS,
      answers,
      fullHistory,
      size,
      seedSeconds,
      load,
    };
  } finally {
    await store.close();
    if (app !== undefined) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
    await standIn.stop();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Seeded {
  closing: { pulseId: number; channel: string }[];
  answers: number;
  fullHistory: number;
}

/** Rows a multi-row statement carries at most (SQLite allows 32,766 parameters a statement). */
const CHUNK = 500;

function chunks<T>(rows: readonly T[]): T[][] {
  return Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) =>
    rows.slice(i * CHUNK, (i + 1) * CHUNK),
  );
}

/**
 * The thousand workspaces, straight into the tables: each a survey with its
 * weeks of answered pulses, the past ones closed and published (cells and
 * comments; their calls are not needed, only this week's are worked out), and
 * this week's pulse, answered, reminded and still open. The pulses and their
 * answers go in through bench/seed.ts (prepared statements on SQLite, arrays on
 * Postgres), without waiting for the disk at each commit; the rest through the
 * app's own storage functions.
 */
async function seedWorkspaces(store: OpenStore, due: Date): Promise<Seeded> {
  const { db, sqlite } = store;
  sqlite?.pragma('synchronous = OFF');
  const writePulses = pulseWriter(store, { durable: false });
  // A fixed pseudo-random sequence, so every run measures the same data.
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const disciplineOf = (j: number): Discipline =>
    (
      [
        'product',
        'engineering',
        'product',
        'engineering',
        'design',
        'product',
        'engineering',
        'program',
        'engineering',
        'other',
      ] as const
    )[j % 10] ?? 'other';
  const closing: Seeded['closing'] = [];
  let answers = 0;
  let fullHistory = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < WORKSPACES; i++) {
    const { leaders, statements, weeks } = profile(i);
    if (weeks === FULL_HISTORY) fullHistory += 1;
    await db
      .insertInto('workspaces')
      .values({ team_id: teamOf(i) })
      .execute();
    const survey = await findOrCreateSurvey(db, {
      teamId: teamOf(i),
      channelId: channelOf(i),
      timezone: 'UTC',
      createdBy: 'UADMIN',
      at: new Date(due.getTime() - weeks * WEEK),
    });
    const people = Array.from({ length: leaders }, (_, j) => `UC${pad(i)}L${pad(j, 3)}`);
    const bias = people.map(() => Math.floor(random() * 3) - 1);
    const turnout = 0.8 + random() * 0.1;
    const history: string[][] = [];
    const pulses: SeedPulse[] = [];
    for (let w = weeks - 1; w >= 0; w--) {
      const at = due.getTime() - w * WEEK;
      const closes = at + 72 * HOUR;
      const asked = chooseQuestions(CATALOGUE, history, statements).map((q) => q.id);
      history.push(asked);
      const answered: SeedAnswer[] = [];
      const comments: SeedComment[] = [];
      for (const [j, person] of people.entries()) {
        if (random() > turnout) continue;
        const when = iso(at + HOUR + j * 1_000);
        for (const q of asked) {
          const value = Math.min(5, Math.max(1, 3 + (bias[j] ?? 0) + Math.round(random() * 2 - 1)));
          answered.push({
            question: q,
            user: person,
            discipline: disciplineOf(j),
            value,
            at: when,
          });
        }
        if (random() < 0.1)
          comments.push({ user: person, body: `A comment of week ${w}`, at: when });
      }
      answers += answered.length;
      pulses.push({
        surveyId: survey.id,
        dueAt: iso(at),
        openedAt: iso(at),
        closesAt: w === 0 ? iso(at + 365 * 24 * HOUR) : iso(closes),
        closedAt: w === 0 ? null : iso(closes),
        remindedAt: iso(at + 48 * HOUR),
        questions: asked,
        recipients: people,
        answers: answered,
        comments,
      });
    }
    const ids = await writePulses(pulses);
    const past: { pulseId: number; closedAt: string }[] = [];
    for (const [k, id] of ids.entries()) {
      const closedAt = pulses[k]?.closedAt ?? null;
      if (closedAt === null) closing.push({ pulseId: id, channel: channelOf(i) });
      else past.push({ pulseId: id, closedAt });
    }
    // The past weeks, published as their closes did: cells and comments.
    await db.transaction().execute(async (trx) => {
      for (const { pulseId, closedAt } of past) {
        const publication = await workOutPublication(trx, {
          pulseId,
          at: closedAt,
          calls: false,
          defaultThreshold: 3,
        });
        if (publication !== undefined)
          await storePublication(trx, { ...publication, at: new Date(publication.at) });
      }
    });
    if (weeks === FULL_HISTORY)
      for (const [dimension, weeksAgo] of [
        ['okrs', 5],
        ['tech_debt', 10],
      ] as const) {
        const agreement = await createAgreement(db, {
          surveyId: survey.id,
          dimension,
          body: `An agreement on ${dimension}`,
          productOwner: `UC${pad(i)}L000`,
          engineeringOwner: `UC${pad(i)}L001`,
          recordedBy: `UC${pad(i)}L000`,
          recordedAt: new Date(due.getTime() - weeksAgo * WEEK),
          reviewOn: '2099-01-05',
          reviewAt: new Date('2099-01-05T09:00:00Z'),
        });
        // Its owners were sent it when it was recorded.
        await db
          .insertInto('schedule_runs')
          .values({
            kind: 'agreement',
            survey_id: survey.id,
            subject_id: agreement.id,
            scheduled_for: agreement.recordedAt,
            status: 'done',
            finished_at: agreement.recordedAt,
          })
          .execute();
      }
  }
  // Weekly pulses and digests, as set up by default, taking effect now: none
  // falls due while this runs, only the closes do.
  await db
    .updateTable('surveys')
    .set({ pulse_schedule_from: iso(Date.now()), digest_schedule_from: iso(Date.now()) })
    .execute();
  sqlite?.pragma('synchronous = FULL');
  return { closing, answers, fullHistory };
}

/** Polls the database until every closing pulse's run is done; when each milestone came. */
async function watchCloses(
  location: StoreLocation,
  due: Date,
  total: number,
  dueMinute: number,
): Promise<{ firstClosedAt: number; lastPublishedAt: number; doneAt: number }> {
  const reader = await openStore(location, { readOnly: true });
  const at = due.toISOString();
  const counts = async () =>
    (
      await sql<{ closed: number; published: number; done: number }>`SELECT
         (SELECT count(*) FROM pulses WHERE due_at = ${at} AND closed_at IS NOT NULL) AS closed,
         (SELECT count(*) FROM published_pulses pp JOIN pulses p ON p.id = pp.pulse_id
            WHERE p.due_at = ${at}) AS published,
         (SELECT count(*) FROM schedule_runs WHERE kind = 'close' AND scheduled_for = ${at}
            AND status = 'done') AS done`.execute(reader.db)
    ).rows[0] ?? { closed: 0, published: 0, done: 0 };
  let firstClosedAt = Number.NaN;
  let lastPublishedAt = Number.NaN;
  const deadline = dueMinute + 20 * 60_000;
  try {
    while (Date.now() < deadline) {
      const now = Date.now();
      const row = await counts();
      if (row.closed > 0 && Number.isNaN(firstClosedAt)) firstClosedAt = now;
      if (row.published >= total && Number.isNaN(lastPublishedAt)) lastPublishedAt = now;
      if (row.done >= total) return { firstClosedAt, lastPublishedAt, doneAt: now };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the closes were not done 20 minutes after they fell due`);
  } finally {
    await reader.close();
  }
}

/** The app of `appDir`, built, as `npm start` runs it, in its own process. */
function startApp(
  appDir: string,
  nodeArgs: string[],
  env: Record<string, string>,
): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [...nodeArgs, join(appDir, 'dist', 'main.js')], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

// `node dist-bench/bench/closing.js` runs this one benchmark on its own.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  console.log(markdown(await closingBenchmark()));
