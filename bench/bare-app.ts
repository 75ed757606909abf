import { readFileSync } from 'node:fs';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { ANSWER_PULSE_ACTION } from '../src/views/pulse-message.js';
import { PULSE_MODAL_CALLBACK, pulseThanksModal } from '../src/views/pulse-modal.js';

/**
 * The benchmark's yardstick: a Bolt app with the same receiver, signature check
 * and listeners as Alignment Pulse, run as its own process the same way, that
 * only acknowledges.
 */
const app = new App({
  token: 'xoxb-bare',
  botId: 'B0BARE',
  botUserId: 'U0BARE',
  tokenVerificationEnabled: false,
  receiver: new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '' }),
  logLevel: LogLevel.ERROR,
});
// The same answer the real app gives (the thanks view), with nothing stored.
const thanks = pulseThanksModal({
  closesAt: new Date(Date.now() + 86_400_000).toISOString(),
  timezone: 'UTC',
  discipline: 'product',
});
app.view(PULSE_MODAL_CALLBACK, async ({ ack }) => ack({ response_action: 'update', view: thanks }));
// The same answers the real app gives to `/alignment help` and `score` (BARE_ANSWERS: a
// JSON file of them, by what was typed), in the acknowledgement, with nothing read or looked up.
const answers = JSON.parse(
  process.env.BARE_ANSWERS === undefined ? '{}' : readFileSync(process.env.BARE_ANSWERS, 'utf8'),
) as Record<string, Record<string, unknown>>;
app.command('/alignment', async ({ ack, command }) =>
  ack({ response_type: 'ephemeral', text: '', ...answers[command.text] }),
);
app.action(ANSWER_PULSE_ACTION, async ({ ack }) => ack());
await app.start(Number(process.env.PORT));
process.stdout.write('bare app listening\n');
