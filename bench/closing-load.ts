import { parentPort, workerData } from 'node:worker_threads';
import { type OpenedView, SlackSender } from '../test/support/slack-requests.js';
import { TEAM_ID } from '../test/support/slack-stand-in.js';

/**
 * Leaders answering through the real HTTP app while pulses close: form
 * submissions at a steady rate, each timed, in a thread of its own so that
 * neither the Slack stand-in nor the database poller of bench/closing.ts
 * delays them. Runs until told to stop; then hands back every submission.
 */

export interface AnswerLoad {
  endpoint: string;
  signingSecret: string;
  users: string[];
  view: OpenedView;
  values: Record<string, string>;
  responseUrl: string;
  /** Submissions a second. */
  rate: number;
}

export interface Submission {
  /** When it was sent, in milliseconds since the epoch. */
  sentAt: number;
  ms: number;
  /** Stored and thanked (the form updated to its thanks), within Slack's 3 seconds. */
  ok: boolean;
}

const SLACK_WAITS_MS = 3_000;

const job = workerData as AnswerLoad;
let triggers = 0;
const sender = new SlackSender(job.endpoint, job.signingSecret, {
  // A submission's trigger is never used to open anything; it only has to be there.
  mintTriggerId: () => `${++triggers}.${TEAM_ID}.closing`,
  responseUrl: () => job.responseUrl,
});
const done: Submission[] = [];
const pending = new Set<Promise<void>>();
let stopping = false;
parentPort?.once('message', () => {
  stopping = true;
});

const started = performance.now();
for (let i = 0; !stopping; i++) {
  const due = started + (i * 1000) / job.rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (stopping) break;
  const user = job.users[i % job.users.length] ?? 'U0';
  const sentAt = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  const one = sender
    .interaction(sender.viewSubmission({ user, view: job.view, values: job.values }))
    .then(
      (reply) => reply.status === 200 && reply.json?.response_action === 'update',
      () => false,
    )
    .then((stored) => {
      const ms = performance.now() - t0;
      done.push({ sentAt, ms, ok: stored && ms <= SLACK_WAITS_MS });
      pending.delete(one);
    });
  pending.add(one);
}
await Promise.all(pending);
parentPort?.postMessage(done);
