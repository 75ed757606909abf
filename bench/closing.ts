import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { type OpenStore, openStore } from '../src/storage/store.js';
import { findOrCreateSurvey } from '../src/storage/surveys.js';
import {
  freePort,
  openPulseDatabase,
  waitUntilServing,
} from '../test/support/open-pulse-database.js';
import { BOT_TOKEN, BOT_USER_ID, SlackStandIn } from '../test/support/slack-stand-in.js';
import { SIGNING_SECRET } from '../test/support/test-app.js';
import type { AnswerLoad, Submission } from './closing-load.js';
import { megabytes, percentile, type Section } from './measure.js';

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

/**
 * A thousand workspaces' pulses due to close the same minute while leaders of
 * another survey keep answering through the real HTTP app. The app runs as
 * `npm start` runs it, in its own process (a build of this project, or the
 * one CLOSING_APP_DIR names, to measure another version on the same data);
 * the Slack stand-in answers it from this process; the answers come from a
 * thread of their own at a steady rate. Measured: how long each answer took
 * before and during the closes, how many Slack would have shown as failed,
 * and how long the thousand closes took, each published exactly once.
 */
export async function closingBenchmark(): Promise<Section> {
  const appDir = process.env.CLOSING_APP_DIR ?? projectRoot;
  const standIn = await SlackStandIn.start();
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-closing-'));
  const database = join(dir, 'pulse.db');
  const users = Array.from({ length: ANSWERING }, (_, i) => `UA${pad(i, 6)}`);
  for (const id of users) standIn.addUser({ id, name: id });
  // Three days ago, so the pulses close "now" (their time is set once the app is up).
  const due = new Date(Date.now() - 72 * HOUR);
  due.setUTCSeconds(0, 0);

  const seeding = performance.now();
  const { pulse: answering, form: view } = await openPulseDatabase(database, 'C0BENCH', users);
  const store = await openStore({ engine: 'sqlite', path: database });
  const db = store.db;
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
          rows.map(([pulse_id, channel_id, ts]) => ({ pulse_id, channel_id, kind: 'channel', ts })),
        )
        .execute();
    // The answered pulse is open another day, its reminder sent.
    await trx
      .updateTable('pulses')
      .set((eb) => ({ reminded_at: eb.ref('opened_at') }))
      .where('id', '=', answering.id)
      .execute();
  });
  const seedSeconds = (performance.now() - seeding) / 1000;
  const size = statSync(database).size;

  const appPort = await freePort();
  // BENCH_PROFILE_DIR=folder writes a CPU profile of the app there, to see where time goes.
  const profiling =
    process.env.BENCH_PROFILE_DIR === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`];
  const app = startApp(appDir, profiling, {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standIn.apiUrl,
    PORT: String(appPort),
    DATABASE_PATH: database,
    LOG_LEVEL: 'warn',
  });
  try {
    await waitUntilServing(`http://127.0.0.1:${appPort}/healthz`, app.output);
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

    const closes = await watchCloses(database, due, closing.length, dueMinute);
    // Other work on the machine shows here: the 1-minute load average as the closes ended.
    const load = loadavg()[0] ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    answerers.postMessage('stop');
    const all = await submissions;
    // CLOSING_DUMP=file keeps every submission's timing, relative to the due minute.
    if (process.env.CLOSING_DUMP !== undefined)
      writeFileSync(
        process.env.CLOSING_DUMP,
        JSON.stringify({
          closes: Object.fromEntries(Object.entries(closes).map(([k, v]) => [k, v - dueMinute])),
          submissions: all.map((s) => [Math.round(s.sentAt - dueMinute), Math.round(s.ms), s.ok]),
        }),
      );

    // Three windows: the minute before (the same load, one scheduler tick,
    // nothing to close); the due minute's tick until the first pulse closed
    // (every survey's schedules checked, nothing of closing yet); the closes.
    const before = all.filter((s) => s.sentAt < dueMinute);
    const checking = all.filter((s) => s.sentAt >= dueMinute && s.sentAt < closes.firstClosedAt);
    const during = all.filter((s) => s.sentAt >= closes.firstClosedAt && s.sentAt <= closes.doneAt);
    const describe = (list: Submission[]) => {
      const ms = list.map((s) => s.ms);
      return `p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(0)} ms`;
    };
    const over = (list: Submission[]) => list.filter((s) => s.ms > GOAL_MS).length;
    const refusedIn = (list: Submission[]) => list.filter((s) => !s.ok).length;
    const slowest = [...during]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((s) => `${s.ms.toFixed(0)} ms at +${((s.sentAt - dueMinute) / 1000).toFixed(1)} s`)
      .join(', ');
    const slow = over(during);
    const refused = refusedIn(during);
    const updates = standIn
      .callsTo('chat.update')
      .filter((c) => c.status === 200 && String(c.args.channel).startsWith('CC')).length;
    const { rows } = await sql<{ pulses: number; calls: number }>`
      SELECT count(*) AS pulses, (SELECT count(*) FROM published_calls pc JOIN pulses p ON p.id = pc.pulse_id
          WHERE p.due_at = ${due.toISOString()}) AS calls
        FROM published_pulses pp JOIN pulses p ON p.id = pp.pulse_id WHERE p.due_at = ${due.toISOString()}`.execute(
      db,
    );
    const published = rows[0] ?? { pulses: 0, calls: 0 };
    const warnings = app
      .output()
      .split('\n')
      .filter((line) => / (WARN|ERROR) /.test(line)).length;
    const version = appDir === projectRoot ? 'this build' : `the build in ${appDir}`;
    return {
      title: `Closing while answering: ${WORKSPACES.toLocaleString('en')} pulses due the same minute (${version})`,
      rows: [
        [
          `answers while the pulses closed (${during.length}, ${ANSWER_RATE} a second)`,
          describe(during),
          `goal: none over ${GOAL_MS} ms and none refused — ${slow === 0 && refused === 0 ? 'met' : `MISSED: ${slow} over ${GOAL_MS} ms`}; refused or over Slack's 3 s: ${refused}; slowest ${slowest}. From the first pulse closed to the last close's run done. Form submissions through the HTTP receiver, signatures checked, each stored before it is thanked`,
        ],
        [
          `answers in the due minute before the first close (${checking.length})`,
          describe(checking),
          `over ${GOAL_MS} ms: ${over(checking)}, refused: ${refusedIn(checking)}; the scheduler's tick checking every survey's schedules before it closes any pulse (${((closes.firstClosedAt - dueMinute) / 1000).toFixed(1)} s)`,
        ],
        [
          `answers in the ${LEAD_IN_MS / 1000} s before the due minute (${before.length})`,
          describe(before),
          `over ${GOAL_MS} ms: ${over(before)}, refused: ${refusedIn(before)}; the same load with nothing closing, over one minute tick of the scheduler`,
        ],
        [
          'the thousand closes',
          `${((closes.doneAt - dueMinute) / 1000).toFixed(1)} s`,
          `from the due minute to the last close's run done (its pulse published, its message updated); the last pulse was published ${((closes.lastPublishedAt - dueMinute) / 1000).toFixed(1)} s after it; ${published.pulses} of ${closing.length} published once, with ${published.calls.toLocaleString('en')} calls; ${updates} pulse messages updated; ${warnings} warnings or errors logged`,
        ],
        [
          'the set-up',
          `${answers.toLocaleString('en')} answers`,
          `${WORKSPACES} workspaces, each with its survey and a pulse due to close: every ${BIG_EVERY}th has ${BIG_LEADERS} leaders answering 10 statements (about 1,800 answers a pulse), the others 8 to 40 answering 5; ${fullHistory} of them (every big one and a third of the rest) with 16 weeks of answers, so their calls read 16 weeks, and two open agreements each to follow up; the rest 1 to 5 weeks old. 80 to 90% of leaders answer. Database ${megabytes(size)}, seeded in ${seedSeconds.toFixed(0)} s. Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${megabytes(totalmem())}, shared with the load and the stand-in; load average ${load.toFixed(1)} as the closes ended`,
        ],
      ],
    };
  } finally {
    await store.close();
    app.child.kill('SIGTERM');
    await app.exited;
    await standIn.stop();
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
 * this week's pulse, answered, reminded and still open. The answers go in
 * through better-sqlite3's prepared statements, the fastest way to fill the
 * file; the rest through the app's own storage functions.
 */
async function seedWorkspaces(store: OpenStore, due: Date): Promise<Seeded> {
  const { db, sqlite } = store;
  if (sqlite === undefined) throw new Error('the closing benchmark seeds a SQLite file');
  sqlite.pragma('synchronous = OFF');
  // A fixed pseudo-random sequence, so every run measures the same data.
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pulse = sqlite.prepare(
    `INSERT INTO pulses (survey_id, due_at, opened_at, closes_at, closed_at, reminded_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const ask = sqlite.prepare(
    'INSERT INTO pulse_questions (pulse_id, position, question_id) VALUES (?, ?, ?)',
  );
  const invite = sqlite.prepare('INSERT INTO pulse_recipients (pulse_id, user_id) VALUES (?, ?)');
  const answer = sqlite.prepare(
    `INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const comment = sqlite.prepare(
    'INSERT INTO comments (pulse_id, user_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  );
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
    const past: { pulseId: number; closedAt: string }[] = [];
    sqlite.transaction(() => {
      for (let w = weeks - 1; w >= 0; w--) {
        const at = due.getTime() - w * WEEK;
        const closes = at + 72 * HOUR;
        const id = Number(
          pulse.run(
            survey.id,
            iso(at),
            iso(at),
            w === 0 ? iso(at + 365 * 24 * HOUR) : iso(closes),
            w === 0 ? null : iso(closes),
            iso(at + 48 * HOUR),
          ).lastInsertRowid,
        );
        const asked = chooseQuestions(CATALOGUE, history, statements).map((q) => q.id);
        history.push(asked);
        for (const [position, q] of asked.entries()) ask.run(id, position, q);
        for (const [j, person] of people.entries()) {
          invite.run(id, person);
          if (random() > turnout) continue;
          const when = iso(at + HOUR + j * 1_000);
          for (const q of asked) {
            const value = Math.min(
              5,
              Math.max(1, 3 + (bias[j] ?? 0) + Math.round(random() * 2 - 1)),
            );
            answer.run(id, q, person, disciplineOf(j), value, when, when);
            answers += 1;
          }
          if (random() < 0.1) comment.run(id, person, `A comment of week ${w}`, when, when);
        }
        if (w === 0) closing.push({ pulseId: id, channel: channelOf(i) });
        else past.push({ pulseId: id, closedAt: iso(closes) });
      }
    })();
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
  sqlite.pragma('synchronous = FULL');
  return { closing, answers, fullHistory };
}

/** Polls the database until every closing pulse's run is done; when each milestone came. */
async function watchCloses(
  database: string,
  due: Date,
  total: number,
  dueMinute: number,
): Promise<{ firstClosedAt: number; lastPublishedAt: number; doneAt: number }> {
  const reader = await openStore({ engine: 'sqlite', path: database }, { readOnly: true });
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
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const section = await closingBenchmark();
  console.log(
    [
      `## ${section.title}`,
      '',
      '| measure | figure | note |',
      '|---|---|---|',
      ...section.rows.map(([what, figure, note]) => `| ${what} | ${figure} | ${note} |`),
    ].join('\n'),
  );
}
