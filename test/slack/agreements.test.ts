import { type RawBuilder, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postDigest } from '../../src/jobs/post-digest.js';
import { type Agreement, getAgreement } from '../../src/storage/agreements.js';
import { runsOf } from '../../src/storage/runs.js';
import { engineOf, type Store } from '../../src/storage/store.js';
import { findOrCreateSurvey, getSurvey, type Survey } from '../../src/storage/surveys.js';
import { all, one, run } from '../support/db.js';
import { readText } from '../support/presentation.js';
import { type Person, seedPulse } from '../support/seed.js';
import type { OpenedView } from '../support/slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Agreements through the real app: the button on the digest's topic, the form,
 * the owners' DMs, the digest's follow-up, the review and its three buttons,
 * the App Home, the export and forget-me.
 */
const ADMIN = 'U0ADMIN01';
const LEADS = 'C0LEADERS';
const EXEC = 'C0EXECS';
const product: Person[] = ['U0P1', 'U0P2', 'U0P3', 'U0P4'].map((id) => [id, 'product']);
const engineering: Person[] = ['U0E1', 'U0E2', 'U0E3', 'U0E4'].map((id) => [id, 'engineering']);
const everyone = [...product, ...engineering];
const OUTSIDER = 'U0OUTSIDE';

const clock = { now: new Date('2026-11-20T15:00:00Z') };
let t: TestApp;
let survey: Survey;

beforeEach(async () => {
  clock.now = new Date('2026-11-20T15:00:00Z'); // Friday of week 47
  t = await startTestApp({ now: () => clock.now, schedule: false, env: { ADMIN_USER_IDS: ADMIN } });
  t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin' });
  t.standIn.addUser({ id: OUTSIDER, name: 'outsider' });
  for (const [id] of everyone) t.standIn.addUser({ id, name: id.toLowerCase() });
  t.standIn.addChannel({
    id: LEADS,
    name: 'leadership',
    members: [ADMIN, ...everyone.map(([id]) => id), BOT_USER_ID],
  });
  t.standIn.addChannel({ id: EXEC, name: 'execs', members: [ADMIN, OUTSIDER] });
  const created = await findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: LEADS,
    timezone: 'Europe/Berlin',
    createdBy: ADMIN,
  });
  await run(
    t.app.ctx.db,
    sql`UPDATE survey_channels SET channel_id = ${EXEC} WHERE survey_id = ${created.id} AND role = 'digest'`,
  );
  survey = (await getSurvey(t.app.ctx.db, created.id)) as Survey;
});
afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

const db = () => t.app.ctx.db;
const count = async (query: RawBuilder<unknown>) => ((await one(db(), query)) as { n: number }).n;
const WEEK = 7 * 86_400_000;

/**
 * A closed weekly pulse due `weeksFrom` weeks after Monday 2 November 2026, on
 * tech debt ("real capacity") and shared goals: product leaders answer
 * `p`, engineering leaders `e` on tech debt (each leader a little apart), and
 * everyone 4 on shared goals.
 */
async function week(weeksFrom: number, p: number, e: number) {
  await seedPulse(t.app.ctx, {
    teamId: TEAM_ID,
    surveyId: survey.id,
    due: new Date(Date.parse('2026-11-02T08:00:00Z') + weeksFrom * WEEK).toISOString(),
    invited: everyone.map(([id]) => id),
    closed: true,
    answers: everyone.map((person, i) => {
      const base = person[1] === 'product' ? p : e;
      const wobble = i % 2 === 0 ? 0 : base >= 5 ? -1 : 1;
      return {
        person,
        values: {
          'tech_debt.real_capacity': base + (i % 4 === 1 ? wobble : 0),
          'okrs.same_direction': 4,
        },
      };
    }),
  });
}

/** The digest's "Record what we agreed" button, as posted in the exec channel. */
function recordButtonOf(channel = EXEC) {
  const message = t.standIn.messagesIn(channel).at(-1);
  type Button = { action_id?: string; value?: string };
  const button = (message?.blocks as { accessory?: Button; elements?: Button[] }[])
    ?.flatMap((b) => [b.accessory, ...(b.elements ?? [])])
    .find((a) => a?.action_id === 'agreement_record');
  if (button?.value === undefined) throw new Error('the digest has no record button');
  return { value: button.value, ts: message?.ts };
}

async function click(user: string, actionId: string, value: string, channel = EXEC) {
  const reply = await t.slack.interaction(t.slack.buttonClick({ user, channel, actionId, value }));
  expect(reply.status).toBe(200);
  await t.app.idle();
}

const openedForm = () => {
  const opened = t.standIn.openedViews.at(-1);
  if (opened === undefined) throw new Error('no form opened');
  return { id: opened.id, ...opened.view } as OpenedView & { id: string };
};

async function submit(user: string, view: OpenedView, values: Record<string, string | null>) {
  const reply = await t.slack.interaction(t.slack.viewSubmission({ user, view, values }));
  expect(reply.status).toBe(200);
  await t.app.idle();
  return reply.json ?? {};
}

const valid = {
  agree_dimension: 'tech_debt',
  agree_body: 'Reserve 20% of each sprint for tech debt, agreed by both sides.',
  agree_product: 'U0P1',
  agree_engineering: 'U0E1',
  agree_review: '2026-12-18',
};

/** Two closed weeks, the digest posted, and the form opened from its topic by a leader. */
async function formFromDigest(user = 'U0P2') {
  await week(0, 5, 2);
  await week(1, 5, 2);
  await postDigest(t.app.ctx, survey, clock.now);
  await click(user, 'agreement_record', recordButtonOf().value);
  return openedForm();
}

const dmsTo = (user: string) => {
  const dm = t.standIn.dmChannelOf(user);
  return dm === undefined ? [] : t.standIn.messagesIn(dm);
};
const onlyAgreement = () => one(db(), sql<{ id: number }>`SELECT id FROM agreements`);

describe('recording an agreement', () => {
  it('opens from the digest’s topic with the topic’s dimension, says it is not anonymous, stores it and DMs each owner once', async () => {
    const form = await formFromDigest();
    const blocks = JSON.stringify(form.blocks);
    expect(form.callback_id).toBe('agreement_submit');
    expect(blocks).toContain('*Not anonymous*, unlike answers');
    // The topic was tech debt (Product and Engineering far apart): preselected.
    expect(blocks).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"Tech debt"},"value":"tech_debt"}',
    );
    // Four weeks from Friday 20 November, in Berlin.
    expect(blocks).toContain('"initial_date":"2026-12-18"');
    expect(blocks).toContain('one from each side');

    const answer = await submit('U0P2', form, valid);
    expect(answer).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(answer)).toContain('<@U0P1> and <@U0E1> each get a DM now');
    const stored = (await getAgreement(db(), (await onlyAgreement())?.id ?? 0)) as Agreement;
    expect(stored).toMatchObject({
      surveyId: survey.id,
      dimension: 'tech_debt',
      body: valid.agree_body,
      productOwner: 'U0P1',
      engineeringOwner: 'U0E1',
      recordedBy: 'U0P2',
      reviewOn: '2026-12-18',
      reviewAt: '2026-12-18T08:00:00.000Z', // 09:00 in Berlin
      status: 'open',
    });
    for (const owner of ['U0P1', 'U0E1']) {
      const dms = dmsTo(owner);
      expect(dms).toHaveLength(1);
      expect(dms[0]?.text).toContain(
        'You own an agreement from <#C0LEADERS> with <@U0P1> and <@U0E1>',
      );
      expect(JSON.stringify(dms[0]?.blocks)).toContain('Fri 18 Dec');
    }
    expect(await runsOf(db(), survey.id, 'agreement')).toMatchObject([{ status: 'done' }]);
    // The next minute's housekeeping sends nothing more.
    await t.app.scheduler.tick(new Date(clock.now.getTime() + 60_000));
    expect(dmsTo('U0P1')).toHaveLength(1);
  });

  it('refuses each bad input on its own block, and stores nothing', async () => {
    const form = await formFromDigest();
    t.standIn.addUser({ id: 'U0BOT', name: 'bot', is_bot: true });
    t.standIn.addUser({ id: 'U0GONE', name: 'gone', deleted: true });
    const cases: [Record<string, string | null>, string, RegExp][] = [
      [{ agree_body: '   ' }, 'agree_body', /Write what was agreed/],
      [{ agree_body: 'x'.repeat(301) }, 'agree_body', /Keep it to 300 characters; it has 301/],
      [{ agree_dimension: null }, 'agree_dimension', /Choose the dimension/],
      [
        { agree_engineering: 'U0P1', agree_product: 'U0P1' },
        'agree_engineering',
        /two different people/,
      ],
      [{ agree_product: 'U0BOT' }, 'agree_product', /a bot or a deactivated account/],
      [{ agree_engineering: 'U0GONE' }, 'agree_engineering', /a bot or a deactivated account/],
      [{ agree_product: null }, 'agree_product', /Choose the owner from Product/],
      [{ agree_review: '2026-11-20' }, 'agree_review', /after today/],
      [{ agree_review: '2026-10-01' }, 'agree_review', /after today/],
    ];
    for (const [change, block, message] of cases) {
      const answer = await submit('U0P2', form, { ...valid, ...change });
      expect(answer).toMatchObject({ response_action: 'errors' });
      expect((answer.errors as Record<string, string>)[block]).toMatch(message);
    }
    // Someone outside the leadership channel, with a forged submission.
    const outside = await submit(OUTSIDER, form, valid);
    expect((outside.errors as Record<string, string>).agree_dimension).toMatch(
      /Only members of the survey's leadership channel/,
    );
    // A survey that was removed meanwhile.
    const removed = await submit('U0P2', { ...form, private_metadata: '{"surveyId":999}' }, valid);
    expect((removed.errors as Record<string, string>).agree_dimension).toMatch(
      /survey was removed/,
    );
    expect(await count(sql`SELECT count(*) AS n FROM agreements`)).toBe(0);
    expect(dmsTo('U0P1')).toHaveLength(0);
  });

  it('tells someone outside the leadership channel who can record one, and opens nothing', async () => {
    await week(0, 5, 2);
    await postDigest(t.app.ctx, survey, clock.now);
    const before = t.standIn.openedViews.length;
    await click(OUTSIDER, 'agreement_record', recordButtonOf().value);
    expect(t.standIn.openedViews).toHaveLength(before);
    expect(String(t.standIn.responseUrlPosts.at(-1)?.body.text)).toContain(
      'Only members of <#C0LEADERS> record its agreements',
    );
    // A button of a survey since removed says so.
    await click('U0P1', 'agreement_record', '{"surveyId":999}');
    expect(String(t.standIn.responseUrlPosts.at(-1)?.body.text)).toContain(
      'That survey was removed',
    );
  });

  it('opens from `/alignment agree tech_debt` in the leadership channel, and says where it works elsewhere', async () => {
    const reply = await t.slack.command({ user: 'U0P1', channel: LEADS, text: 'agree tech-debt' });
    expect(reply.status).toBe(200);
    await t.app.idle();
    expect(JSON.stringify(openedForm().blocks)).toContain('"value":"tech_debt"}');
    await t.slack.command({ user: 'U0P1', channel: EXEC, text: 'agree' });
    await t.app.idle();
    expect(String(t.standIn.responseUrlPosts.at(-1)?.body.text)).toContain(
      'This channel has no survey. Type `/alignment agree` in your leadership channel',
    );
    await t.slack.command({ user: 'U0P1', channel: LEADS, text: 'agree tech_dbt' });
    await t.app.idle();
    const typo = await t.slack.command({ user: 'U0P1', channel: LEADS, text: 'agree tech_dbt' });
    expect(String(typo.json?.text)).toContain('Did you mean Tech debt (`tech-debt`)?');
  });

  it('retries the owners’ DMs when Slack fails them, sends each once, and tells the admins once', async () => {
    const form = await formFromDigest();
    // Slack refuses the next three DMs: both owners' first tries, then one retry.
    t.standIn.inject('chat.postMessage', { error: 'channel_not_found' }, 3);
    await submit('U0P2', form, valid);
    expect(await runsOf(db(), survey.id, 'agreement')).toMatchObject([{ status: 'retrying' }]);
    expect(dmsTo('U0P1').length + dmsTo('U0E1').length).toBe(0);
    // The scheduler's minute ticks: retried after 1 minute (one still fails), then after 5.
    for (let m = 1; m <= 7; m++)
      await t.app.scheduler.tick(new Date(clock.now.getTime() + m * 60_000));
    await t.app.idle();
    expect(dmsTo('U0P1')).toHaveLength(1);
    expect(dmsTo('U0E1')).toHaveLength(1);
    expect(await runsOf(db(), survey.id, 'agreement')).toMatchObject([{ status: 'done' }]);
    const alerts = dmsTo(ADMIN).filter((m) => m.text.startsWith('Alignment Pulse could not'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text).toContain('send an agreement to its owners');
  });
});

/** Records an agreement through the form, as `by`, at the app's clock. */
async function record(values: Partial<typeof valid> = {}, by = 'U0P2'): Promise<Agreement> {
  await t.slack.command({ user: by, channel: LEADS, text: 'agree' });
  await t.app.idle();
  const answer = await submit(by, openedForm(), { ...valid, ...values });
  expect(answer).toMatchObject({ response_action: 'update' });
  const rows = await all(db(), sql<{ id: number }>`SELECT id FROM agreements ORDER BY id`);
  return (await getAgreement(db(), rows.at(-1)?.id ?? 0)) as Agreement;
}

/** The score of some 1–5 answers on a 0–100 scale. */
const score = (values: number[]) => values.reduce((a, v) => a + (v - 1) * 25, 0) / values.length;
/** Each person's tech-debt answer in `week(…, p, e)`, as seeded there. */
const answersOf = (p: number, e: number) =>
  everyone.map((person, i) => {
    const base = person[1] === 'product' ? p : e;
    const wobble = i % 2 === 0 ? 0 : base >= 5 ? -1 : 1;
    return { side: person[1], value: base + (i % 4 === 1 ? wobble : 0) };
  });

describe('the follow-up in every digest', () => {
  it('says what happened to the dimension and its gap since, with the published numbers', async () => {
    // Four weeks far apart (Product 4, Engineering 1), then the agreement, then three
    // weeks where both sides rate it higher and closer (5 and 4).
    for (let w = 0; w < 4; w++) await week(w, 4, 1);
    clock.now = new Date(Date.parse('2026-11-27T15:00:00Z')); // Friday of the fourth week
    await record({ agree_review: '2027-01-15' });
    for (let w = 4; w < 7; w++) await week(w, 5, 4);
    clock.now = new Date(Date.parse('2026-12-18T15:00:00Z'));
    await postDigest(t.app.ctx, survey, clock.now);
    const text = readText((t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []) as unknown[]);
    // Worked out here from the answers: the gap before and since, and the score.
    const before = answersOf(4, 1);
    const after = answersOf(5, 4);
    const gapOf = (rows: typeof before) =>
      score(rows.filter((r) => r.side === 'product').map((r) => r.value)) -
      score(rows.filter((r) => r.side === 'engineering').map((r) => r.value));
    const gapBefore = Math.round(gapOf(before));
    const gapAfter = Math.round(Math.abs(gapOf(after)));
    const scoreBefore = Math.round(score(before.map((r) => r.value)));
    const scoreAfter = Math.round(score(after.map((r) => r.value)));
    expect(text).toContain('*Agreements* (not anonymous)');
    expect(text).toContain(
      '*Tech debt* — “Reserve 20% of each sprint for tech debt, agreed by both sides.” · <@U0P1> and <@U0E1> · review Fri 15 Jan',
    );
    expect(text).toContain(
      `Since 27 Nov (3 weeks): gap ${gapBefore} → ${gapAfter}, narrowed; score ${scoreBefore} → ${scoreAfter}, rose.`,
    );
    expect(scoreAfter - scoreBefore).toBeGreaterThan(30);
  });

  it('says no clear change when nothing moved, and too early after one week', async () => {
    for (let w = 0; w < 4; w++) await week(w, 5, 2);
    clock.now = new Date(Date.parse('2026-11-27T15:00:00Z'));
    await record({ agree_dimension: 'okrs', agree_body: 'One OKR review for both sides.' });
    await week(4, 5, 2);
    clock.now = new Date(Date.parse('2026-12-04T15:00:00Z'));
    await postDigest(t.app.ctx, survey, clock.now);
    let text = readText((t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []) as unknown[]);
    expect(text).toContain(
      'Since 27 Nov: too early to tell — 1 closed week so far; the follow-up starts after 2.',
    );
    for (let w = 5; w < 8; w++) await week(w, 5, 2);
    clock.now = new Date(Date.parse('2026-12-25T15:00:00Z'));
    await postDigest(t.app.ctx, survey, clock.now);
    text = readText((t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []) as unknown[]);
    // Everyone answered 4 on shared goals every week: no gap, no change.
    expect(text).toContain(
      'Since 27 Nov (4 weeks): gap 0 → 0, no clear change; score 75 → 75, no clear change.',
    );
  });
});

describe('the review', () => {
  /** An agreement recorded on 27 Nov with its review on 18 Dec; the clock at the review. */
  async function atReview() {
    for (let w = 0; w < 4; w++) await week(w, 5, 2);
    clock.now = new Date(Date.parse('2026-11-27T15:00:00Z'));
    const agreement = await record();
    for (let w = 4; w < 7; w++) await week(w, 4, 4);
    clock.now = new Date('2026-12-18T08:01:00Z'); // 09:01 in Berlin
    await t.app.scheduler.tick(clock.now);
    await t.app.idle();
    return agreement;
  }
  const reviewOf = (owner: string) => dmsTo(owner).find((m) => m.text.startsWith('Time to review'));
  const reviewButton = (owner: string, actionId: string) => {
    const button = (
      reviewOf(owner)?.blocks as { elements?: { action_id?: string; value?: string }[] }[]
    )
      ?.flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === actionId);
    if (button?.value === undefined) throw new Error(`no ${actionId} button`);
    return button.value;
  };

  it('DMs each owner on the review day, once, with the figures since and three buttons', async () => {
    await atReview();
    for (const owner of ['U0P1', 'U0E1']) {
      const review = reviewOf(owner);
      expect(review?.text).toMatch(/Since 27 Nov \(3 weeks\): gap \d+ → \d+, narrowed;/);
      const labels = ((review?.blocks ?? []) as { elements?: { text?: { text?: string } }[] }[])
        .flatMap((b) => b.elements ?? [])
        .map((e) => e.text?.text);
      expect(labels).toEqual(expect.arrayContaining(['Done', 'Keep going', 'Dropped']));
    }
    await t.app.scheduler.tick(new Date(clock.now.getTime() + 60_000));
    await t.app.idle();
    expect(dmsTo('U0P1').filter((m) => m.text.startsWith('Time to review'))).toHaveLength(1);
    expect(await runsOf(db(), survey.id, 'review')).toMatchObject([{ status: 'done' }]);
  });

  it('says at the review what the digest said, even after leaders asked to be forgotten', async () => {
    // The attack: read the follow-up, have leaders forget themselves, read it
    // again. Had the review worked its tests out anew, two engineers fewer would
    // leave too few for the gap's test, and its words would change with their answers.
    for (let w = 0; w < 4; w++) await week(w, 5, 2);
    clock.now = new Date(Date.parse('2026-11-27T15:00:00Z'));
    await record();
    for (let w = 4; w < 7; w++) await week(w, 4, 4);
    clock.now = new Date('2026-12-18T07:00:00Z');
    await postDigest(t.app.ctx, survey, clock.now);
    const since = (text: string) => text.match(/Since 27 Nov \(\d+ weeks\): [^\n]*/)?.[0];
    const inDigest = since(
      readText((t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []) as unknown[]),
    );
    expect(inDigest).toMatch(/gap \d+ → \d+, narrowed/);
    for (const leader of ['U0E3', 'U0E4']) {
      await t.slack.command({ user: leader, channel: LEADS, text: 'forget-me' });
      await t.app.idle();
      await click(leader, 'forget_me_confirm', 'confirm', LEADS);
    }
    expect(
      await count(sql`SELECT count(*) AS n FROM answers WHERE user_id IN ('U0E3', 'U0E4')`),
    ).toBe(0);
    clock.now = new Date('2026-12-18T08:01:00Z');
    await t.app.scheduler.tick(clock.now);
    await t.app.idle();
    const review = reviewOf('U0P1');
    expect(since(readText((review?.blocks ?? []) as unknown[]))).toBe(inDigest);
  });

  it('Done: only an owner closes it; the next digest says so once', async () => {
    const agreement = await atReview();
    const value = reviewButton('U0P1', 'agreement_done');
    await click('U0E2', 'agreement_done', value, t.standIn.dmChannelOf('U0P1'));
    expect(String(t.standIn.responseUrlPosts.at(-1)?.body.text)).toBe(
      "Only the agreement's owners, <@U0P1> and <@U0E1>, can answer its review. Nothing changed.",
    );
    expect((await getAgreement(db(), agreement.id))?.status).toBe('open');
    await click('U0E1', 'agreement_done', value, t.standIn.dmChannelOf('U0E1'));
    expect(await getAgreement(db(), agreement.id)).toMatchObject({
      status: 'done',
      closedBy: 'U0E1',
    });
    expect(t.standIn.responseUrlPosts.at(-1)?.body).toMatchObject({ replace_original: true });
    // A second click, by the other owner, changes nothing.
    await click('U0P1', 'agreement_done', value, t.standIn.dmChannelOf('U0P1'));
    expect(String(t.standIn.responseUrlPosts.at(-1)?.body.text)).toContain(
      'already closed: done on 18 Dec (<@U0E1>)',
    );
    clock.now = new Date('2026-12-18T15:01:00Z');
    await postDigest(t.app.ctx, survey, clock.now);
    let text = readText((t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []) as unknown[]);
    expect(text).toContain('*Closed since the last digest*');
    expect(text).toContain('done on 18 Dec (<@U0E1>)');
    expect(text).not.toContain('review Fri 18 Dec');
    await week(7, 4, 4);
    clock.now = new Date('2026-12-25T15:01:00Z');
    await postDigest(t.app.ctx, survey, clock.now);
    text = readText((t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []) as unknown[]);
    expect(text).not.toContain('Reserve 20%');
  });

  it('Keep going: a new date after today, and the review comes again then', async () => {
    const agreement = await atReview();
    await click(
      'U0P1',
      'agreement_keep',
      reviewButton('U0P1', 'agreement_keep'),
      t.standIn.dmChannelOf('U0P1'),
    );
    const form = openedForm();
    expect(form.callback_id).toBe('agreement_keep_submit');
    const past = await submit('U0P1', form, { agree_review: '2026-12-18' });
    expect((past.errors as Record<string, string>).agree_review).toMatch(/after today/);
    expect(await submit('U0E2', form, { agree_review: '2027-01-08' })).toMatchObject({
      response_action: 'errors',
    });
    expect(await submit('U0P1', form, { agree_review: '2027-01-08' })).toMatchObject({
      response_action: 'update',
    });
    expect(await getAgreement(db(), agreement.id)).toMatchObject({
      status: 'open',
      reviewOn: '2027-01-08',
    });
    clock.now = new Date('2027-01-08T08:01:00Z');
    await t.app.scheduler.tick(clock.now);
    await t.app.idle();
    expect(dmsTo('U0E1').filter((m) => m.text.startsWith('Time to review'))).toHaveLength(2);
  });

  it('Dropped: needs a line why, and the next digest shows it with the note', async () => {
    const agreement = await atReview();
    await click(
      'U0E1',
      'agreement_drop',
      reviewButton('U0E1', 'agreement_drop'),
      t.standIn.dmChannelOf('U0E1'),
    );
    const form = openedForm();
    const empty = await submit('U0E1', form, { agree_note: '  ' });
    expect((empty.errors as Record<string, string>).agree_note).toMatch(/Say in a line why/);
    await submit('U0E1', form, { agree_note: 'Overtaken by the Q1 replan.' });
    expect(await getAgreement(db(), agreement.id)).toMatchObject({
      status: 'dropped',
      closedBy: 'U0E1',
      note: 'Overtaken by the Q1 replan.',
    });
    clock.now = new Date('2026-12-18T15:01:00Z');
    await postDigest(t.app.ctx, survey, clock.now);
    const text = readText((t.standIn.messagesIn(EXEC).at(-1)?.blocks ?? []) as unknown[]);
    expect(text).toContain('dropped on 18 Dec (<@U0E1>): “Overtaken by the Q1 replan.”');
  });
});

describe('agreements elsewhere', () => {
  async function home(user: string) {
    await t.slack.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
    await t.app.idle();
    return (t.standIn.homeViews.get(user) as { blocks: unknown[] } | undefined)?.blocks ?? [];
  }

  it('lists open agreements in the App Home, with the review buttons for their owners only', async () => {
    await week(0, 5, 2);
    await record();
    const owner = await home('U0P1');
    const text = readText(owner);
    expect(text).toContain('*Agreements* · <#C0LEADERS> (not anonymous)');
    expect(text).toContain('*Tech debt* — “Reserve 20% of each sprint');
    expect(JSON.stringify(owner)).toContain('"action_id":"agreement_done"');
    expect(JSON.stringify(owner)).toContain('"action_id":"agreement_record"');
    const other = await home('U0P3');
    expect(readText(other)).toContain('*Tech debt* — “Reserve 20% of each sprint');
    expect(JSON.stringify(other)).not.toContain('"action_id":"agreement_done"');
    // Done from the App Home: the home is published again without it.
    const value = String((await getAgreement(db(), (await onlyAgreement())?.id ?? 0))?.id);
    // A click in the App Home comes with its view, not a message, and no response_url.
    const {
      message: _message,
      channel: _channel,
      response_url: _url,
      ...fromHome
    } = t.slack.buttonClick({ user: 'U0P1', channel: 'D0HOME', actionId: 'agreement_done', value });
    await t.slack.interaction({
      ...fromHome,
      container: { type: 'view', view_id: 'V1' },
      view: { id: 'V1', type: 'home', team_id: TEAM_ID },
    });
    await t.app.idle();
    expect((await getAgreement(db(), Number(value)))?.status).toBe('done');
    expect(readText(await home('U0P1'))).not.toContain('Reserve 20%');
  });

  it('exports the agreements as a second file, with their owners, and no answers', async () => {
    await week(0, 5, 2);
    await record({ agree_body: '=HYPERLINK("http://x") and more, "quoted"' });
    await t.slack.command({ user: ADMIN, channel: LEADS, text: 'export' });
    await t.app.idle();
    const files = [...t.standIn.uploads.values()];
    const agreements = files.find((f) => f.filename.startsWith('alignment-agreements'));
    const csv = agreements?.bytes?.toString('utf8') ?? '';
    const [header, row, ...rest] = csv.trim().split('\n');
    expect(header).toBe(
      'survey_id,leadership_channel,dimension,agreement,product_owner,engineering_owner,recorded_by,recorded_at,review_on,status,closed_at,closed_by,note',
    );
    // The text stays one field, and cannot run as a formula in a spreadsheet.
    expect(row).toBe(
      `${survey.id},C0LEADERS,tech_debt,"'=HYPERLINK(""http://x"") and more, ""quoted""",U0P1,U0E1,U0P2,2026-11-20T15:00:00.000Z,2026-12-18,open,,,`,
    );
    expect(rest).toEqual([]);
    expect(csv).not.toMatch(/real_capacity|,[1-5],/);
  });

  it('forget-me takes an owner off, who then reads as a former leader everywhere', async () => {
    await week(0, 5, 2);
    await record();
    await t.slack.command({ user: 'U0P1', channel: LEADS, text: 'forget-me' });
    await t.app.idle();
    await click('U0P1', 'forget_me_confirm', 'confirm', LEADS);
    expect(await getAgreement(db(), (await onlyAgreement())?.id ?? 0)).toMatchObject({
      productOwner: null,
      engineeringOwner: 'U0E1',
      body: valid.agree_body,
    });
    expect(
      await count(sql`SELECT count(*) AS n FROM agreement_messages WHERE user_id = 'U0P1'`),
    ).toBe(0);
    expect(readText(await home('U0E1'))).toContain('a former leader and <@U0E1>');
    await postDigest(t.app.ctx, survey, clock.now);
    expect(JSON.stringify(t.standIn.messagesIn(EXEC).at(-1)?.blocks)).toContain(
      'a former leader and <@U0E1>',
    );
    expect(JSON.stringify(t.standIn.messagesIn(EXEC).at(-1)?.blocks)).not.toContain('U0P1');
    // No table holds the person any more.
    for (const { table, column } of await everyColumn(db()))
      expect(
        await count(
          sql`SELECT count(*) AS n FROM ${sql.table(table)} WHERE CAST(${sql.ref(column)} AS TEXT) = 'U0P1'`,
        ),
        `${table}.${column}`,
      ).toBe(0);
  });
});

/** Every column of every table, on either engine. */
async function everyColumn(db: Store): Promise<{ table: string; column: string }[]> {
  const columns = await all(
    db,
    engineOf(db) === 'postgres'
      ? sql<{ table: string; column: string }>`
          SELECT c.table_name AS "table", c.column_name AS "column"
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`
      : sql<{ table: string; column: string }>`
          SELECT m.name AS "table", c.name AS "column"
          FROM sqlite_master m, pragma_table_info(m.name) c
          WHERE m.type = 'table'`,
  );
  // Never an empty list, which would find nobody anywhere.
  if (!columns.some((c) => c.table === 'answers' && c.column === 'user_id'))
    throw new Error('the list of columns misses answers.user_id');
  return columns;
}
