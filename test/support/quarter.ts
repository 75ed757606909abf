import { TZDate } from '@date-fns/tz';
import { addHours, addMinutes } from 'date-fns';
import { sql } from 'kysely';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import {
  DEFAULT_SIDES,
  type Dimension,
  type Discipline,
  sideOf,
} from '../../src/domain/dimensions.js';
import { findOrCreateSurvey, getSurvey, type Survey } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { one, run } from './db.js';
import type { OpenedView } from './slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from './slack-stand-in.js';
import type { TestApp } from './test-app.js';

/**
 * A quarter of Alignment Pulse, driven through the bot's own interface: the
 * scheduler opens, reminds and closes each weekly pulse on an injected clock,
 * and fifteen leaders click the button, fill in the form and submit it, signed
 * as Slack signs them. The demo and the end-to-end test both run it.
 */

export const LEADERSHIP = 'C0LEADERS';
export const EXEC = 'C0EXECS';
export const ADMIN = 'U0CPO';
export const WEEKS = 12;
/** Monday 5 October 2026, 09:00 in Berlin: the first pulse. */
export const FIRST_PULSE = new Date('2026-10-05T07:00:00Z');

/** A moment of the quarter in Berlin time: day `day` counts from Monday 5 October. */
const berlin = (day: number, hour: number) =>
  new Date(TZDate.tz('Europe/Berlin', 2026, 9, 5 + day, hour, 0).getTime());
/** The week in which only the two designers answer (0-based). */
export const DESIGNERS_ONLY_WEEK = 6;
/** After this week's digest (0-based: the sixth), the leadership sync records an agreement on tech debt. */
export const AGREEMENT_WEEK = 5;
export const AGREEMENT_TEXT =
  'Reserve 20% of every sprint for tech debt, agreed by product and engineering together.';
/** The agreement's owners: one product leader, one engineering leader. */
export const AGREEMENT_OWNERS = { product: 'U0PM1', engineering: 'U0EN1' } as const;

export const LEADERS: { id: string; name: string; discipline: Discipline }[] = [
  ...['Priya', 'Tom', 'Aisha', 'Marco', 'Lena', 'Sam'].map((name, i) => ({
    id: `U0PM${i + 1}`,
    name,
    discipline: 'product' as const,
  })),
  ...['Jonas', 'Mei', 'Carlos', 'Ada', 'Ravi', 'Olga'].map((name, i) => ({
    id: `U0EN${i + 1}`,
    name,
    discipline: 'engineering' as const,
  })),
  { id: 'U0DS1', name: 'Noor', discipline: 'design' },
  { id: 'U0DS2', name: 'Felix', discipline: 'design' },
  { id: 'U0PG1', name: 'Grace', discipline: 'program' },
];

/** A small, fixed pseudo-random source, so every run tells the same story. */
export function randomSource(seed = 7): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/**
 * How healthy a dimension looks to a discipline in a week (1–5, before noise):
 * roadmap alignment improves over the quarter for everyone; on tech debt, the
 * Product side (the designers with it) grows happier while the Engineering
 * side (the TPM with it) grows unhappier.
 */
export function mood(dimension: Dimension, discipline: Discipline, week: number): number {
  if (dimension === 'roadmap') return 2.2 + week * 0.2;
  if (dimension === 'tech_debt')
    return sideOf(discipline, DEFAULT_SIDES) === 'product' ? 3.4 + week * 0.1 : 3.0 - week * 0.15;
  return 3.4;
}

export const COMMENTS: Record<number, { who: string; text: string }[]> = {
  2: [{ who: 'U0EN2', text: 'We keep moving the refactoring of billing to next quarter.' }],
  8: [
    { who: 'U0PM1', text: 'The joint roadmap review on Tuesdays is working.' },
    { who: 'U0EN3', text: 'Tech debt work got cut again for the sales demo.' },
  ],
  11: [
    {
      who: 'U0EN1',
      text: 'Engineers are burning out on incident follow-ups we never get time to fix.',
    },
    { who: 'U0PM2', text: 'Roadmap planning finally feels like one team.' },
    { who: 'U0DS1', text: 'Design is looped in earlier than last quarter.' },
  ],
};

export interface Answer {
  week: number;
  userId: string;
  discipline: Discipline;
  questionId: string;
  value: number;
}

export interface QuarterResult {
  survey: Survey;
  /** Every answer given, for the end-to-end test to compute the numbers independently. */
  answers: Answer[];
  /** The moment the last digest was posted. */
  lastDigestAt: Date;
}

const questionBlocks = (view: OpenedView) =>
  (view.blocks as { block_id?: string }[])
    .map((b) => b.block_id)
    .filter((id): id is string => id?.startsWith('q:') === true);

/** The button of a message, by its action id. */
function buttonOf(message: { blocks?: unknown } | undefined, actionId: string) {
  const blocks = (message?.blocks ?? []) as {
    accessory?: { action_id?: string; value?: string };
    elements?: { action_id?: string; value?: string }[];
  }[];
  return blocks
    .flatMap((b) => [b.accessory, ...(b.elements ?? [])])
    .find((e) => e?.action_id === actionId)?.value;
}

/**
 * At the leadership sync after the sixth digest, the CPO clicks "Record what
 * we agreed" on its suggested topic (tech debt) and fills in the form: what
 * was agreed, Priya (Product) and Jonas (Engineering) as owners, the review in
 * four weeks as proposed.
 */
async function recordAgreement(t: TestApp, clock: { now: Date }, at: Date): Promise<void> {
  clock.now = at;
  const digest = t.standIn.messagesIn(EXEC).at(-1);
  const value = buttonOf(digest, 'agreement_record');
  if (value === undefined) throw new Error('the digest has no "Record what we agreed"');
  await t.slack.interaction(
    t.slack.buttonClick({ user: ADMIN, channel: EXEC, actionId: 'agreement_record', value }),
  );
  await t.app.idle();
  const opened = t.standIn.openedViews.at(-1);
  if (opened === undefined) throw new Error('the agreement form did not open');
  const view = { id: opened.id, ...opened.view } as OpenedView;
  const blocks = view.blocks as {
    block_id?: string;
    element?: { initial_date?: string; initial_option?: { value?: string } };
  }[];
  const initial = (id: string) => blocks.find((b) => b.block_id === id)?.element;
  const reply = await t.slack.interaction(
    t.slack.viewSubmission({
      user: ADMIN,
      view,
      values: {
        agree_dimension: initial('agree_dimension')?.initial_option?.value ?? null,
        agree_body: AGREEMENT_TEXT,
        agree_product: AGREEMENT_OWNERS.product,
        agree_engineering: AGREEMENT_OWNERS.engineering,
        agree_review: initial('agree_review')?.initial_date ?? null,
      },
    }),
  );
  if (reply.json?.response_action !== 'update')
    throw new Error(`the agreement was refused: ${reply.text}`);
  await t.app.idle();
}

/** The review DM Priya got, if it has come. */
function reviewDm(t: TestApp) {
  const dm = t.standIn.dmChannelOf(AGREEMENT_OWNERS.product);
  return dm === undefined
    ? undefined
    : t.standIn.messagesIn(dm).find((m) => m.text.startsWith('Time to review'));
}

/** Priya answers the review with "Keep going", and the new date the form proposes. */
async function keepGoing(t: TestApp, clock: { now: Date }, at: Date): Promise<void> {
  clock.now = at;
  const review = reviewDm(t);
  const value = buttonOf(review, 'agreement_keep');
  const channel = t.standIn.dmChannelOf(AGREEMENT_OWNERS.product);
  if (value === undefined || channel === undefined) throw new Error('no review to answer');
  await t.slack.interaction(
    t.slack.buttonClick({
      user: AGREEMENT_OWNERS.product,
      channel,
      actionId: 'agreement_keep',
      value,
    }),
  );
  await t.app.idle();
  const opened = t.standIn.openedViews.at(-1);
  if (opened === undefined) throw new Error('the keep-going form did not open');
  const view = { id: opened.id, ...opened.view } as OpenedView;
  const date = (view.blocks as { element?: { initial_date?: string } }[]).find(
    (b) => b.element?.initial_date !== undefined,
  )?.element?.initial_date;
  const reply = await t.slack.interaction(
    t.slack.viewSubmission({
      user: AGREEMENT_OWNERS.product,
      view,
      values: { agree_review: date ?? null },
    }),
  );
  if (reply.json?.response_action !== 'update')
    throw new Error(`keep going was refused: ${reply.text}`);
  await t.app.idle();
}

/** Runs the quarter; `clock` is the app's injected clock, moved by this function. */
export async function runQuarter(t: TestApp, clock: { now: Date }): Promise<QuarterResult> {
  const { standIn, slack, app } = t;
  standIn.addUser({ id: ADMIN, name: 'Chris (CPO)', tz: 'Europe/Berlin', is_admin: true });
  for (const leader of LEADERS)
    standIn.addUser({ id: leader.id, name: leader.name, real_name: leader.name });
  standIn.addUser({ id: 'U0HELPBOT', name: 'helpbot', is_bot: true });
  standIn.addChannel({
    id: LEADERSHIP,
    name: 'leadership',
    members: [ADMIN, ...LEADERS.map((l) => l.id), BOT_USER_ID, 'U0HELPBOT'],
  });
  standIn.addChannel({ id: EXEC, name: 'exec', members: [ADMIN] });

  const db = app.ctx.db;
  const created = await findOrCreateSurvey(db, {
    teamId: TEAM_ID,
    channelId: LEADERSHIP,
    timezone: 'Europe/Berlin',
    createdBy: ADMIN,
  });
  await run(
    db,
    sql`UPDATE survey_channels SET channel_id = ${EXEC} WHERE survey_id = ${created.id} AND role = 'digest'`,
  );
  // As an admin would set in /alignment setup: 7 questions a pulse, so shared goals,
  // the roadmap and tech debt come every week and the story shows week by week.
  await run(db, sql`UPDATE surveys SET questions_per_pulse = 7 WHERE id = ${created.id}`);
  const random = randomSource();
  const answers: Answer[] = [];
  const tick = async (at: Date) => {
    clock.now = at;
    await app.scheduler.tick(at);
    await app.idle();
  };

  let lastDigestAt = FIRST_PULSE;
  let keptGoing = false;
  for (let week = 0; week < WEEKS; week++) {
    const monday = berlin(week * 7, 9);
    await tick(addMinutes(monday, 1)); // the scheduler opens the pulse
    const pulseMessage = standIn.messagesIn(LEADERSHIP).at(-1);
    const button = (
      pulseMessage?.blocks as { elements?: { action_id?: string; value?: string }[] }[] | undefined
    )
      ?.flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ANSWER_PULSE_ACTION);
    if (button?.value === undefined) throw new Error(`week ${week + 1}: no pulse was posted`);

    const answering =
      week === DESIGNERS_ONLY_WEEK
        ? LEADERS.filter((l) => l.discipline === 'design')
        : LEADERS.filter((_, i) => (i + week) % 7 !== 0); // one or two people miss each week
    for (const leader of answering) {
      clock.now = addHours(monday, 1 + (answers.length % 5));
      await slack.interaction(
        slack.buttonClick({
          user: leader.id,
          channel: LEADERSHIP,
          actionId: ANSWER_PULSE_ACTION,
          value: button.value,
        }),
      );
      await app.idle();
      const opened = standIn.openedViews.at(-1);
      if (opened === undefined) throw new Error('the form did not open');
      const view = { id: opened.id, ...opened.view } as OpenedView;
      const values: Record<string, string | null> = {};
      for (const blockId of questionBlocks(view)) {
        const questionId = blockId.slice(2);
        const question = CATALOGUE.find((q) => q.id === questionId);
        if (question === undefined) continue;
        const healthy = Math.min(
          5,
          Math.max(
            1,
            Math.round(mood(question.dimension, leader.discipline, week) + (random() - 0.5) * 1.6),
          ),
        );
        const value = question.reversed ? 6 - healthy : healthy;
        values[blockId] = String(value);
        answers.push({ week, userId: leader.id, discipline: leader.discipline, questionId, value });
      }
      if ((view.blocks as { block_id?: string }[]).some((b) => b.block_id === 'discipline'))
        values.discipline = leader.discipline;
      const comment = COMMENTS[week]?.find((c) => c.who === leader.id);
      if (comment !== undefined) values.comment = comment.text;
      const reply = await slack.interaction(
        slack.viewSubmission({ user: leader.id, view, values }),
      );
      if (reply.json?.response_action !== 'update')
        throw new Error(`a submission was refused: ${reply.text}`);
      await app.idle();
    }
    await tick(addHours(monday, 48)); // Wednesday 09:00: reminders to those who have not answered
    await tick(addHours(monday, 72)); // Thursday 09:00: the pulse closes
    lastDigestAt = berlin(week * 7 + 4, 16); // Friday 16:00: the digest
    await tick(addMinutes(lastDigestAt, 1));
    if (week === AGREEMENT_WEEK) await recordAgreement(t, clock, berlin(week * 7 + 4, 17));
    // The review came on its day (that Friday's tick sent it): Priya keeps it going.
    if (reviewDm(t) !== undefined && !keptGoing) {
      await keepGoing(t, clock, addMinutes(lastDigestAt, 30));
      keptGoing = true;
    }
  }
  const stored = await one(db, sql<{ id: number }>`SELECT id FROM surveys`);
  const survey = stored === undefined ? undefined : await getSurvey(db, stored.id);
  if (survey === undefined) throw new Error('the quarter left no survey');
  return { survey, answers, lastDigestAt };
}
