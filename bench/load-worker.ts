import { parentPort, workerData } from 'node:worker_threads';
import { ANSWER_PULSE_ACTION } from '../src/views/pulse-message.js';
import { type OpenedView, SlackSender } from '../test/support/slack-requests.js';
import { percentile } from './measure.js';

/**
 * The benchmark's load, in a thread of its own so that making requests does
 * not compete with the Slack stand-in, which answers the app on the main thread.
 */

export interface LoadJob {
  endpoint: string;
  signingSecret: string;
  kind: 'submit' | 'click' | 'command';
  /** For 'command': what is typed after /alignment. */
  text?: string;
  users: string[];
  pulseId: number;
  view: OpenedView;
  values: Record<string, string>;
  /** Trigger ids the stand-in minted beforehand, one per request. */
  triggers: string[];
  responseUrl: string;
  concurrency?: number;
  rate?: number;
  ms: number;
}

export interface Run {
  requests: number;
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
    requests: latencies.length,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

const job = workerData as LoadJob;
let trigger = 0;
const sender = new SlackSender(job.endpoint, job.signingSecret, {
  mintTriggerId: () => job.triggers[trigger++ % job.triggers.length] ?? '',
  responseUrl: () => job.responseUrl,
});
const user = (i: number) => job.users[i % job.users.length] ?? 'U0';
const send =
  job.kind === 'command'
    ? (i: number) =>
        sender
          .command({ user: user(i), channel: 'C0BENCH', text: job.text ?? 'help' })
          // Answered in the acknowledgement itself, or it counts as an error.
          .then((r) => (typeof r.json?.text === 'string' ? r.status : -1))
    : job.kind === 'submit'
      ? (i: number) =>
          sender
            .interaction(
              sender.viewSubmission({ user: user(i), view: job.view, values: job.values }),
            )
            // Stored and thanked, or it counts as an error.
            .then((r) => (r.json?.response_action === 'update' ? r.status : -1))
      : (i: number) =>
          sender
            .interaction(
              sender.buttonClick({
                user: user(i),
                channel: 'C0BENCH',
                actionId: ANSWER_PULSE_ACTION,
                value: String(job.pulseId),
              }),
            )
            .then((r) => r.status);
parentPort?.postMessage(await load(send, job));
