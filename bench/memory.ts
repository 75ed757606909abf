import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { createLogger } from '../src/logger.js';
import { projectRoot } from '../src/paths.js';
import { openStore } from '../src/storage/store.js';
import { runApp } from '../test/support/app-process.js';
import {
  freePort,
  openPulseDatabase,
  waitUntilServing,
} from '../test/support/open-pulse-database.js';
import { type Person, seedPulse } from '../test/support/seed.js';
import { SlackSender } from '../test/support/slack-requests.js';
import { BOT_TOKEN, BOT_USER_ID, SlackStandIn, TEAM_ID } from '../test/support/slack-stand-in.js';
import { SIGNING_SECRET } from '../test/support/test-app.js';
import { megabytes, residentBytes, type Section } from './measure.js';

const ADMIN = 'U0BENCHADM';
const CHANNEL = 'C0MEMORY';
const GOAL = 100 * 1024 * 1024;
const people: Person[] = [
  ...['1', '2', '3', '4'].map((n): Person => [`U0PROD0${n}`, 'product']),
  ...['1', '2', '3', '4'].map((n): Person => [`U0ENG00${n}`, 'engineering']),
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The app's resident memory at rest and once it has drawn the fallback chart,
 * run as `npm start` runs it against the Slack stand-in, beside a bare Bolt app.
 * The chart libraries (vega, vega-lite, resvg) are loaded only when Slack
 * refuses the native chart, so the idle figure leaves them out; the stand-in
 * refuses it here so that the second figure includes them.
 */
export async function memoryBenchmark(): Promise<Section> {
  const standIn = await SlackStandIn.start();
  standIn.refusedBlockTypes.add('data_visualization');
  standIn.addUser({ id: ADMIN, name: 'admin' });
  for (const [id] of people) standIn.addUser({ id, name: id });
  standIn.addChannel({
    id: CHANNEL,
    name: 'memory',
    members: [ADMIN, BOT_USER_ID, ...people.map(([id]) => id)],
  });
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-memory-'));
  const database = join(dir, 'pulse.db');
  // Four closed weeks to digest, written as the app would have published them.
  const { survey } = await openPulseDatabase(database, CHANNEL, []);
  const store = await openStore({ engine: 'sqlite', path: database });
  try {
    const ctx: AppContext = {
      config: loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      db: store.db,
      logger: createLogger('error', () => {}),
      now: () => new Date(),
      slackFor: async () => undefined as never,
      reschedule: async () => {},
      runOnce: (_key, work) => work(),
    };
    for (let week = 4; week >= 1; week--)
      await seedPulse(ctx, {
        teamId: TEAM_ID,
        surveyId: survey.id,
        due: new Date(Date.now() - (week * 7 + 3) * 86_400_000).toISOString(),
        invited: people.map(([id]) => id),
        closed: true,
        answers: people.map((person, i) => ({
          person,
          values: { 'tech_debt.real_capacity': person[1] === 'product' ? 4 : 1 + (i % 3) },
        })),
      });
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
      ADMIN_USER_IDS: ADMIN,
      LOG_LEVEL: 'error',
    },
    // BENCH_NODE_ARGS="--expose-gc --import ./probe.mjs" runs the app with extra Node flags, to look inside.
    { nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? [] },
  );
  const bare = spawn(process.execPath, [join(projectRoot, 'dist-bench/bench/bare-app.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(barePort),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
    },
    stdio: 'ignore',
  });
  try {
    await waitUntilServing(`http://127.0.0.1:${appPort}/healthz`, app.output);
    await waitUntilServing(`http://127.0.0.1:${barePort}/slack/events`, app.output);
    // At rest: started, schedules set, nothing asked of it for a while. Memory is
    // read every 5 s for 30 s (V8 gives memory back some seconds after a process
    // goes quiet), and the figure is the last reading, with the range of all.
    const readings: { app: number; bare: number }[] = [];
    for (let i = 0; i < 6; i++) {
      await sleep(5_000);
      readings.push({ app: residentBytes(app.child.pid), bare: residentBytes(bare.pid) });
    }
    const idle = readings.at(-1)?.app ?? Number.NaN;
    const bareIdle = readings.at(-1)?.bare ?? Number.NaN;
    const range = `${megabytes(Math.min(...readings.map((r) => r.app)))}–${megabytes(Math.max(...readings.map((r) => r.app)))}`;
    if (process.env.BENCH_NODE_ARGS !== undefined)
      console.error(readings.map((r) => `${megabytes(r.app)}/${megabytes(r.bare)}`).join(' '));

    const sender = new SlackSender(
      `http://127.0.0.1:${appPort}/slack/events`,
      SIGNING_SECRET,
      standIn,
    );
    await sender.command({ user: ADMIN, channel: CHANNEL, text: 'digest now' });
    for (let i = 0; i < 300 && ![...standIn.uploads.values()].some((u) => u.bytes); i++)
      await sleep(100);
    const drawn = [...standIn.uploads.values()].some((u) => u.bytes);
    await sleep(1_000);
    const afterChart = residentBytes(app.child.pid);
    return {
      title: 'Memory of the app',
      rows: [
        [
          'resident memory of the app, started and idle',
          megabytes(idle),
          `after 30 s at rest (${range} over the 30 s); goal: at most ${megabytes(GOAL)} — ${idle <= GOAL ? 'met' : 'NOT met'}; a bare Bolt app: ${megabytes(bareIdle)}`,
        ],
        [
          'after drawing the fallback chart (Slack refused the native one)',
          megabytes(afterChart),
          drawn
            ? 'the digest posted without the chart block, the PNG uploaded; vega, vega-lite and resvg now loaded'
            : 'the PNG was not uploaded within 30 s',
        ],
      ],
    };
  } finally {
    if (process.env.BENCH_NODE_ARGS !== undefined) console.error(app.output());
    app.child.kill('SIGTERM');
    bare.kill('SIGTERM');
    await app.exited;
    await standIn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
