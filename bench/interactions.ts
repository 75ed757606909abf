import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { projectRoot } from '../src/paths.js';
import { type Engine, openStore, type StoreLocation } from '../src/storage/store.js';
import { runApp } from '../test/support/app-process.js';
import {
  freePort,
  openPulseDatabase,
  waitUntilServing,
} from '../test/support/open-pulse-database.js';
import { BOT_TOKEN, SlackStandIn } from '../test/support/slack-stand-in.js';
import { SIGNING_SECRET } from '../test/support/test-app.js';
import type { LoadJob, Run } from './load-worker.js';
import {
  benchEngines,
  engineName,
  profilingArgs,
  residentMemory,
  type Section,
} from './measure.js';
import { type BenchPostgres, startBenchPostgres } from './postgres.js';

const USERS = 2_000;
const CONCURRENCY = [1, 10, 50] as const;
const KINDS = [
  ['form submissions (store answers)', 'submit'],
  ['button clicks (open the form)', 'click'],
] as const;
type Kind = (typeof KINDS)[number][1];

/** CPU time a process has used so far, in milliseconds, from /proc (Linux; 100 ticks a second). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** One load at a number in flight: the app's figures, and the bare app's beside them. */
interface Paired {
  app: Run;
  /** CPU a request: the app's process, and the Postgres server's (NaN on SQLite). */
  appCpu: number;
  serverCpu: number;
  bare: Run;
  bareCpu: number;
  /** Seconds the app's work went on after its last answer (work begun after the acknowledgement). */
  drainS: number;
}

/** Everything measured on one engine. */
interface EngineRun {
  engine: Engine;
  idle: string;
  after: string;
  paired: Map<string, Paired>;
  steady: Map<Kind, Run & { drainS: number }>;
  stored: number;
  submitted: number;
  clicks: number;
  forms: number;
  /** On Postgres, transactions the server counted a request (reads among them), by kind. */
  transactions: Map<Kind, number>;
}

/**
 * Interactions through the HTTP receiver, signatures checked: form submissions
 * that store answers and clicks that open the form. The app runs as `npm start`
 * runs it, in its own process, against the Slack stand-in, once on a SQLite
 * file and once on Postgres (DATABASE_URL, a fresh database on a server of its
 * own with its default settings); beside it, in a process of its own, a bare
 * Bolt app that only acknowledges, measured again beside each engine's run.
 */
export async function interactionsBenchmark(): Promise<Section> {
  const standIn = await SlackStandIn.start();
  const users = Array.from({ length: USERS }, (_, i) => `U${String(i).padStart(6, '0')}`);
  for (const id of users) standIn.addUser({ id, name: id });
  const engines = benchEngines();
  const barePort = await freePort();
  const bareChild = spawn(process.execPath, [join(projectRoot, 'dist-bench/bench/bare-app.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(barePort),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
    },
    stdio: 'ignore',
  });
  let postgres: BenchPostgres | undefined;
  try {
    if (engines.includes('postgres')) postgres = await startBenchPostgres();
    await waitUntilServing(`http://127.0.0.1:${barePort}/slack/events`, () => 'the bare app');
    const bareIdle = residentMemory(bareChild.pid);
    const runs: EngineRun[] = [];
    for (const engine of engines)
      runs.push(await measureOn(engine, { standIn, users, barePort, bareChild, postgres }));
    const bareAfter = residentMemory(bareChild.pid);

    const fixed = (n: number, digits = 1) => (Number.isNaN(n) ? '?' : n.toFixed(digits));
    const each = (figure: (r: EngineRun) => string) => runs.map(figure);
    const bares = (figure: (p: Paired) => string, key: string) =>
      runs.map((r) => figure(r.paired.get(key) as Paired)).join(' · ');
    const rows: Section['rows'] = [
      [
        'resident memory of the app, started and idle',
        ...each((r) => r.idle),
        `bare Bolt app: ${bareIdle}`,
      ],
    ];
    for (const [name, kind] of KINDS) {
      for (const concurrency of CONCURRENCY) {
        const key = `${kind}:${concurrency}`;
        rows.push([
          `${name}, ${concurrency} in flight`,
          ...each((r) => {
            const p = r.paired.get(key) as Paired;
            const server = Number.isNaN(p.serverCpu)
              ? ''
              : ` + Postgres ${fixed(p.serverCpu, 2)} ms`;
            const drain =
              p.drainS >= 1 ? `; its work went on ${fixed(p.drainS)} s after the last answer` : '';
            return `${p.app.throughput.toFixed(0)}/s (${(p.app.throughput / p.bare.throughput).toFixed(2)} of bare); p50 ${fixed(p.app.p50)} ms, p99 ${fixed(p.app.p99)} ms; CPU a request ${fixed(p.appCpu, 2)} ms${server}; errors ${p.app.errors}${drain}`;
          }),
          `bare Bolt app, measured beside each: ${bares((p) => `${p.bare.throughput.toFixed(0)}/s`, key)}, p99 ${bares((p) => `${fixed(p.bare.p99)} ms`, key)}, CPU a request ${bares((p) => `${fixed(p.bareCpu, 2)} ms`, key)}`,
        ]);
      }
      rows.push([
        `${name} at 200 requests/s for 5 s`,
        ...each((r) => {
          const steady = r.steady.get(kind) as Run & { drainS: number };
          const drain =
            steady.drainS >= 1
              ? `; its work went on ${fixed(steady.drainS)} s after the last answer`
              : '';
          return `p99 ${fixed(steady.p99)} ms; p50 ${fixed(steady.p50)} ms; errors ${steady.errors}${drain}`;
        }),
        'goal: p99 under 50 ms',
      ]);
    }
    rows.push(
      [
        'resident memory of the app after the run',
        ...each((r) => r.after),
        `bare Bolt app: ${bareAfter}`,
      ],
      [
        'transactions a request on the database server',
        ...each((r) =>
          r.transactions.size === 0
            ? '—'
            : KINDS.map(
                ([name, kind]) =>
                  `${name.split(' (')[0]}: ${(r.transactions.get(kind) ?? Number.NaN).toFixed(1)}`,
              ).join('; '),
        ),
        'Postgres, counted by the server over one more run of 2 s at 10 in flight: reads among them, a statement outside a transaction counting as one; every statement is a round trip to the server. SQLite answers in the app’s own process',
      ],
      [
        'what reached the database and Slack',
        ...each(
          (r) =>
            `answers stored for ${r.stored} of the ${r.submitted} people who submitted; ${r.forms} forms opened for ${r.clicks} clicks`,
        ),
        'each run starts again from the first person: a repeat submission replaces their answers. A click is acknowledged at once; the form is opened after (views.open): each load is followed by a wait until the app is idle, so its CPU counts that work and the bare app runs alone',
      ],
    );
    return {
      title: 'Interactions through the HTTP receiver (signatures checked)',
      columns: engines.map(engineName),
      rows,
    };
  } finally {
    bareChild.kill('SIGTERM');
    await postgres?.stop();
    await standIn.stop();
  }
}

/** The app on one engine: started on a database of its own, loaded, checked, stopped. */
async function measureOn(
  engine: Engine,
  shared: {
    standIn: SlackStandIn;
    users: string[];
    barePort: number;
    bareChild: ReturnType<typeof spawn>;
    postgres: BenchPostgres | undefined;
  },
): Promise<EngineRun> {
  const { standIn, users, barePort, bareChild, postgres } = shared;
  const dir = mkdtempSync(join(tmpdir(), 'alignment-pulse-bench-'));
  let location: StoreLocation;
  let drop = async () => {};
  if (engine === 'sqlite') location = { engine, path: join(dir, 'pulse.db') };
  else {
    if (postgres === undefined) throw new Error('no Postgres server for the benchmark');
    const database = await postgres.fresh();
    location = { engine, url: database.url };
    drop = database.drop;
  }
  const { pulse, questions, form: view } = await openPulseDatabase(location, 'C0BENCH', users);
  const formsBefore = standIn.callsTo('views.open').filter((c) => c.status === 200).length;
  const appPort = await freePort();
  const app = runApp(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standIn.apiUrl,
      PORT: String(appPort),
      ...(location.engine === 'sqlite'
        ? { DATABASE_PATH: location.path }
        : { DATABASE_URL: location.url }),
      LOG_LEVEL: 'error',
    },
    { nodeArgs: profilingArgs() },
  );
  try {
    await waitUntilServing(`http://127.0.0.1:${appPort}/healthz`, app.output);
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
    const serverCpu = () => postgres?.cpuMs() ?? Number.NaN;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    /**
     * Waits, after a load, until the app is idle: work
     * a request started after its acknowledgement (a click's views.open, say) is
     * done by then. Its figures count that work; the bare app's run does not
     * share the cores with it. Gives how long the work went on after the last answer.
     */
    const settle = async (): Promise<number> => {
      const started = performance.now();
      await sleep(500);
      for (;;) {
        const app0 = cpuMs(app.child.pid);
        const at = performance.now();
        await sleep(250);
        // Idle: under a tenth of a core over the quarter second (the server
        // is left out: its own upkeep, autovacuum, is not the requests' work).
        if (cpuMs(app.child.pid) - app0 <= 25 || at - started > 60_000)
          return (at - started) / 1000;
      }
    };

    /** How many different people the submission runs reached (each run starts at the first). */
    let submitted = 0;
    let clicks = 0;
    const idle = residentMemory(app.child.pid);
    const paired = new Map<string, Paired>();
    const steady = new Map<Kind, Run & { drainS: number }>();
    for (const [, kind] of KINDS) {
      for (const concurrency of CONCURRENCY) {
        const appCpu = cpuMs(app.child.pid);
        const server = serverCpu();
        const measured = await load(appPort, kind, { concurrency, ms: 3_000 });
        if (kind === 'submit') submitted = Math.max(submitted, Math.min(measured.requests, USERS));
        else clicks += measured.requests;
        const drainS = await settle();
        const appCpuEach = (cpuMs(app.child.pid) - appCpu) / measured.requests;
        const serverCpuEach =
          engine === 'postgres' ? (serverCpu() - server) / measured.requests : Number.NaN;
        const bareCpu = cpuMs(bareChild.pid);
        const base = await load(barePort, kind, { concurrency, ms: 3_000 });
        const bareCpuEach = (cpuMs(bareChild.pid) - bareCpu) / base.requests;
        paired.set(`${kind}:${concurrency}`, {
          app: measured,
          appCpu: appCpuEach,
          serverCpu: serverCpuEach,
          bare: base,
          bareCpu: bareCpuEach,
          drainS,
        });
        await settle();
      }
      const run = await load(appPort, kind, { rate: 200, ms: 5_000 });
      if (kind === 'submit') submitted = Math.max(submitted, Math.min(run.requests, USERS));
      else clicks += run.requests;
      steady.set(kind, { ...run, drainS: await settle() });
    }
    // On Postgres, how many transactions (each statement outside one is its own) a
    // request costs the server: counted over one more short run. A connection
    // reports its counts when idle, within 10 s.
    const transactions = new Map<Kind, number>();
    if (location.engine === 'postgres') {
      const probe = await openStore(location);
      const counted = async () =>
        (
          await sql<{ n: number }>`SELECT xact_commit AS n FROM pg_stat_database
            WHERE datname = current_database()`.execute(probe.db)
        ).rows[0]?.n ?? Number.NaN;
      try {
        for (const [, kind] of KINDS) {
          await new Promise((resolve) => setTimeout(resolve, 11_000));
          const before = await counted();
          const run = await load(appPort, kind, { concurrency: 10, ms: 2_000 });
          if (kind === 'click') clicks += run.requests;
          await new Promise((resolve) => setTimeout(resolve, 11_000));
          // Less the two reads of this count itself.
          transactions.set(kind, ((await counted()) - before - 2) / run.requests);
        }
      } finally {
        await probe.close();
      }
    }
    const after = residentMemory(app.child.pid);
    const check = await openStore(location, { readOnly: true });
    const { stored } = await check.db
      .selectFrom('answers')
      .select((eb) => eb.fn.count<number>('user_id').distinct().as('stored'))
      .where('pulse_id', '=', pulse.id)
      .executeTakeFirstOrThrow();
    await check.close();
    const forms =
      standIn.callsTo('views.open').filter((c) => c.status === 200).length - formsBefore;
    return { engine, idle, after, paired, steady, stored, submitted, clicks, forms, transactions };
  } finally {
    app.child.kill('SIGTERM');
    await app.exited;
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
