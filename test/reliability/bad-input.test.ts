import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateSurvey } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { PULSE_MODAL_CALLBACK } from '../../src/views/pulse-modal.js';
import { all } from '../support/db.js';
import { seedPulse } from '../support/seed.js';
import { slackSignature } from '../support/slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Thousands of malformed requests, signed as Slack signs them: slash commands,
 * interaction payloads and events with missing fields, wrong types, unknown ids,
 * huge strings and odd Unicode. The app must answer every one, never crash or
 * leave a promise rejected, send Slack nothing Slack would refuse, and change
 * nothing in the database. Forged, unsigned or stale requests get 401.
 */

const CHANNEL = 'C0LEADERS';
const STRANGER = 'U0STRANGER'; // not an admin: valid admin commands change nothing for them
const SEED = 20261122;
const COMMANDS = 1_000;
const INTERACTIONS = 2_500;
const EVENTS = 800;

/** A Tuesday morning; the seeded pulse fell due an hour before. */
const NOW = new Date('2026-11-17T10:00:00Z');
let t: TestApp;
let pulseId: number;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  t = await startTestApp({ now: () => NOW, schedule: false, env: { LOG_LEVEL: 'warn' } });
  t.standIn.addUser({ id: STRANGER, name: 'stranger' });
  t.standIn.addChannel({ id: CHANNEL, name: 'leadership', members: [STRANGER, BOT_USER_ID] });
  const survey = await findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: CHANNEL,
    timezone: 'Europe/Berlin',
    createdBy: 'U0ADMIN',
  });
  const due = new Date(NOW.getTime() - 3_600_000).toISOString();
  pulseId = await seedPulse(t.app.ctx, {
    teamId: TEAM_ID,
    surveyId: survey.id,
    due,
    invited: [STRANGER, 'U0SEED'],
    answers: [{ person: ['U0SEED', 'product'], values: { 'okrs.same_direction': 3 } }],
  });
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await t.stop();
});

/** Every row of every table, in order of every column, to show that nothing changed. */
async function snapshot(): Promise<string> {
  const db = t.app.ctx.db;
  const tables = (await db.introspection.getTables())
    .filter((table) => !table.isView)
    .sort((a, b) => a.name.localeCompare(b.name));
  const rows: [string, unknown[]][] = [];
  for (const { name, columns } of tables) {
    const order = sql.raw(columns.map((_, i) => i + 1).join(', '));
    rows.push([name, await all(db, sql`SELECT * FROM ${sql.table(name)} ORDER BY ${order}`)]);
  }
  return JSON.stringify(rows);
}

const oddText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    '𝔞𝔩𝔦𝔤𝔫',
    '<!channel>',
    '*bold* `code`',
    '%00',
    '\ud800',
  ),
  fc.nat({ max: 40_000 }).map((n) => 'x'.repeat(n)),
);
const anyValue = fc.oneof(oddText, fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined));

/** Commands a stranger may type: real words with garbage, and garbage. */
const commandText = fc
  .oneof(
    oddText,
    fc
      .tuple(
        fc.constantFrom(
          'help',
          'pulse',
          'pulse now',
          'digest now',
          'report',
          'setup',
          'export',
          'forget-me',
          'survey',
          'now',
        ),
        oddText,
      )
      .map(([word, rest]) => `${word} ${rest}`),
  )
  // `role <discipline>` is the one change a stranger may make: it is tested on its own.
  .filter((text) => !/^\s*role\b/i.test(text));

/** A valid payload, then broken: keys removed or given other values. */
function broken(
  base: Record<string, unknown>,
): fc.Arbitrary<Record<string, unknown> | unknown[] | string | number | null> {
  const keys = Object.keys(base);
  return fc.oneof(
    fc
      .record({
        drop: fc.subarray(keys),
        change: fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 3 }),
      })
      .map(({ drop, change }) => {
        const copy: Record<string, unknown> = { ...base, ...change };
        for (const key of drop) delete copy[key];
        return copy;
      }),
    fc.dictionary(oddText, anyValue, { maxKeys: 4 }),
    // Not JSON objects at all.
    fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<unknown[] | string | number | null>,
  );
}

async function signedForm(body: string, contentType = 'application/x-www-form-urlencoded') {
  return t.slack.send(body, contentType);
}

describe('malformed requests, correctly signed', () => {
  it('answers every one, stores nothing, and sends Slack nothing it would refuse', async () => {
    const before = await snapshot();
    const replies: number[] = [];
    const click = t.slack.buttonClick({
      user: STRANGER,
      channel: CHANNEL,
      actionId: ANSWER_PULSE_ACTION,
      value: String(pulseId),
    });
    const submission = t.slack.viewSubmission({
      user: STRANGER,
      view: {
        id: 'V0FUZZ',
        callback_id: PULSE_MODAL_CALLBACK,
        private_metadata: JSON.stringify({ pulseId }),
        blocks: [],
        title: { type: 'plain_text', text: 'Alignment pulse' },
      },
      values: {},
    });
    const view = submission.view as Record<string, unknown>;
    const action = (click.actions as Record<string, unknown>[])[0] ?? {};

    // Slash commands.
    await fc.assert(
      fc.asyncProperty(commandText, async (text) => {
        const reply = await t.slack.command({ user: STRANGER, channel: CHANNEL, text });
        replies.push(reply.status);
        expect(reply.status).toBe(200);
      }),
      { seed: SEED, numRuns: COMMANDS },
    );
    // Button clicks and form submissions with broken parts.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          broken(click),
          broken({ ...click, actions: [action] }).map((p) => p),
          fc.record({ action: broken(action), value: oddText }).map(({ action: a, value }) => ({
            ...click,
            actions: [typeof a === 'object' && a !== null ? { ...a, value } : a],
          })),
          broken(submission),
          fc.record({ view: broken(view) }).map(({ view: v }) => ({ ...submission, view: v })),
          fc
            .record({ metadata: oddText, values: fc.jsonValue({ maxDepth: 4 }) })
            .map(({ metadata, values }) => ({
              ...submission,
              view: { ...view, private_metadata: metadata, state: { values } },
            })),
        ),
        async (payload) => {
          const reply = await t.slack.interaction(payload as Record<string, unknown>);
          replies.push(reply.status);
          // A payload that is not even a JSON object is refused as malformed, as Bolt refuses
          // bodies it cannot parse; anything else is answered.
          const isObject =
            typeof payload === 'object' && payload !== null && !Array.isArray(payload);
          expect(reply.status).toBe(isObject ? 200 : 400);
        },
      ),
      { seed: SEED, numRuns: INTERACTIONS },
    );
    // Events with missing or odd fields.
    await fc.assert(
      fc.asyncProperty(
        broken({ type: 'app_home_opened', user: STRANGER, tab: 'home', channel: 'D0FUZZ' }),
        async (event) => {
          const reply = await t.slack.event(
            (typeof event === 'object' && event !== null && !Array.isArray(event)
              ? event
              : { type: event }) as Record<string, unknown>,
          );
          replies.push(reply.status);
          expect(reply.status).toBe(200);
        },
      ),
      { seed: SEED, numRuns: EVENTS },
    );
    // Bodies Slack never sends: no listener can take them; they are refused, not crashed on.
    const garbage = fc.sample(fc.string({ unit: 'binary', maxLength: 200 }), {
      seed: SEED,
      numRuns: 40,
    });
    const answers = await Promise.all([
      ...garbage.map((body) => signedForm(`payload=${encodeURIComponent(body)}`)),
      ...garbage.map((body) => signedForm(body, 'application/json')),
    ]);
    for (const reply of answers) expect(reply.status).toBeLessThan(500);

    await t.app.idle();
    expect(replies).toHaveLength(COMMANDS + INTERACTIONS + EVENTS);
    expect(await snapshot()).toBe(before);
    expect(t.standIn.violations()).toEqual([]);
    expect(rejections).toEqual([]);
    expect(t.logs.filter((line) => line.includes(' ERROR '))).toEqual([]);
    // Still serving.
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  }, 90_000);
});

describe('requests not from Slack', () => {
  it('refuses forged, unsigned and stale requests with 401 and stores nothing', async () => {
    const before = await snapshot();
    const body = new URLSearchParams({
      ...t.slack.commandPayload({ user: STRANGER, channel: CHANNEL, text: 'role product' }),
    }).toString();
    const now = Math.floor(Date.now() / 1000);
    const attempts = [
      { signature: 'v0=forged' },
      { signature: slackSignature('another-secret', now, body) },
      { omit: ['signature' as const] },
      { omit: ['timestamp' as const] },
      { timestamp: now - 6 * 60 },
    ];
    for (const options of attempts) {
      const reply = await t.slack.send(body, 'application/x-www-form-urlencoded', options);
      expect(reply.status).toBe(401);
    }
    await t.app.idle();
    expect(await snapshot()).toBe(before);
    // The same request, signed with the app's secret, goes through.
    const signed = await t.slack.send(body, 'application/x-www-form-urlencoded', {
      signature: slackSignature(SIGNING_SECRET, now, body),
      timestamp: now,
    });
    expect(signed.status).toBe(200);
  });
});
