import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { renderTrendChart } from '../src/charts/trend-chart.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { CATALOGUE } from '../src/domain/catalogue.js';
import { buildDigest, type DigestChart } from '../src/domain/digest.js';
import { DISCIPLINES } from '../src/domain/dimensions.js';
import { chooseQuestions } from '../src/domain/rotation.js';
import { closeAndPublish, publishClosedPulses } from '../src/jobs/publish-pulse.js';
import { createLogger } from '../src/logger.js';
import { migrationsDir } from '../src/paths.js';
import { weekTrends } from '../src/reports/calls.js';
import { closedWeeks, thresholdOf } from '../src/reports/published.js';
import { migrate } from '../src/storage/migrate.js';
import { syncCatalogue } from '../src/storage/questions.js';
import { type Engine, type OpenStore, openStore } from '../src/storage/store.js';
import { findOrCreateSurvey } from '../src/storage/surveys.js';
import { median, type Section } from './measure.js';

const LEADERS = 200;
const PULSES = 500;
const QUESTIONS = 10;

/**
 * The digest at 1,000,000 answers: 200 leaders answering 10 questions in each of
 * 500 weekly pulses. Times publishing the closed pulses (what a first start on
 * a database from before publications does, and each close does once), the
 * digest's numbers (read from the published cells) and rendering its chart.
 * On a SQLite file, or with BENCH_ENGINE=postgres on a Postgres server of its
 * own (the embedded one the tests use, with its default settings).
 */
export async function digestBenchmark(): Promise<Section> {
  const engine: Engine = process.env.BENCH_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
  const dir = mkdtempSync(join(tmpdir(), 'alignment-bench-'));
  const { store, stop } = await benchDatabase(engine, dir);
  const db = store.db;
  try {
    await migrate(store, migrationsDir);
    await syncCatalogue(db, CATALOGUE);
    await db.insertInto('workspaces').values({ team_id: 'TBENCH' }).execute();
    const survey = await findOrCreateSurvey(db, {
      teamId: 'TBENCH',
      channelId: 'CBENCH',
      timezone: 'Europe/Berlin',
      createdBy: 'UADMIN',
    });

    const seedStarted = performance.now();
    const firstMonday = Date.parse('2016-12-05T08:00:00Z');
    const history: string[][] = [];
    const insertPulse = pulseWriter(store);
    // A fixed pseudo-random sequence, so every run measures the same data.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const disciplineOf = (i: number) =>
      DISCIPLINES[i < 80 ? 0 : i < 160 ? 1 : i < 180 ? 2 : i < 190 ? 3 : 4] ?? 'other';
    for (let p = 0; p < PULSES; p++) {
      const due = new Date(firstMonday + p * 7 * 86_400_000).toISOString();
      const questions = chooseQuestions(CATALOGUE, history, QUESTIONS).map((q) => q.id);
      history.push(questions);
      const users = Array.from({ length: LEADERS }, (_, u) => `U${String(u).padStart(5, '0')}`);
      await insertPulse({
        surveyId: survey.id,
        due,
        questions,
        users,
        answers: users.flatMap((user, u) =>
          questions.map(
            (question): SeedAnswer => ({
              question,
              user,
              discipline: disciplineOf(u),
              value: 1 + Math.floor(random() * 5),
            }),
          ),
        ),
      });
    }
    const { answers } = await db
      .selectFrom('answers')
      .select((eb) => eb.fn.countAll<number>().as('answers'))
      .executeTakeFirstOrThrow();
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'benchbenchbench12345',
    });
    const ctx: AppContext = {
      config,
      db,
      logger: createLogger('error', () => {}),
      now: () => new Date(),
      slackFor: async () => new WebClient(),
      reschedule: async () => {},
      runOnce: (_key, work) => work(),
    };
    const publishStarted = performance.now();
    const published = await publishClosedPulses(ctx);
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    const asOf = new Date(firstMonday + (PULSES - 1) * 7 * 86_400_000 + 3 * 86_400_000);
    const numbers: number[] = [];
    let input: DigestChart | undefined;
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      const { weeks, scores, latest } = await closedWeeks(ctx, survey, 12, asOf);
      const digest = buildDigest({
        weeks,
        scores,
        comments: [],
        threshold: thresholdOf(ctx, survey),
        calls: latest === undefined ? undefined : await weekTrends(ctx, survey, latest, asOf),
      });
      input = digest.chart;
      numbers.push(performance.now() - started);
    }
    // One close as the scheduler makes it: the latest pulse's cells and the
    // calls of its week over 16 weeks of 2,000 answers each, published again.
    const { last } = await db
      .selectFrom('pulses')
      .select((eb) => eb.fn.max('id').as('last'))
      .executeTakeFirstOrThrow();
    const closes: number[] = [];
    for (let i = 0; i < 10; i++) {
      await db.deleteFrom('published_pulses').where('pulse_id', '=', last).execute();
      const started = performance.now();
      await closeAndPublish(ctx, last);
      closes.push(performance.now() - started);
    }
    const charts: number[] = [];
    for (let i = 0; i < 10 && input !== undefined; i++) {
      const started = performance.now();
      await renderTrendChart(input);
      charts.push(performance.now() - started);
    }
    return {
      title: `Digest at 1,000,000 answers (${engine === 'sqlite' ? 'SQLite' : 'Postgres'})`,
      rows: [
        [
          'answers stored',
          answers.toLocaleString('en-US'),
          `${LEADERS} leaders × ${PULSES} weekly pulses × ${QUESTIONS} questions; seeded in ${seedSeconds.toFixed(1)} s`,
        ],
        [
          'publishing closed pulses',
          `${((publishSeconds * 1000) / Math.max(1, published)).toFixed(1)} ms a pulse`,
          `${published} pulses of ${LEADERS * QUESTIONS} answers in ${publishSeconds.toFixed(1)} s (a first start on an older database; calls for the last year's weeks only)`,
        ],
        [
          'closing one pulse, median of 10',
          `${median(closes).toFixed(0)} ms`,
          'closed, its cells and its week’s 20 calls worked out on 16 weeks of 2,000 answers each (on this thread here; the app does it in a worker thread), then stored',
        ],
        ['digest numbers, median of 30', `${median(numbers).toFixed(1)} ms`, 'goal: 50 ms or less'],
        ['chart render, median of 10', `${median(charts).toFixed(0)} ms`, 'goal: 500 ms or less'],
      ],
    };
  } finally {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh database for the benchmark, migrated by it: a SQLite file in `dir`, or a Postgres server's. */
async function benchDatabase(
  engine: Engine,
  dir: string,
): Promise<{ store: OpenStore; stop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const store = await openStore({ engine, path: join(dir, 'bench.db') });
    return { store, stop: store.close };
  }
  // Loaded only here: the SQLite run needs no Postgres.
  const { freshDatabase, startTestPostgres } = await import('../test/support/postgres.js');
  const server = await startTestPostgres();
  try {
    const { url } = await freshDatabase(server.url('postgres'));
    const store = await openStore({ engine, url });
    return {
      store,
      stop: async () => {
        await store.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

interface SeedAnswer {
  question: string;
  user: string;
  discipline: string;
  value: number;
}

interface SeedPulse {
  surveyId: number;
  due: string;
  questions: string[];
  users: string[];
  answers: SeedAnswer[];
}

/** Rows a multi-row insert carries at most (SQLite allows 32,766 parameters a statement). */
const CHUNK = 500;

function chunks<T>(rows: readonly T[]): T[][] {
  return Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) =>
    rows.slice(i * CHUNK, (i + 1) * CHUNK),
  );
}

/**
 * Writes one closed pulse (due, opened and closed at `due`), its questions,
 * recipients and answers, in one transaction: on SQLite straight through
 * better-sqlite3's prepared statements, the fastest way to fill the file; on
 * Postgres in multi-row inserts.
 */
function pulseWriter(store: OpenStore): (pulse: SeedPulse) => Promise<void> {
  const { sqlite } = store;
  if (sqlite !== undefined) {
    const pulse = sqlite.prepare(
      'INSERT INTO pulses (survey_id, due_at, opened_at, closes_at, closed_at) VALUES (?, ?, ?, ?, ?)',
    );
    const ask = sqlite.prepare(
      'INSERT INTO pulse_questions (pulse_id, position, question_id) VALUES (?, ?, ?)',
    );
    const invite = sqlite.prepare('INSERT INTO pulse_recipients (pulse_id, user_id) VALUES (?, ?)');
    const answer = sqlite.prepare(
      'INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const write = sqlite.transaction(({ surveyId, due, questions, users, answers }: SeedPulse) => {
      const id = Number(pulse.run(surveyId, due, due, due, due).lastInsertRowid);
      for (const [position, q] of questions.entries()) ask.run(id, position, q);
      for (const user of users) invite.run(id, user);
      for (const a of answers) answer.run(id, a.question, a.user, a.discipline, a.value, due, due);
    });
    return async (seed) => {
      write(seed);
    };
  }
  return (seed) =>
    store.db.transaction().execute(async (trx) => {
      const { due } = seed;
      const { id } = await trx
        .insertInto('pulses')
        .values({
          survey_id: seed.surveyId,
          due_at: due,
          opened_at: due,
          closes_at: due,
          closed_at: due,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('pulse_questions')
        .values(
          seed.questions.map((question_id, position) => ({ pulse_id: id, position, question_id })),
        )
        .execute();
      for (const rows of chunks(seed.users))
        await trx
          .insertInto('pulse_recipients')
          .values(rows.map((user_id) => ({ pulse_id: id, user_id })))
          .execute();
      for (const rows of chunks(seed.answers))
        await trx
          .insertInto('answers')
          .values(
            rows.map((a) => ({
              pulse_id: id,
              question_id: a.question,
              user_id: a.user,
              discipline: a.discipline,
              value: a.value,
              answered_at: due,
              updated_at: due,
            })),
          )
          .execute();
    });
}
