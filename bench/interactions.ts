import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../src/paths.js';
import { openStore } from '../src/storage/store.js';
import { runApp } from '../test/support/app-process.js';
import {
  freePort,
  openPulseDatabase,
  waitUntilServing,
} from '../test/support/open-pulse-database.js';
import { BOT_TOKEN, SlackStandIn } from '../test/support/slack-stand-in.js';
import { SIGNING_SECRET } from '../test/support/test-app.js';
import type { LoadJob, Run } from './load-worker.js';
import { residentMemory, type Section } from './measure.js';

const USERS = 2_000;

/** CPU time a process has used so far, in milliseconds, from /proc (Linux; 100 ticks a second). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Interactions through the HTTP receiver, signatures checked: form submissions
 * that store answers and clicks that open the form. The app runs as `npm start`
 * runs it, in its own process, against the Slack stand-in; beside it, in a
 * process of its own, a bare Bolt app that only acknowledges.
 */
export async function interactionsBenchmark(): Promise<Section> {
  const standIn = await SlackStandIn.start();
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-bench-'));
  const database = join(dir, 'pulse.db');
  const users = Array.from({ length: USERS }, (_, i) => `U${String(i).padStart(6, '0')}`);
  for (const id of users) standIn.addUser({ id, name: id });

  const { pulse, questions, form: view } = await openPulseDatabase(database, 'C0BENCH', users);

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
    // BENCH_PROFILE_DIR=folder writes a CPU profile of the app there, to see where time goes.
    process.env.BENCH_PROFILE_DIR === undefined
      ? {}
      : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] },
  );
  const bareChild = spawn(process.execPath, [join(projectRoot, 'dist-bench/bench/bare-app.js')], {
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
    const values = Object.fromEntries([
      ...questions.map((q) => [`q:${q.id}`, '4']),
      ['discipline', 'product'],
      ['comment', ''],
    ]) as Record<string, string>;

    const load = (
      port: number,
      kind: LoadJob['kind'],
      pace: { concurrency?: number; rate?: number; ms: number },
    ) =>
      new Promise<Run>((resolve, reject) => {
        const job: LoadJob = {
          endpoint: `http://127.0.0.1:${port}/slack/events`,
          signingSecret: SIGNING_SECRET,
          kind,
          users,
          pulseId: pulse.id,
          view,
          values,
          triggers: Array.from({ length: 40_000 }, () => standIn.mintTriggerId()),
          responseUrl: standIn.responseUrl(),
          ...pace,
        };
        const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
          workerData: job,
        });
        worker.once('message', (run: Run) => resolve(run));
        worker.once('error', reject);
      });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

    /** How many different people the submission runs reached (each run starts at the first). */
    let submitted = 0;
    const rows: Section['rows'] = [
      [
        'resident memory of the app, started and idle',
        residentMemory(app.child.pid),
        `bare Bolt app: ${residentMemory(bareChild.pid)}`,
      ],
    ];
    for (const [name, kind] of [
      ['form submissions (store answers)', 'submit'],
      ['button clicks (open the form)', 'click'],
    ] as const) {
      for (const concurrency of [1, 10, 50]) {
        const appCpu = cpuMs(app.child.pid);
        const measured = await load(appPort, kind, { concurrency, ms: 3_000 });
        if (kind === 'submit') submitted = Math.max(submitted, Math.min(measured.requests, USERS));
        await settle();
        const appCpuEach = (cpuMs(app.child.pid) - appCpu) / measured.requests;
        const bareCpu = cpuMs(bareChild.pid);
        const base = await load(barePort, kind, { concurrency, ms: 3_000 });
        const bareCpuEach = (cpuMs(bareChild.pid) - bareCpu) / base.requests;
        rows.push([
          `${name}, ${concurrency} in flight`,
          `${measured.throughput.toFixed(0)}/s vs bare ${base.throughput.toFixed(0)}/s = ${(measured.throughput / base.throughput).toFixed(2)}`,
          `p50 ${measured.p50.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms (bare p99 ${base.p99.toFixed(1)} ms); CPU a request ${appCpuEach.toFixed(2)} ms (bare ${bareCpuEach.toFixed(2)} ms); errors ${measured.errors}`,
        ]);
      }
      const steady = await load(appPort, kind, { rate: 200, ms: 5_000 });
      if (kind === 'submit') submitted = Math.max(submitted, Math.min(steady.requests, USERS));
      await settle();
      rows.push([
        `${name} at 200 requests/s for 5 s`,
        `p99 ${steady.p99.toFixed(1)} ms`,
        `p50 ${steady.p50.toFixed(1)} ms; errors ${steady.errors}; goal: p99 under 50 ms`,
      ]);
    }
    rows.push([
      'resident memory of the app after the run',
      residentMemory(app.child.pid),
      `bare Bolt app: ${residentMemory(bareChild.pid)}`,
    ]);
    const check = await openStore({ engine: 'sqlite', path: database }, { readOnly: true });
    const { stored } = await check.db
      .selectFrom('answers')
      .select((eb) => eb.fn.count<number>('user_id').distinct().as('stored'))
      .where('pulse_id', '=', pulse.id)
      .executeTakeFirstOrThrow();
    await check.close();
    const forms = standIn.callsTo('views.open').filter((c) => c.status === 200).length;
    rows.push([
      'what reached the database and Slack',
      `answers stored for ${stored} of the ${submitted} people who submitted; ${forms} forms opened`,
      'each run starts again from the first person: a repeat submission replaces their answers',
    ]);
    return { title: 'Interactions through the HTTP receiver (signatures checked)', rows };
  } finally {
    bareChild.kill('SIGTERM');
    app.child.kill('SIGTERM');
    await app.exited;
    await standIn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
