import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { sql } from 'kysely';
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
import { benchEngines, engineName, median, type Section } from './measure.js';
import { startBenchPostgres } from './postgres.js';
import { pulseWriter, type SeedAnswer } from './seed.js';

const LEADERS = 200;
const PULSES = 500;
const QUESTIONS = 10;

/** The figures of one engine's run. */
interface DigestRun {
  engine: Engine;
  answers: number;
  seedSeconds: number;
  published: number;
  publishSeconds: number;
  closeMs: number;
  numbersMs: number;
  chartMs: number;
}

/**
 * The digest at 1,000,000 answers: 200 leaders answering 10 questions in each of
 * 500 weekly pulses. Times publishing the closed pulses (what a first start on
 * a database from before publications does, and each close does once), the
 * digest's numbers (read from the published cells) and rendering its chart.
 * On a SQLite file, then on Postgres (a server of its own, the embedded one the
 * tests use, with its default settings), side by side.
 */
export async function digestBenchmark(): Promise<Section> {
  const runs: DigestRun[] = [];
  for (const engine of benchEngines()) runs.push(await digestOn(engine));
  const each = (figure: (r: DigestRun) => string) => runs.map(figure);
  return {
    title: 'Digest at 1,000,000 answers',
    columns: runs.map((r) => engineName(r.engine)),
    rows: [
      [
        'answers stored',
        ...each(
          (r) => `${r.answers.toLocaleString('en-US')}; seeded in ${r.seedSeconds.toFixed(1)} s`,
        ),
        `${LEADERS} leaders × ${PULSES} weekly pulses × ${QUESTIONS} questions`,
      ],
      [
        'publishing closed pulses',
        ...each(
          (r) =>
            `${((r.publishSeconds * 1000) / Math.max(1, r.published)).toFixed(1)} ms a pulse; ${r.published} in ${r.publishSeconds.toFixed(1)} s`,
        ),
        `${PULSES} pulses of ${LEADERS * QUESTIONS} answers (a first start on an older database; calls for the last year's weeks only)`,
      ],
      [
        'closing one pulse, median of 10',
        ...each((r) => `${r.closeMs.toFixed(0)} ms`),
        'closed, its cells and its week’s 20 calls worked out on 16 weeks of 2,000 answers each (on this thread here; the app does it in a worker thread), then stored',
      ],
      [
        'digest numbers, median of 30',
        ...each((r) => `${r.numbersMs.toFixed(1)} ms`),
        'goal: 50 ms or less',
      ],
      [
        'chart render, median of 10',
        ...each((r) => `${r.chartMs.toFixed(0)} ms`),
        'goal: 500 ms or less; no database work (the same on both)',
      ],
    ],
  };
}

/** The digest benchmark on one engine, on a database of its own. */
async function digestOn(engine: Engine): Promise<DigestRun> {
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
    const insertPulses = pulseWriter(store, { durable: true });
    // A fixed pseudo-random sequence, so every run measures the same data.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const disciplineOf = (i: number) =>
      DISCIPLINES[i < 80 ? 0 : i < 160 ? 1 : i < 180 ? 2 : i < 190 ? 3 : 4] ?? 'other';
    const users = Array.from({ length: LEADERS }, (_, u) => `U${String(u).padStart(5, '0')}`);
    for (let p = 0; p < PULSES; p++) {
      const due = new Date(firstMonday + p * 7 * 86_400_000).toISOString();
      const questions = chooseQuestions(CATALOGUE, history, QUESTIONS).map((q) => q.id);
      history.push(questions);
      await insertPulses([
        {
          surveyId: survey.id,
          dueAt: due,
          openedAt: due,
          closesAt: due,
          closedAt: due,
          remindedAt: null,
          questions,
          recipients: users,
          answers: users.flatMap((user, u) =>
            questions.map(
              (question): SeedAnswer => ({
                question,
                user,
                discipline: disciplineOf(u),
                value: 1 + Math.floor(random() * 5),
                at: due,
              }),
            ),
          ),
        },
      ]);
    }
    // Postgres's planner chooses from statistics, which autovacuum gathers
    // after a load this size; gathered now, so the figures do not wait on it.
    if (engine === 'postgres') await sql`ANALYZE`.execute(db);
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
      engine,
      answers,
      seedSeconds,
      published,
      publishSeconds,
      closeMs: median(closes),
      numbersMs: median(numbers),
      chartMs: median(charts),
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
  const server = await startBenchPostgres();
  try {
    const { url } = await server.fresh();
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
