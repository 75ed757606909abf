import { type RawBuilder, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closePulse } from '../../src/jobs/close-pulse.js';
import { remindPulse } from '../../src/jobs/remind-pulse.js';
import { getPulse } from '../../src/storage/pulses.js';
import { findSurveyByChannel } from '../../src/storage/surveys.js';
import { ANSWER_PULSE_ACTION } from '../../src/views/pulse-message.js';
import { one, run } from '../support/db.js';
import type { OpenedView } from '../support/slack-requests.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ADMIN = 'U0ADMIN01';
const CHANNEL = 'C0LEADERS';
const LEADERS = ['U0PROD01', 'U0PROD02', 'U0ENG01', 'U0ENG02'];

let t: TestApp;
/**
 * The app's clock, pinned to a Tuesday morning in Berlin: on a Sunday a pulse sent
 * now would still be open at Monday's scheduled one and the answer would say so.
 */
const clock = { now: new Date('2026-11-17T08:45:00Z') };
beforeEach(async () => {
  clock.now = new Date('2026-11-17T08:45:00Z');
  t = await startTestApp({ env: { ADMIN_USER_IDS: ADMIN }, now: () => clock.now });
  t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin' });
  for (const id of LEADERS) t.standIn.addUser({ id, name: id.toLowerCase() });
  t.standIn.addChannel({
    id: CHANNEL,
    name: 'leadership',
    members: [ADMIN, ...LEADERS, BOT_USER_ID],
  });
});
afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

const db = () => t.app.ctx.db;
const count = async (query: RawBuilder<unknown>) => ((await one(db(), query)) as { n: number }).n;
const lastResponse = () => t.standIn.responseUrlPosts.at(-1)?.body.text as string | undefined;

/** Lets the work a listener does after its ack finish. */
const settle = () => t.app.idle();

async function pulseNow(user = ADMIN, channel = CHANNEL): Promise<void> {
  // A minute passes between two commands, as it would for a person typing them.
  clock.now = new Date(clock.now.getTime() + 60_000);
  const reply = await t.slack.command({ user, channel, text: 'pulse now' });
  expect(reply.status).toBe(200);
  await settle();
}

function pulseButton(channel = CHANNEL): string {
  const message = t.standIn.messagesIn(channel).at(0);
  const blocks = (message?.blocks ?? []) as {
    elements?: { action_id?: string; value?: string }[];
  }[];
  const button = blocks
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === ANSWER_PULSE_ACTION);
  if (button?.value === undefined)
    throw new Error(`no Answer button in ${channel}: ${JSON.stringify(blocks)}`);
  return button.value;
}

async function clickAnswer(
  user: string,
  pulseId: string,
  options: { expired?: boolean; channel?: string } = {},
) {
  const opened = t.standIn.openedViews.length;
  const payload = t.slack.buttonClick({
    user,
    channel: options.channel ?? CHANNEL,
    actionId: ANSWER_PULSE_ACTION,
    value: pulseId,
    ...(options.expired ? { expiredTrigger: true } : {}),
  });
  const reply = await t.slack.interaction(payload);
  expect(reply.status).toBe(200);
  await settle();
  const view = t.standIn.openedViews.length > opened ? t.standIn.openedViews.at(-1) : undefined;
  return view === undefined
    ? undefined
    : ({ id: view.id, ...view.view } as OpenedView & { id: string });
}

const questionBlocks = (view: OpenedView) =>
  (view.blocks as { block_id?: string }[])
    .map((b) => b.block_id)
    .filter((id): id is string => id?.startsWith('q:') === true);

function answersFor(view: OpenedView, value: string, extra: Record<string, string | null> = {}) {
  return Object.fromEntries([
    ...questionBlocks(view).map((id) => [id, value]),
    ...Object.entries(extra),
  ]);
}

async function submit(
  user: string,
  view: OpenedView,
  values: Record<string, string | null>,
  retryNum?: number,
) {
  const payload = t.slack.viewSubmission({ user, view, values });
  return t.slack.interaction(payload, retryNum === undefined ? {} : { retryNum });
}

describe('/alignment pulse now', () => {
  it("sets up the channel's survey and posts a pulse with its button, telling the admin privately", async () => {
    await pulseNow();
    const survey = await findSurveyByChannel(db(), TEAM_ID, CHANNEL);
    expect(survey).toMatchObject({
      leadershipChannels: [CHANNEL],
      timezone: 'Europe/Berlin',
      questionsPerPulse: 5,
    });
    const [message] = t.standIn.messagesIn(CHANNEL);
    expect(message?.text).toMatch(
      /^The alignment pulse of Tue 17 Nov: 5 questions, under a minute\. Open until \w{3} \d+ \w{3} at \d\d:\d\d \(Berlin time\)\.$/,
    );
    // In the blocks, the closing time in each reader's own zone, the survey's as the fallback.
    expect(JSON.stringify(message?.blocks)).toMatch(
      /<!date\^\d+\^\{date_short_pretty\} at \{time\}\|\w{3} \d+ \w{3} at \d\d:\d\d \(Berlin time\)>/,
    );
    expect(JSON.stringify(message?.blocks)).toContain('Answer the pulse');
    expect(JSON.stringify(message?.blocks)).toContain('No answers yet.');
    expect(lastResponse()).toMatch(
      /^Pulse posted in <#C0LEADERS>: 5 questions, open until <!date\^\d+\^\{date_short_pretty\} at \{time\}\|.+\(Berlin time\)>\.$/,
    );
    expect(await count(sql`SELECT count(*) AS n FROM pulse_questions`)).toBe(5);
    // The people in the channel, not the bot, are the ones asked.
    expect(await count(sql`SELECT count(*) AS n FROM pulse_recipients`)).toBe(5);
  });

  it('refuses a second pulse while one is open', async () => {
    await pulseNow();
    await pulseNow();
    expect(t.standIn.messagesIn(CHANNEL)).toHaveLength(1);
    expect(lastResponse()).toMatch(/^A pulse is already open here until .+ \(0 answered so far\)/);
  });

  it('tells a non-admin who can, and changes nothing', async () => {
    await pulseNow('U0PROD01');
    expect(lastResponse()).toBe(
      `Only admins can send a pulse. Ask <@${ADMIN}> or a workspace admin.`,
    );
    expect(await count(sql`SELECT count(*) AS n FROM surveys`)).toBe(0);
    expect(t.standIn.messagesIn(CHANNEL)).toEqual([]);
  });

  it('lets a workspace admin run it', async () => {
    t.standIn.addUser({ id: 'U0OWNER', name: 'owner', is_owner: true });
    await pulseNow('U0OWNER');
    expect(t.standIn.messagesIn(CHANNEL)).toHaveLength(1);
  });

  it('says how to invite the bot when it is not in the channel, and posts once invited', async () => {
    t.standIn.addChannel({
      id: 'C0PRIVATE',
      name: 'staff',
      members: [ADMIN, ...LEADERS],
      botIsMember: false,
    });
    await pulseNow(ADMIN, 'C0PRIVATE');
    expect(lastResponse()).toContain(
      'Invite the bot to <#C0PRIVATE> (type `/invite @Alignment Pulse` there).',
    );
    expect(t.standIn.messagesIn('C0PRIVATE')).toEqual([]);
    const channel = t.standIn.channels.get('C0PRIVATE');
    if (channel) channel.botIsMember = true;
    await pulseNow(ADMIN, 'C0PRIVATE');
    expect(t.standIn.messagesIn('C0PRIVATE')).toHaveLength(1);
    expect(await count(sql`SELECT count(*) AS n FROM pulses`)).toBe(1);
  });

  it('explains the subcommand when "now" is missing', async () => {
    const reply = await t.slack.command({ user: ADMIN, channel: CHANNEL, text: 'pulse' });
    expect(reply.json).toEqual({
      response_type: 'ephemeral',
      text: 'To send the pulse right away, type `/alignment pulse now`.',
    });
  });
});

describe('answering a pulse', () => {
  beforeEach(() => pulseNow());

  it('opens a form with one five-point scale per question, the discipline the first time, and a comment', async () => {
    const view = await clickAnswer('U0PROD01', pulseButton());
    expect(view).toBeDefined();
    if (!view) return;
    expect(questionBlocks(view)).toHaveLength(5);
    const first = (
      view.blocks as { block_id?: string; element?: { options?: { value: string }[] } }[]
    ).find((b) => b.block_id?.startsWith('q:'));
    expect(first?.element?.options?.map((o) => o.value)).toEqual(['1', '2', '3', '4', '5']);
    const blocks = JSON.stringify(view.blocks);
    expect(blocks).toContain('"block_id":"discipline"');
    for (const d of ['product', 'engineering', 'design', 'program', 'other'])
      expect(blocks).toContain(`"value":"${d}"`);
    expect(blocks).toContain('"max_length":2000');
  });

  it('stores valid answers before acknowledging, thanks the person privately, and updates the count', async () => {
    const view = await clickAnswer('U0PROD01', pulseButton());
    if (!view) throw new Error('no form');
    const reply = await submit(
      'U0PROD01',
      view,
      answersFor(view, '4', { discipline: 'product', comment: 'Roadmap reviews help.' }),
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    expect(JSON.stringify(reply.json)).toContain('your answers are saved');
    expect(
      await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0PROD01' AND value = 4`),
    ).toBe(5);
    expect(await count(sql`SELECT count(*) AS n FROM comments WHERE user_id = 'U0PROD01'`)).toBe(1);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM discipline_changes WHERE user_id = 'U0PROD01' AND discipline = 'product'`,
      ),
    ).toBe(1);
    await settle();
    const [message] = t.standIn.messagesIn(CHANNEL);
    expect(message?.updates).toBe(1);
    expect(JSON.stringify(message?.blocks)).toContain('1 leader answered so far.');
    expect(JSON.stringify(message?.blocks)).not.toContain('U0PROD01');
  });

  it('updates the count once right away, then once more for answers that come in the next seconds', async () => {
    const button = pulseButton();
    for (const [user, discipline] of [
      ['U0PROD01', 'product'],
      ['U0ENG01', 'engineering'],
      ['U0ENG02', 'engineering'],
    ] as const) {
      const view = await clickAnswer(user, button);
      if (!view) throw new Error('no form');
      await submit(user, view, answersFor(view, '3', { discipline }));
      await settle();
    }
    const [message] = t.standIn.messagesIn(CHANNEL);
    expect(message?.updates).toBe(1);
    expect(JSON.stringify(message?.blocks)).toContain('1 leader answered so far.');
    await expect
      .poll(() => JSON.stringify(message?.blocks), { timeout: 5_000, interval: 200 })
      .toContain('3 leaders answered so far.');
    expect(message?.updates).toBe(2);
  });

  it.each([
    [
      'an unanswered question',
      (v: OpenedView) => ({
        ...answersFor(v, '3', { discipline: 'engineering' }),
        [questionBlocks(v)[2] ?? '']: null,
      }),
      2,
      'Choose an answer',
    ],
    [
      'a value outside 1-5',
      (v: OpenedView) => ({
        ...answersFor(v, '3', { discipline: 'engineering' }),
        [questionBlocks(v)[0] ?? '']: '7',
      }),
      0,
      'Choose one of the five answers',
    ],
    [
      'no discipline',
      (v: OpenedView) => answersFor(v, '3'),
      'discipline',
      'Choose your discipline',
    ],
    [
      'a discipline outside the list',
      (v: OpenedView) => answersFor(v, '3', { discipline: 'marketing' }),
      'discipline',
      'Choose Product, Engineering',
    ],
    [
      'a comment over 2000 characters',
      (v: OpenedView) => answersFor(v, '3', { discipline: 'design', comment: 'x'.repeat(2001) }),
      'comment',
      'Keep the comment to 2000 characters (it has 2001)',
    ],
  ])(
    'sends %s back to the form on its block and stores nothing',
    async (_name, values, block, message) => {
      const view = await clickAnswer('U0ENG01', pulseButton());
      if (!view) throw new Error('no form');
      const reply = await submit('U0ENG01', view, values(view));
      const blockId = typeof block === 'number' ? (questionBlocks(view)[block] ?? '') : block;
      expect(reply.json).toMatchObject({
        response_action: 'errors',
        errors: { [blockId]: expect.stringContaining(message) },
      });
      expect(await count(sql`SELECT count(*) AS n FROM answers`)).toBe(0);
      expect(await count(sql`SELECT count(*) AS n FROM comments`)).toBe(0);
      expect(await count(sql`SELECT count(*) AS n FROM discipline_changes`)).toBe(0);
    },
  );

  it('refuses a question that is not in the pulse', async () => {
    const view = await clickAnswer('U0ENG01', pulseButton());
    if (!view) throw new Error('no form');
    const forged = {
      ...view,
      blocks: [
        ...view.blocks,
        {
          type: 'input',
          block_id: 'q:made.up',
          element: { type: 'radio_buttons', action_id: 'value' },
        },
      ],
    };
    const reply = await submit(
      'U0ENG01',
      forged,
      answersFor(forged, '4', { discipline: 'product' }),
    );
    expect(reply.json).toMatchObject({
      response_action: 'errors',
      errors: { 'q:made.up': expect.stringContaining('not part of this pulse') },
    });
    expect(await count(sql`SELECT count(*) AS n FROM answers`)).toBe(0);
  });

  it('shows earlier answers when the person comes back, and changes them in place', async () => {
    const view = await clickAnswer('U0PROD01', pulseButton());
    if (!view) throw new Error('no form');
    await submit(
      'U0PROD01',
      view,
      answersFor(view, '2', { discipline: 'product', comment: 'First thoughts' }),
    );
    const again = await clickAnswer('U0PROD01', pulseButton());
    if (!again) throw new Error('no second form');
    const blocks = JSON.stringify(again.blocks);
    expect(blocks).not.toContain('"block_id":"discipline"');
    expect(blocks).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"2 · Disagree"},"value":"2"}',
    );
    expect(blocks).toContain('"initial_value":"First thoughts"');
    expect(JSON.stringify(again.submit)).toContain('Save changes');
    await submit('U0PROD01', again, answersFor(again, '5', { comment: '' }));
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0PROD01'`)).toBe(5);
    expect(
      await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0PROD01' AND value = 5`),
    ).toBe(5);
    expect(await count(sql`SELECT count(*) AS n FROM comments`)).toBe(0);
  });

  it('stores a submission once when Slack retries it or the person double-submits', async () => {
    const view = await clickAnswer('U0ENG02', pulseButton());
    if (!view) throw new Error('no form');
    const values = answersFor(view, '3', { discipline: 'engineering', comment: 'Same again' });
    await submit('U0ENG02', view, values);
    await submit('U0ENG02', view, values, 1);
    await submit('U0ENG02', view, values);
    expect(await count(sql`SELECT count(*) AS n FROM answers`)).toBe(5);
    expect(await count(sql`SELECT count(*) AS n FROM comments`)).toBe(1);
    await settle();
    expect(JSON.stringify(t.standIn.messagesIn(CHANNEL)[0]?.blocks)).toContain(
      '1 leader answered so far.',
    );
    expect(t.standIn.messagesIn(CHANNEL)).toHaveLength(1);
  });

  it('answers an expired trigger with a private note to click again', async () => {
    const view = await clickAnswer('U0PROD02', pulseButton(), { expired: true });
    expect(view).toBeUndefined();
    expect(lastResponse()).toBe(
      'Slack took too long to open the form. Click *Answer the pulse* again.',
    );
  });

  it('answers a click on an unknown pulse privately', async () => {
    await clickAnswer('U0PROD02', '999999');
    expect(lastResponse()).toBe(
      'That pulse no longer exists. The next one will arrive on schedule.',
    );
    await clickAnswer('U0PROD02', 'not-a-number');
    expect(lastResponse()).toBe(
      'That pulse no longer exists. The next one will arrive on schedule.',
    );
  });
});

describe('reminders and closing', () => {
  beforeEach(() => pulseNow());

  async function answer(user: string, discipline: string) {
    const view = await clickAnswer(user, pulseButton());
    if (!view) throw new Error('no form');
    await submit(user, view, answersFor(view, '4', { discipline }));
  }

  it('reminds only those who have not answered, once', async () => {
    await answer('U0PROD01', 'product');
    await answer('U0ENG01', 'engineering');
    const pulse = await getPulse(db(), Number(pulseButton()));
    if (!pulse) throw new Error('no pulse');
    expect(await remindPulse(t.app.ctx, pulse)).toBe(3);
    const reminded = t.standIn.callsTo('conversations.open').map((c) => c.args.users);
    expect(reminded.sort()).toEqual([ADMIN, 'U0ENG02', 'U0PROD02'].sort());
    expect(await remindPulse(t.app.ctx, pulse)).toBe(0);
    expect(t.standIn.callsTo('conversations.open')).toHaveLength(3);
    const reminder = t.standIn.messages.find(
      (m) => m.channel === t.standIn.dmChannelOf('U0PROD02'),
    );
    expect(reminder?.text).toMatch(
      /^Reminder: the alignment pulse of Tue 17 Nov closes .+\. It takes under a minute\.$/,
    );
  });

  it('closes the pulse, says so on its message, and refuses late clicks and late answers', async () => {
    const view = await clickAnswer('U0PROD02', pulseButton());
    if (!view) throw new Error('no form');
    await answer('U0PROD01', 'product');
    const pulseId = pulseButton();
    const pulse = await getPulse(db(), Number(pulseId));
    if (!pulse) throw new Error('no pulse');
    expect(await closePulse(t.app.ctx, pulse)).toBe(true);
    expect(await closePulse(t.app.ctx, pulse)).toBe(false);
    const [message] = t.standIn.messagesIn(CHANNEL);
    expect(message?.text).toBe('Closed — 1 leader answered the alignment pulse of Tue 17 Nov.');
    // One answer shows no scores, and the message says so rather than promise a digest.
    expect(JSON.stringify(message?.blocks)).toContain(
      "Fewer than 3 answered, so it shows no scores: nobody's answers can be singled out.",
    );
    expect(JSON.stringify(message?.blocks)).not.toContain('next digest');

    await clickAnswer('U0ENG01', pulseId);
    expect(lastResponse()).toMatch(/^This pulse closed on .+, so it takes no more answers\./);
    const late = await submit('U0PROD02', view, answersFor(view, '1', { discipline: 'product' }));
    expect(late.json).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(late.json)).toContain('This pulse closed on');
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0PROD02'`)).toBe(0);
    expect(await remindPulse(t.app.ctx, pulse)).toBe(0);
  });
});

describe('delivery by DM', () => {
  it('sends the pulse to every person in the channel across pages, leaving out bots and deactivated users', async () => {
    const people = Array.from({ length: 23 }, (_, i) => `U0LEAD${String(i).padStart(2, '0')}`);
    for (const id of people) t.standIn.addUser({ id, name: id.toLowerCase() });
    t.standIn.addUser({ id: 'U0OTHERBOT', name: 'otherbot', is_bot: true });
    t.standIn.addUser({ id: 'U0GONE', name: 'gone', deleted: true });
    t.standIn.addChannel({
      id: 'C0DMLEADS',
      name: 'dm-leads',
      members: [...people.slice(0, 12), 'U0OTHERBOT', BOT_USER_ID, ...people.slice(12), 'U0GONE'],
    });
    t.standIn.membersPageSize = 20;
    await pulseNow(ADMIN, 'C0DMLEADS');
    await run(db(), sql`UPDATE surveys SET delivery = 'dm'`);
    // The first pulse went to the channel; close it and send the next by DM.
    const first = await getPulse(db(), 1);
    if (!first) throw new Error('no pulse');
    await closePulse(t.app.ctx, first);
    t.standIn.messages.splice(0);
    await pulseNow(ADMIN, 'C0DMLEADS');

    const members = t.standIn.callsTo('conversations.members').slice(-2);
    expect(members.map((c) => c.args.cursor ?? '')).toEqual(['', expect.any(String)]);
    const dmUsers = t.standIn.callsTo('conversations.open').map((c) => c.args.users);
    expect(dmUsers.sort()).toEqual([...people].sort());
    expect(t.standIn.messages.filter((m) => m.channel.startsWith('D'))).toHaveLength(23);
    const notice = t.standIn.messagesIn('C0DMLEADS');
    expect(notice).toHaveLength(1);
    expect(notice[0]?.text).toMatch(
      /^The alignment pulse of \w{3} \d+ \w{3} went to 23 leaders here by direct message\./,
    );
    expect(lastResponse()).toMatch(/^Pulse sent by DM to 23 leaders: 5 questions/);

    // Answering from the DM counts once, like answering from the channel.
    const dm = t.standIn.dmChannelOf('U0LEAD03') ?? '';
    const view = await clickAnswer('U0LEAD03', String((await getPulse(db(), 2))?.id), {
      channel: dm,
    });
    if (!view) throw new Error('no form');
    await submit('U0LEAD03', view, answersFor(view, '5', { discipline: 'design' }));
    await submit('U0LEAD03', view, answersFor(view, '5', { discipline: 'design' }), 1);
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE pulse_id = 2`)).toBe(5);
  });

  it('reads the directory instead of each person for a big channel, and reuses each DM the next week', async () => {
    const people = Array.from({ length: 60 }, (_, i) => `U0BIG${String(i).padStart(3, '0')}`);
    for (const id of people) t.standIn.addUser({ id, name: id.toLowerCase() });
    t.standIn.addUser({ id: 'U0OTHERBOT', name: 'otherbot', is_bot: true });
    t.standIn.addUser({ id: 'U0GONE', name: 'gone', deleted: true });
    t.standIn.addChannel({
      id: 'C0BIGLEADS',
      name: 'big-leads',
      members: [...people, 'U0OTHERBOT', 'U0GONE', BOT_USER_ID],
    });
    await pulseNow(ADMIN, 'C0BIGLEADS');
    await run(db(), sql`UPDATE surveys SET delivery = 'dm'`);
    for (const week of [1, 2]) {
      const open = await getPulse(db(), week);
      if (!open) throw new Error('no pulse');
      await closePulse(t.app.ctx, open);
      await pulseNow(ADMIN, 'C0BIGLEADS');
    }

    const looked = t.standIn.callsTo('users.info').map((c) => c.args.user);
    expect(looked.filter((id) => people.includes(String(id)))).toEqual([]);
    expect(t.standIn.callsTo('users.list').length).toBeGreaterThan(0);
    // One conversations.open per person, in the first DM week only.
    const opened = t.standIn.callsTo('conversations.open').map((c) => c.args.users);
    expect(opened.sort()).toEqual([...people].sort());
    for (const id of people) {
      const dm = t.standIn.dmChannelOf(id) ?? '';
      expect(t.standIn.messagesIn(dm)).toHaveLength(2);
    }
    expect(t.standIn.dmChannelOf('U0OTHERBOT')).toBeUndefined();
    expect(t.standIn.dmChannelOf('U0GONE')).toBeUndefined();
  });
});
