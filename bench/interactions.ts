import { App, HTTPReceiver } from '@slack/bolt';
import { createPulse, setRecipients } from '../src/storage/pulses.js';
import { pulseQuestions } from '../src/storage/questions.js';
import { findOrCreateSurvey } from '../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../src/views/pulse-message.js';
import { PULSE_MODAL_CALLBACK, pulseModal } from '../src/views/pulse-modal.js';
import { SlackSender } from '../test/support/slack-requests.js';
import { TEAM_ID } from '../test/support/slack-stand-in.js';
import { SIGNING_SECRET, startTestApp } from '../test/support/test-app.js';
import { megabytes, percentile, type Section } from './measure.js';

const USERS = 2_000;

interface Run {
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `concurrency` requests in flight at all times for `ms`, or an open loop at `rate` per second. */
async function load(
  send: (i: number) => Promise<number>,
  options: { concurrency?: number; rate?: number; ms: number },
): Promise<Run> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const one = async () => {
    const t0 = performance.now();
    const status = await send(next++).catch(() => 0);
    latencies.push(performance.now() - t0);
    if (status !== 200) errors++;
  };
  if (options.rate !== undefined) {
    const pending: Promise<void>[] = [];
    const total = Math.round((options.rate * options.ms) / 1000);
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(one());
    }
    await Promise.all(pending);
  } else {
    const workers = Array.from({ length: options.concurrency ?? 1 }, async () => {
      while (performance.now() - started < options.ms) await one();
    });
    await Promise.all(workers);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

/**
 * Interactions through the HTTP receiver, signatures checked: form submissions
 * that store answers and clicks that open the form, against the real app and,
 * beside it, a bare Bolt app that only acknowledges.
 */
export async function interactionsBenchmark(): Promise<Section> {
  const t = await startTestApp({ schedule: false, env: { LOG_LEVEL: 'error' } });
  const bare = new App({
    token: 'xoxb-bare',
    botId: 'B0BARE',
    botUserId: 'U0BARE',
    tokenVerificationEnabled: false,
    receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET }),
    logLevel: 'error' as never,
  });
  bare.view(PULSE_MODAL_CALLBACK, async ({ ack }) => ack());
  bare.action(ANSWER_PULSE_ACTION, async ({ ack }) => ack());
  const bareServer = (await bare.start(0)) as { address(): { port: number } };
  try {
    const db = t.app.ctx.db;
    const survey = findOrCreateSurvey(db, {
      teamId: TEAM_ID,
      channelId: 'C0BENCH',
      timezone: 'UTC',
      createdBy: 'U0ADMIN',
    });
    const now = new Date();
    const { pulse } = createPulse(db, {
      surveyId: survey.id,
      dueAt: now,
      openedAt: now,
      closesAt: new Date(now.getTime() + 86_400_000),
      questionIds: [
        'okrs.same_direction',
        'roadmap.one_plan',
        'tech_debt.real_capacity',
        'priorities.ranked',
        'ownership.clear',
      ],
    });
    const users = Array.from({ length: USERS }, (_, i) => `U${String(i).padStart(6, '0')}`);
    setRecipients(db, pulse.id, users);
    for (const id of users) t.standIn.addUser({ id, name: id });
    const view = {
      id: 'V0BENCH',
      ...pulseModal({
        pulseId: pulse.id,
        questions: pulseQuestions(db, pulse.id),
        closesAt: pulse.closesAt,
        timezone: 'UTC',
        askDiscipline: true,
      }),
    };
    const values = Object.fromEntries([
      ...pulseQuestions(db, pulse.id).map((q) => [`q:${q.id}`, '4']),
      ['discipline', 'product'],
      ['comment', ''],
    ]) as Record<string, string>;

    const sender = (url: string) => new SlackSender(url, SIGNING_SECRET, t.standIn);
    const app = sender(`${t.baseUrl}/slack/events`);
    const bareApp = sender(`http://127.0.0.1:${bareServer.address().port}/slack/events`);
    const submit = (s: SlackSender) => (i: number) =>
      s
        .interaction(s.viewSubmission({ user: users[i % USERS] ?? 'U0', view, values }))
        .then((r) => r.status);
    const click = (s: SlackSender) => (i: number) =>
      s
        .interaction(
          s.buttonClick({
            user: users[i % USERS] ?? 'U0',
            channel: 'C0BENCH',
            actionId: ANSWER_PULSE_ACTION,
            value: String(pulse.id),
          }),
        )
        .then((r) => r.status);

    const rows: Section['rows'] = [
      [
        'resident memory, app started and idle',
        megabytes(process.memoryUsage().rss),
        'the app, the Slack stand-in and the bare app share this process',
      ],
    ];
    for (const [name, make] of [
      ['form submissions (store answers)', submit],
      ['button clicks (open the form)', click],
    ] as const) {
      for (const concurrency of [1, 10, 50]) {
        const real = await load(make(app), { concurrency, ms: 3_000 });
        await t.app.idle();
        const base = await load(make(bareApp), { concurrency, ms: 3_000 });
        rows.push([
          `${name}, ${concurrency} in flight`,
          `${real.throughput.toFixed(0)}/s vs bare ${base.throughput.toFixed(0)}/s = ${(real.throughput / base.throughput).toFixed(2)}`,
          `p50 ${real.p50.toFixed(1)} ms, p99 ${real.p99.toFixed(1)} ms (bare p99 ${base.p99.toFixed(1)} ms); errors ${real.errors}`,
        ]);
      }
      const steady = await load(make(app), { rate: 200, ms: 5_000 });
      await t.app.idle();
      rows.push([
        `${name} at 200 requests/s for 5 s`,
        `p99 ${steady.p99.toFixed(1)} ms`,
        `p50 ${steady.p50.toFixed(1)} ms; errors ${steady.errors}; goal: p99 under 50 ms`,
      ]);
    }
    const stored = (
      db.prepare('SELECT count(DISTINCT user_id) AS n FROM answers').get() as { n: number }
    ).n;
    rows.push([
      'people whose answers were stored',
      String(stored),
      `of ${USERS} submitting; every acknowledged submission is in the database`,
    ]);
    return { title: 'Interactions through the HTTP receiver (signatures checked)', rows };
  } finally {
    await bare.stop();
    await t.stop();
  }
}
