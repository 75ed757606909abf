import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WebClient } from '@slack/web-api';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import type { Discipline } from '../src/domain/dimensions.js';
import { createLogger } from '../src/logger.js';
import { projectRoot } from '../src/paths.js';
import { openStore } from '../src/storage/store.js';
import { runApp } from '../test/support/app-process.js';
import {
  freePort,
  openPulseDatabase,
  waitUntilServing,
} from '../test/support/open-pulse-database.js';
import { seedPulse } from '../test/support/seed.js';
import { SlackSender } from '../test/support/slack-requests.js';
import { BOT_TOKEN, SlackStandIn, TEAM_ID } from '../test/support/slack-stand-in.js';
import { SIGNING_SECRET } from '../test/support/test-app.js';
import type { LoadJob, Run } from './load-worker.js';
import { profilingArgs, type Section } from './measure.js';

/** Fifteen leaders, as the demo's team: they type the commands. */
const TEAM: [string, Discipline][] = [
  ...Array.from({ length: 6 }, (_, i): [string, Discipline] => [`U0PM${i}`, 'product']),
  ...Array.from({ length: 6 }, (_, i): [string, Discipline] => [`U0EN${i}`, 'engineering']),
  ['U0DS0', 'design'],
  ['U0DS1', 'design'],
  ['U0PG0', 'program'],
];
const WEEKS = 12;
const HOUR = 3_600_000;

/**
 * Twelve closed, published weeks of the team's answers before `now`, so that
 * `score` has figures and calls to read, as a survey's has after a quarter.
 */
async function seedQuarter(db: AppContext['db'], surveyId: number, now: Date): Promise<void> {
  const ctx: AppContext = {
    config: loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'benchbenchbenchbench',
    }),
    db,
    logger: createLogger('error', () => {}),
    now: () => now,
    slackFor: async () => new WebClient(),
    reschedule: async () => {},
    runOnce: (_key, work) => work(),
  };
  const questions = ['okrs.same_direction', 'roadmap.one_plan', 'tech_debt.real_capacity'];
  for (let week = WEEKS; week >= 1; week--) {
    const due = new Date(now.getTime() - week * 7 * 24 * HOUR);
    await seedPulse(ctx, {
      teamId: TEAM_ID,
      surveyId,
      due: due.toISOString(),
      invited: TEAM.map(([id]) => id),
      closed: true,
      answers: TEAM.map((person, i) => ({
        person,
        values: Object.fromEntries(questions.map((q, j) => [q, 1 + ((i + j + week) % 5)])),
      })),
    });
  }
}

/**
 * `/alignment help` and `/alignment score` through the HTTP receiver, side by
 * side with a bare Bolt app giving the same answers in its acknowledgement
 * with nothing read: the app as `npm start` runs it, on a survey with a
 * quarter of published weeks, against the Slack stand-in.
 */
export async function commandsBenchmark(): Promise<Section> {
  const standIn = await SlackStandIn.start();
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-bench-commands-'));
  const database = join(dir, 'pulse.db');
  for (const [id] of TEAM) standIn.addUser({ id, name: id });
  const now = new Date();
  const { survey, pulse } = await openPulseDatabase(
    database,
    'C0BENCH',
    TEAM.map(([id]) => id),
  );
  const store = await openStore({ engine: 'sqlite', path: database });
  try {
    await seedQuarter(store.db, survey.id, now);
  } finally {
    await store.close();
  }
  const appPort = await freePort();
  const barePort = await freePort();
  const app = runApp(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standIn.apiUrl,
      PORT: String(appPort),
      DATABASE_PATH: database,
      LOG_LEVEL: 'error',
    },
    { nodeArgs: profilingArgs() },
  );
  let bare: ReturnType<typeof spawn> | undefined;
  try {
    await waitUntilServing(`http://127.0.0.1:${appPort}/healthz`, app.output);
    // The answers the bare app gives: the app's own, read once through the front door.
    const sender = new SlackSender(
      `http://127.0.0.1:${appPort}/slack/events`,
      SIGNING_SECRET,
      standIn,
    );
    const answers: Record<string, unknown> = {};
    for (const text of ['help', 'score']) {
      const reply = await sender.command({ user: 'U0PM0', channel: 'C0BENCH', text });
      if (typeof reply.json?.text !== 'string')
        throw new Error(`the app did not answer "${text}" in its acknowledgement`);
      answers[text] = reply.json;
    }
    const answersFile = join(dir, 'answers.json');
    writeFileSync(answersFile, JSON.stringify(answers));
    bare = spawn(process.execPath, [join(projectRoot, 'dist-bench/bench/bare-app.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(barePort),
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        BARE_ANSWERS: answersFile,
      },
      stdio: 'ignore',
    });
    await waitUntilServing(`http://127.0.0.1:${barePort}/slack/events`, app.output);

    const load = (port: number, text: string, concurrency: number) =>
      new Promise<Run>((resolve, reject) => {
        const job: LoadJob = {
          endpoint: `http://127.0.0.1:${port}/slack/events`,
          signingSecret: SIGNING_SECRET,
          kind: 'command',
          text,
          users: TEAM.map(([id]) => id),
          pulseId: pulse.id,
          view: { blocks: [] },
          values: {},
          triggers: Array.from({ length: 1_000 }, () => standIn.mintTriggerId()),
          responseUrl: standIn.responseUrl(),
          concurrency,
          ms: 3_000,
        };
        const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
          workerData: job,
        });
        worker.once('message', (run: Run) => resolve(run));
        worker.once('error', reject);
      });
    const rows: Section['rows'] = [];
    for (const text of ['help', 'score'])
      for (const concurrency of [1, 16, 64]) {
        // Warm both (the app's admin look-ups are cached after the first of each person).
        await load(appPort, text, concurrency);
        const measured = await load(appPort, text, concurrency);
        const base = await load(barePort, text, concurrency);
        const ratio = measured.throughput / base.throughput;
        rows.push([
          `\`/alignment ${text}\`, ${concurrency} in flight`,
          `${measured.throughput.toFixed(0)}/s vs bare ${base.throughput.toFixed(0)}/s = ${ratio.toFixed(2)}`,
          `goal ≥ 0.8 — ${ratio >= 0.8 ? 'met' : `not met by ${(0.8 - ratio).toFixed(2)}`}; p50 ${measured.p50.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms (bare p99 ${base.p99.toFixed(1)} ms); errors ${measured.errors} (bare ${base.errors}); answered in the acknowledgement`,
        ]);
      }
    rows.push([
      'what Slack was asked meanwhile',
      `${standIn.callsTo('users.info').length} users.info, ${standIn.responseUrlPosts.length} response_url posts`,
      'help asks Slack once per person whether they are an admin, then remembers it for five minutes',
    ]);
    return { title: 'Commands answered in the acknowledgement, beside a bare Bolt app', rows };
  } finally {
    bare?.kill('SIGTERM');
    app.child.kill('SIGTERM');
    await app.exited;
    await standIn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
