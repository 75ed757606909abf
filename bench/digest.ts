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
import { openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { syncCatalogue } from '../src/storage/questions.js';
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
 */
export async function digestBenchmark(): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'alignment-bench-'));
  const db = openDatabase(join(dir, 'bench.db'));
  try {
    migrate(db, migrationsDir);
    syncCatalogue(db, CATALOGUE);
    db.prepare("INSERT INTO workspaces (team_id) VALUES ('TBENCH')").run();
    const survey = findOrCreateSurvey(db, {
      teamId: 'TBENCH',
      channelId: 'CBENCH',
      timezone: 'Europe/Berlin',
      createdBy: 'UADMIN',
    });

    const seedStarted = performance.now();
    const firstMonday = Date.parse('2016-12-05T08:00:00Z');
    const history: string[][] = [];
    const pulse = db.prepare(
      'INSERT INTO pulses (survey_id, due_at, opened_at, closes_at, closed_at) VALUES (?, ?, ?, ?, ?)',
    );
    const ask = db.prepare(
      'INSERT INTO pulse_questions (pulse_id, position, question_id) VALUES (?, ?, ?)',
    );
    const invite = db.prepare('INSERT INTO pulse_recipients (pulse_id, user_id) VALUES (?, ?)');
    const answer = db.prepare(
      'INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // A fixed pseudo-random sequence, so every run measures the same data.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const disciplineOf = (i: number) =>
      DISCIPLINES[i < 80 ? 0 : i < 160 ? 1 : i < 180 ? 2 : i < 190 ? 3 : 4] ?? 'other';
    for (let p = 0; p < PULSES; p++) {
      db.transaction(() => {
        const due = new Date(firstMonday + p * 7 * 86_400_000).toISOString();
        const id = Number(pulse.run(survey.id, due, due, due, due).lastInsertRowid);
        const questions = chooseQuestions(CATALOGUE, history, QUESTIONS).map((q) => q.id);
        history.push(questions);
        for (const [position, q] of questions.entries()) ask.run(id, position, q);
        for (let u = 0; u < LEADERS; u++) {
          const user = `U${String(u).padStart(5, '0')}`;
          invite.run(id, user);
          for (const q of questions)
            answer.run(id, q, user, disciplineOf(u), 1 + Math.floor(random() * 5), due, due);
        }
      })();
    }
    const answers = (db.prepare('SELECT count(*) AS n FROM answers').get() as { n: number }).n;
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
      reschedule: () => {},
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
      const { weeks, scores, latest } = closedWeeks(ctx, survey, 12, asOf);
      const digest = buildDigest({
        weeks,
        scores,
        comments: [],
        threshold: thresholdOf(ctx, survey),
        calls: latest === undefined ? undefined : weekTrends(ctx, survey, latest, asOf),
      });
      input = digest.chart;
      numbers.push(performance.now() - started);
    }
    // One close as the scheduler makes it: the latest pulse's cells and the
    // calls of its week over 16 weeks of 2,000 answers each, published again.
    const last = (db.prepare('SELECT max(id) AS id FROM pulses').get() as { id: number }).id;
    const closes: number[] = [];
    for (let i = 0; i < 10; i++) {
      db.prepare('DELETE FROM published_pulses WHERE pulse_id = ?').run(last);
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
      title: 'Digest at 1,000,000 answers',
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
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
