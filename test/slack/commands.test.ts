import { type RawBuilder, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineOf, type Store } from '../../src/storage/store.js';
import { findOrCreateSurvey, getSurvey, type Survey } from '../../src/storage/surveys.js';
import { all, one, run as runSql } from '../support/db.js';
import { codeSpans, colourDots, foldRisks } from '../support/presentation.js';
import { type Person, seedPulse } from '../support/seed.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ADMIN = 'U0ADMIN01';
const LEADS = 'C0LEADERS';
const EXEC = 'C0EXECS';
const product: Person[] = ['U0P1', 'U0P2', 'U0P3', 'U0P4'].map((id) => [id, 'product']);
const engineering: Person[] = ['U0E1', 'U0E2', 'U0E3', 'U0E4'].map((id) => [id, 'engineering']);
const design: Person[] = [
  ['U0D1', 'design'],
  ['U0D2', 'design'],
];
const program: Person[] = [['U0G1', 'program']];
const everyone = [...product, ...engineering, ...design, ...program];

const clock = { now: new Date('2026-11-20T15:00:00Z') };
let t: TestApp;
let survey: Survey;

beforeEach(async () => {
  clock.now = new Date('2026-11-20T15:00:00Z'); // Friday of week 47
  t = await startTestApp({ now: () => clock.now, schedule: false, env: { ADMIN_USER_IDS: ADMIN } });
  t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin' });
  for (const [id] of everyone) t.standIn.addUser({ id, name: id.toLowerCase() });
  t.standIn.addChannel({
    id: LEADS,
    name: 'leadership',
    members: [ADMIN, ...everyone.map(([id]) => id), BOT_USER_ID],
  });
  t.standIn.addChannel({ id: EXEC, name: 'execs', members: [ADMIN] });
  survey = await findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: LEADS,
    timezone: 'Europe/Berlin',
    createdBy: ADMIN,
  });
});
afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

/**
 * Week 46: everyone 3 on shared goals. Week 47: product 5 and engineering 2 on
 * tech debt, the two designers and the program manager 3 (together 3 people, so
 * hiding the designers needs no second group hidden). Both closed, unless week
 * 47 is to stay open.
 */
async function seedWeeks({ week47Open = false } = {}) {
  const base = { teamId: TEAM_ID, surveyId: survey.id, invited: everyone.map(([id]) => id) };
  await seedPulse(t.app.ctx, {
    ...base,
    due: '2026-11-09T08:00:00Z',
    closed: true,
    answers: everyone.map((person) => ({ person, values: { 'okrs.same_direction': 3 } })),
  });
  await seedPulse(t.app.ctx, {
    ...base,
    due: '2026-11-16T08:00:00Z',
    closed: !week47Open,
    answers: [
      ...product.map((person) => ({
        person,
        values: { 'okrs.same_direction': 4, 'tech_debt.real_capacity': 5 },
      })),
      ...engineering.map((person) => ({
        person,
        values: { 'okrs.same_direction': 4, 'tech_debt.real_capacity': 2 },
      })),
      ...[...design, ...program].map((person) => ({
        person,
        values: { 'okrs.same_direction': 3, 'tech_debt.real_capacity': 3 },
      })),
    ],
  });
}

async function run(text: string, user = 'U0P1', channel = LEADS): Promise<string> {
  const before = t.standIn.responseUrlPosts.length;
  const reply = await t.slack.command({ user, channel, text });
  expect(reply.status).toBe(200);
  await t.app.idle();
  const answers = [
    ...(reply.json === undefined ? [] : [reply.json]),
    ...t.standIn.responseUrlPosts.slice(before).map((p) => p.body),
  ];
  for (const answer of answers) expect(answer.response_type ?? 'ephemeral').toBe('ephemeral');
  lastAnswerBlocks = (answers.at(-1)?.blocks ?? []) as unknown[];
  return answers
    .map((a) => `${String(a.text ?? '')}\n${JSON.stringify(a.blocks ?? [])}`)
    .join('\n');
}

/** The blocks of the last private answer, in the ack or by response_url. */
let lastAnswerBlocks: unknown[] = [];
const lastBlocks = () => lastAnswerBlocks;

const count = async (query: RawBuilder<unknown>) =>
  ((await one(t.app.ctx.db, query)) as { n: number }).n;

describe('reports', () => {
  beforeEach(seedWeeks);

  it('score: the index and every dimension, one number each, latest week', async () => {
    const text = await run('score');
    // Shared goals: eight 4s and three 3s = 68.2. Tech debt: 4×100, 4×25, 3×50 = 59.1.
    expect(text).toContain(
      '*Alignment index 64* · not enough data yet · <#C0LEADERS> · the week of 16 Nov, the latest closed week',
    );
    // Name, then score · call, side by side: one number a dimension, no colour.
    expect(text).toContain(
      '"text":"*Shared goals*"},{"type":"mrkdwn","text":"*68* · not enough data yet"}',
    );
    expect(text).toContain(
      '"text":"*Tech debt*"},{"type":"mrkdwn","text":"*59* · not enough data yet"}',
    );
    expect(text).toContain(
      'Not enough data yet: a trend needs a score in 4 of the last 8 weeks, from 4 or more leaders who answered in more than one.',
    );
    expect(text).not.toMatch(/favorable/);
    expect(text).toContain('Not asked this week: One roadmap, Priorities,');
    expect(text).toContain('11 of 11 leaders answered.');
    const blocks = lastBlocks();
    expect(foldRisks(blocks)).toEqual([]);
    expect(colourDots(blocks)).toEqual([]);
    expect(codeSpans(blocks)).toEqual([]);
  });

  it('score 2: the last two weeks taken together', async () => {
    const text = await run('score 2');
    // Shared goals over both weeks: eleven 3s, then eight 4s and three 3s = (14·50 + 8·75) / 22 = 59.1.
    expect(text).toContain('"text":"*Shared goals*"},{"type":"mrkdwn","text":"*59*"}');
    expect(text).toContain('the last 2 weeks to the week of 16 Nov, together');
    expect(colourDots(lastBlocks())).toEqual([]);
  });

  it('trend: weekly scores in an aligned column, newest first, and no call on two weeks', async () => {
    const text = await run('trend okrs 3');
    // "Not enough data yet" says why: two weeks with a score, and a trend needs four.
    expect(text).toContain(
      '*Shared goals* · <#C0LEADERS> · not enough data yet: a trend needs a score in 4 of the last 8 weeks, and this has 2',
    );
    // Week label | score, as section fields: the numbers form one column.
    expect(text).toContain(
      '"fields":[{"type":"mrkdwn","text":"week of 16 Nov"},{"type":"mrkdwn","text":"*68*"},{"type":"mrkdwn","text":"week of 9 Nov"},{"type":"mrkdwn","text":"*50*"},{"type":"mrkdwn","text":"week of 2 Nov"},{"type":"mrkdwn","text":"—"}]',
    );
    // Two closed weeks are never compared: a trend needs four.
    expect(text).not.toMatch(/rose|fell|since the week before/);
    const blocks = lastBlocks();
    expect(foldRisks(blocks)).toEqual([]);
    expect(colourDots(blocks)).toEqual([]);
    expect(codeSpans(blocks)).toEqual([]);
    const index = await run('trend');
    expect(index).toContain('Alignment index over the last 12 weeks');
    // Where the gap is the story (tech debt: apart), each week shows its two sides too.
    const sides = await run('trend tech-debt 2');
    expect(sides).toContain(
      'Perception gap, last 4 weeks: *Tech debt* · 83 vs 30 · 53 points apart',
    );
    expect(sides).toContain(
      '{"type":"mrkdwn","text":"week of 16 Nov"},{"type":"mrkdwn","text":"*59* · 83 vs 30"}',
    );
    expect(sides).toContain('Beside each week: Product vs Engineering.');
    // Where it is not (shared goals: aligned), the week's score alone.
    expect(text).not.toContain('Beside each week');
  });

  it('gap: the last 4 closed weeks, largest first, in words, hiding the designers', async () => {
    const text = await run('gap');
    // Tech debt, week 47 only, by side: the Product side is four 5s and the
    // designers' two 3s = 83.3, the Engineering side four 2s and the program
    // lead's 3 = 30: 53 apart, past the test on leaders.
    // One short line each, largest first; the difference said is the difference shown.
    expect(text).toContain(
      '*Tech debt* · 83 vs 30 · 53 points apart\\n*Shared goals* · 58 vs 60 · aligned',
    );
    expect(text).not.toMatch(/Design/);
    expect(foldRisks(lastBlocks())).toEqual([]);
  });

  it('answers with the range when weeks are out of range, and suggests a dimension for a typo', async () => {
    expect(await run('trend okrs 60')).toContain('"60" is not between 1 and 52 weeks.');
    expect(await run('trend tech_dbt')).toContain('Did you mean Tech debt (`tech-debt`)?');
    expect(await run(`score ${'9'.repeat(3000)}`)).toContain('Try `/alignment score 4`.');
  });
});

describe('role and forget-me', () => {
  it('role: sets the discipline once, suggests the closest on a typo, and refuses a change', async () => {
    expect(await run('role enginering', 'U0E1')).toContain('Did you mean `engineering`?');
    expect(
      await count(sql`SELECT count(*) AS n FROM discipline_changes WHERE user_id = 'U0E1'`),
    ).toBe(0);
    expect(await run('role engineering', 'U0E1')).toContain(
      'Done: you are counted under Engineering. A discipline is set once; after this only an admin can change it.',
    );
    expect(await run('role engineering', 'U0E1')).toContain(
      'You are already counted under Engineering.',
    );
    expect(await run('role design', 'U0E1')).toContain(
      "You are counted under Engineering. A discipline is set once, and nobody changes their own, admins included, so nobody can move into a small group and work out the others' answers. Only admins can change it. Ask <@U0ADMIN01> or a workspace admin.",
    );
    expect(
      await all(
        t.app.ctx.db,
        sql`SELECT discipline FROM discipline_changes WHERE user_id = 'U0E1'`,
      ),
    ).toEqual([{ discipline: 'engineering' }]);
  });

  it("role @person: an admin changes someone's discipline from their next pulse; others may not", async () => {
    await run('role engineering', 'U0E1');
    expect(await run('role <@U0E2|e2> design', 'U0E1')).toContain(
      "Only admins can change someone's discipline.",
    );
    expect(await run('role @e2 design', ADMIN)).toContain('I could not tell who that is.');
    // The same answer whether the person had a discipline or not, and whichever:
    // nothing the command says tells the admin someone's discipline.
    const done = (id: string) =>
      `Done: <@${id}> is counted under Design from their next pulse on (at once, if they had no discipline yet). Answers already given keep the discipline they were given under.`;
    expect(await run('role <@U0E1|e1> design', ADMIN)).toContain(done('U0E1'));
    expect(await run('role design <@U0E2>', ADMIN)).toContain(done('U0E2'));
    expect(await run('role design <@U0E2>', ADMIN)).toContain(done('U0E2'));
    expect(
      await all(
        t.app.ctx.db,
        sql`SELECT user_id AS "user", discipline, CASE WHEN applies_from = '' THEN 1 ELSE 0 END AS "first"
            FROM discipline_changes WHERE user_id IN ('U0E1', 'U0E2') ORDER BY 1, 3 DESC`,
      ),
    ).toEqual([
      { user: 'U0E1', discipline: 'engineering', first: 1 },
      { user: 'U0E1', discipline: 'design', first: 0 },
      { user: 'U0E2', discipline: 'design', first: 1 },
    ]);
    t.standIn.addUser({ id: 'U0BOT', name: 'bot', is_bot: true });
    expect(await run('role <@U0BOT> design', ADMIN)).toContain('is a bot or a deactivated account');
    expect(
      await count(sql`SELECT count(*) AS n FROM discipline_changes WHERE user_id = 'U0BOT'`),
    ).toBe(0);
  });

  it('forget-me: asks first, then deletes everything the person gave and says how much', async () => {
    await seedWeeks();
    await runSql(
      t.app.ctx.db,
      sql`INSERT INTO comments (pulse_id, user_id, body, created_at, updated_at) VALUES (2, 'U0P1', 'mine', 'a', 'a')`,
    );
    const question = await run('forget-me', 'U0P1');
    expect(question).toContain(
      'Delete all 3 answers and 1 comment you gave? This cannot be undone.',
    );
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0P1'`)).toBe(3);
    const payload = t.slack.buttonClick({
      user: 'U0P1',
      channel: LEADS,
      actionId: 'forget_me_confirm',
      value: 'confirm',
    });
    await t.slack.interaction(payload);
    await t.app.idle();
    expect(t.standIn.responseUrlPosts.at(-1)?.body.text).toBe(
      'Deleted 3 answers and 1 comment, and your discipline. Alignment Pulse no longer holds anything that links you to what you gave. Group scores already published from closed pulses stay as they are: each is a total over at least 3 people, holds nothing that is yours alone, and is never recomputed. A comment already published with a closed week stays in it, as it was shown: anonymous, with nothing left that links it to you. Agreements you own or recorded stay with the team, your name taken off them ("a former leader"). If you answer again, your discipline counts from the next pulse, or at once if an admin sets it.',
    );
    for (const table of [
      'answers',
      'comments',
      'discipline_changes',
      'pulse_recipients',
      'pulse_messages',
    ]) {
      expect(
        await count(sql`SELECT count(*) AS n FROM ${sql.table(table)} WHERE user_id = 'U0P1'`),
      ).toBe(0);
    }
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0P2'`)).toBe(3);
  });

  it('forget-me: leaves no table naming the person, even the admin who set the survey up', async () => {
    await seedWeeks();
    const db = t.app.ctx.db;
    await runSql(
      db,
      sql`INSERT INTO comments (pulse_id, user_id, body, created_at, updated_at) VALUES (2, ${ADMIN}, 'mine', 'a', 'a')`,
    );
    await runSql(
      db,
      sql`INSERT INTO answers (pulse_id, question_id, user_id, discipline, value, answered_at, updated_at) VALUES (2, 'okrs.same_direction', ${ADMIN}, 'product', 4, 'a', 'a')`,
    );
    await runSql(
      db,
      sql`INSERT INTO pulse_messages (pulse_id, channel_id, kind, user_id, ts) VALUES (2, 'D0ADMIN', 'dm', ${ADMIN}, '1.2')`,
    );
    await runSql(
      db,
      sql`INSERT INTO delivery_failures (team_id, survey_id, channel_id, action, error) VALUES (${TEAM_ID}, ${survey.id}, ${ADMIN}, 'send the pulse by DM', 'user_not_found')`,
    );
    await run('role product', ADMIN);
    await run('forget-me', ADMIN);
    await t.slack.interaction(
      t.slack.buttonClick({
        user: ADMIN,
        channel: LEADS,
        actionId: 'forget_me_confirm',
        value: 'confirm',
      }),
    );
    await t.app.idle();
    const naming: string[] = [];
    for (const { table, column } of await everyColumn(db)) {
      const found = await count(
        sql`SELECT count(*) AS n FROM ${sql.table(table)} WHERE CAST(${sql.ref(column)} AS TEXT) = ${ADMIN}`,
      );
      if (found > 0) naming.push(`${table}.${column}`);
    }
    expect(naming).toEqual([]);
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0P2'`)).toBe(3);
  });

  it('forget-me: "Keep them" deletes nothing', async () => {
    await seedWeeks();
    await run('forget-me', 'U0P1');
    await t.slack.interaction(
      t.slack.buttonClick({
        user: 'U0P1',
        channel: LEADS,
        actionId: 'forget_me_cancel',
        value: 'cancel',
      }),
    );
    await t.app.idle();
    expect(t.standIn.responseUrlPosts.at(-1)?.body.text).toBe('Nothing was deleted.');
    expect(await count(sql`SELECT count(*) AS n FROM answers WHERE user_id = 'U0P1'`)).toBe(3);
  });
});

describe('admin commands', () => {
  it.each(['setup', 'pulse now', 'digest now', 'export'])(
    'refuses "%s" to a non-admin, naming who can, and changes nothing',
    async (text) => {
      await seedWeeks();
      const calls = t.standIn.calls.length;
      const reply = await run(text, 'U0P1');
      expect(reply).toMatch(/Only admins can .+\. Ask <@U0ADMIN01> or a workspace admin\./);
      expect(
        t.standIn.calls
          .slice(calls)
          .map((c) => c.method)
          .filter((m) => m !== 'users.info'),
      ).toEqual([]);
      expect(await count(sql`SELECT count(*) AS n FROM pulses`)).toBe(2);
      expect(await count(sql`SELECT count(*) AS n FROM digests`)).toBe(0);
    },
  );

  it('digest now: posts this week once, and says so the second time', async () => {
    await seedWeeks();
    await runSql(
      t.app.ctx.db,
      sql`UPDATE survey_channels SET channel_id = ${EXEC} WHERE role = 'digest'`,
    );
    expect(await run('digest now', ADMIN)).toContain(
      'Digest for the week of 16 Nov, the latest closed week, posted in <#C0EXECS>.',
    );
    expect(await run('digest now', ADMIN)).toContain(
      'The digest for the week of 16 Nov, the latest closed week, was already posted in <#C0EXECS>.',
    );
    expect(t.standIn.messagesIn(EXEC)).toHaveLength(1);
  });

  it('digest now, where Slack refuses the native chart: the digest without it, and the chart as a picture', async () => {
    await seedWeeks();
    await runSql(
      t.app.ctx.db,
      sql`UPDATE survey_channels SET channel_id = ${EXEC} WHERE role = 'digest'`,
    );
    t.standIn.refusedBlockTypes.add('data_visualization');
    expect(await run('digest now', ADMIN)).toContain(
      'Digest for the week of 16 Nov, the latest closed week, posted in <#C0EXECS>.',
    );
    // Slack answered invalid_blocks to the chart; the same digest went again without it.
    expect(t.standIn.callsTo('chat.postMessage').map((c) => c.response.error ?? 'ok')).toEqual([
      'invalid_blocks',
      'ok',
    ]);
    const [digest] = t.standIn.messagesIn(EXEC);
    expect(JSON.stringify(digest?.blocks)).not.toContain('data_visualization');
    expect(JSON.stringify(digest?.blocks)).toContain('*Alignment index 64*');
    const png = [...t.standIn.uploads.values()].find((u) => u.channel === EXEC);
    expect(png?.title).toBe('Index and the tech debt gap, 12 weeks');
    expect(png?.bytes?.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png?.bytes?.readUInt32BE(16)).toBe(1000);
  });

  it('export: a CSV of weekly aggregates by DM, groups under the threshold left out', async () => {
    await seedWeeks();
    expect(await run('export', ADMIN)).toMatch(
      /Sent you the export by DM: \d+ rows of weekly scores, and 0 agreements in a second file\./,
    );
    const upload = [...t.standIn.uploads.values()][0];
    expect(upload?.channel).toBe(t.standIn.dmChannelOf(ADMIN));
    const csv = upload?.bytes?.toString('utf8') ?? '';
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'week,week_start,survey_id,dimension,group,respondents,answers,score,favorable_pct,trend_8w,change_8w,gap_4w,gap_call',
    );
    // The two sides: four 5s and the designers' two 3s; four 2s and the program lead's 3.
    expect(lines).toContain(
      `2026-W47,2026-11-16,${survey.id},tech_debt,product_side,6,6,83,67,,,,`,
    );
    expect(lines).toContain(
      `2026-W47,2026-11-16,${survey.id},tech_debt,engineering_side,5,5,30,0,,,,`,
    );
    // The "all" rows carry the week's calls: too little history for a trend yet.
    expect(lines).toContain(
      `2026-W46,2026-11-09,${survey.id},okrs,all,11,11,50,0,not enough data yet,,0,not enough data yet`,
    );
    expect(lines).toContain(
      `2026-W47,2026-11-16,${survey.id},tech_debt,all,11,11,59,36,not enough data yet,,53,apart`,
    );
    // Never a discipline alone: only everyone and the two sides.
    expect(csv).not.toMatch(/,(product|engineering|design|program|other),/);
    expect(csv).not.toMatch(/U0P1|U0E1/);
  });
});

describe('the setup modal', () => {
  const setupView = () => {
    const opened = t.standIn.openedViews.at(-1);
    return { id: opened?.id ?? '', ...(opened?.view ?? {}) } as {
      id: string;
      blocks: unknown[];
      private_metadata: string;
      callback_id: string;
    };
  };
  const valid = {
    leadership: [LEADS],
    digest: [EXEC],
  };

  function submission(values: Record<string, unknown>) {
    const view = setupView();
    const state: Record<string, Record<string, unknown>> = {};
    const put = (block: string, value: unknown) => {
      state[block] = { value };
    };
    put('leadership', {
      type: 'multi_conversations_select',
      selected_conversations: values.leadership ?? valid.leadership,
    });
    put('digest', {
      type: 'multi_conversations_select',
      selected_conversations: values.digest ?? valid.digest,
    });
    put('pulse_day', { type: 'static_select', selected_option: { value: values.pulseDay ?? '2' } });
    put('pulse_time', { type: 'timepicker', selected_time: values.pulseTime ?? '10:30' });
    put('pulse_cron', { type: 'plain_text_input', value: values.pulseCron ?? null });
    put('timezone', {
      type: 'static_select',
      selected_option: { value: values.timezone ?? 'America/New_York' },
    });
    put('questions', {
      type: 'static_select',
      selected_option: { value: values.questions ?? '6' },
    });
    put('open_hours', {
      type: 'static_select',
      selected_option: { value: values.openHours ?? '48' },
    });
    put('delivery', { type: 'radio_buttons', selected_option: { value: values.delivery ?? 'dm' } });
    put('reminder', { type: 'static_select', selected_option: { value: values.reminder ?? '12' } });
    put('digest_day', { type: 'static_select', selected_option: { value: '5' } });
    put('digest_time', { type: 'timepicker', selected_time: '16:00' });
    put('digest_cron', { type: 'plain_text_input', value: values.digestCron ?? '0 16 * * 5' });
    put('threshold', {
      type: 'static_select',
      selected_option: { value: values.threshold ?? '4' },
    });
    put('custom_text', { type: 'plain_text_input', value: values.customText ?? null });
    put('custom_dimension', {
      type: 'static_select',
      selected_option:
        values.customDimension === undefined ? null : { value: values.customDimension },
    });
    put('custom_reversed', {
      type: 'checkboxes',
      selected_options: values.customReversed ? [{ value: 'reversed' }] : [],
    });
    put('paused_until', { type: 'datepicker', selected_date: values.pausedUntil ?? null });
    for (const d of ['design', 'program', 'other'])
      put(`side_${d}`, {
        type: 'radio_buttons',
        selected_option: {
          value: values[`${d}Side`] ?? (d === 'design' ? 'product' : 'engineering'),
        },
      });
    return {
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'alignment-test' },
      user: { id: ADMIN, username: 'cpo', name: 'cpo', team_id: TEAM_ID },
      api_app_id: 'A0ALIGNPLS',
      token: 'legacy',
      trigger_id: t.standIn.mintTriggerId(),
      view: { ...view, type: 'modal', team_id: TEAM_ID, state: { values: state }, hash: 'h' },
      response_urls: [],
    };
  }

  const blockIds = () => (setupView().blocks as { block_id?: string }[]).map((b) => b.block_id);
  const switchMode = async (state: Record<string, Record<string, unknown>>) => {
    const view = setupView();
    const mode = view.blocks.find(
      (b): b is { block_id: string; elements: { value: string }[] } =>
        (b as { block_id?: string }).block_id === 'schedule_mode',
    );
    const reply = await t.slack.interaction(
      t.slack.viewButtonClick({
        user: ADMIN,
        view,
        actionId: 'setup_schedule_mode',
        blockId: 'schedule_mode',
        value: mode?.elements[0]?.value ?? '',
        state,
      }),
    );
    expect(reply.status).toBe(200);
    await t.app.idle();
  };

  it('asks a weekday and a time, offers a time-zone menu set to the admin’s own zone, and shows the threshold as a number', async () => {
    // A new survey, set up from a channel that has none yet, by an admin in New York.
    t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'America/New_York' });
    await run('setup', ADMIN, 'C0NEWTEAM');
    const view = setupView();
    const blocks = JSON.stringify(view.blocks);
    expect(blockIds()).toEqual(expect.arrayContaining(['pulse_day', 'pulse_time', 'timezone']));
    expect(blockIds()).not.toContain('pulse_cron');
    expect(blocks).toContain('"initial_time":"09:00"');
    expect(blocks).toContain('Advanced: a cron schedule');
    const zone = (view.blocks as { block_id?: string; element?: Record<string, unknown> }[]).find(
      (b) => b.block_id === 'timezone',
    )?.element as {
      type: string;
      option_groups: { label: { text: string }; options: { value: string }[] }[];
      initial_option: { value: string; text: { text: string } };
    };
    expect(zone.type).toBe('static_select');
    expect(zone.initial_option).toMatchObject({
      value: 'America/New_York',
      text: { text: 'New York City, Brooklyn, Queens · United States · GMT-5' },
    });
    const everyZone = zone.option_groups.flatMap((g) => g.options.map((o) => o.value));
    expect(everyZone).toEqual(
      expect.arrayContaining(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC']),
    );
    expect(Math.max(...zone.option_groups.map((g) => g.options.length))).toBeLessThanOrEqual(100);
    expect(blocks).toMatch(/"text":"3 people"/);
    expect(t.standIn.violations()).toEqual([]);
  });

  it('opens with the current settings, refuses bad input on its block, saves, reschedules and reopens with the saved values', async () => {
    t.app.scheduler.refresh();
    await run('setup', ADMIN);
    let blocks = JSON.stringify(setupView().blocks);
    expect(blocks).toContain('"initial_conversations":["C0LEADERS"]');
    expect(blocks).toContain('"initial_time":"09:00"');
    expect(blocks).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"Berlin, Hamburg, Munich · Germany · GMT+1"},"value":"Europe/Berlin"}',
    );

    const bad = await t.slack.interaction(
      submission({
        timezone: 'Mars/Base',
        reminder: '48',
        customText: 'Our OKR review includes both sides.',
        otherSide: 'marketing',
      }),
    );
    expect(bad.json).toMatchObject({
      response_action: 'errors',
      errors: {
        side_other: 'Choose the Product side or the Engineering side.',
        timezone:
          '"Mars/Base" is not a time zone. Use an IANA name such as Europe/Berlin or America/New_York.',
        reminder: expect.stringContaining(
          'A reminder 48 hours before closing needs the pulse open longer',
        ),
        custom_dimension: 'Choose the dimension your question measures.',
      },
    });
    expect((await getSurvey(t.app.ctx.db, survey.id))?.timezone).toBe('Europe/Berlin');

    // "Advanced": the day and time become cron expressions, carrying over what was chosen.
    await switchMode({
      pulse_day: { value: { type: 'static_select', selected_option: { value: '2' } } },
      pulse_time: { value: { type: 'timepicker', selected_time: '10:30' } },
      digest_day: { value: { type: 'static_select', selected_option: { value: '5' } } },
      digest_time: { value: { type: 'timepicker', selected_time: '16:00' } },
    });
    expect(blockIds()).toEqual(expect.arrayContaining(['pulse_cron', 'digest_cron', 'timezone']));
    expect(blockIds()).not.toContain('pulse_day');
    blocks = JSON.stringify(setupView().blocks);
    expect(blocks).toContain('"initial_value":"30 10 * * 2"');
    expect(blocks).toContain('Use a day and a time');
    const cron = await t.slack.interaction(submission({ pulseCron: '9am mondays' }));
    expect(cron.json).toMatchObject({
      response_action: 'errors',
      errors: { pulse_cron: expect.stringContaining('"9am mondays" has 2 fields, not 5.') },
    });
    const empty = await t.slack.interaction(submission({ pulseCron: '' }));
    expect(empty.json).toMatchObject({
      errors: { pulse_cron: expect.stringContaining('or choose "Use a day and a time"') },
    });
    // And back: a weekly cron returns as its day and time.
    await switchMode({
      pulse_cron: { value: { type: 'plain_text_input', value: '30 10 * * 2' } },
      digest_cron: { value: { type: 'plain_text_input', value: '0 16 * * 5' } },
    });
    expect(blockIds()).not.toContain('pulse_cron');
    blocks = JSON.stringify(setupView().blocks);
    expect(blocks).toContain('"initial_time":"10:30"');
    expect(blocks).toContain(
      '"initial_option":{"text":{"type":"plain_text","text":"Tuesday"},"value":"2"}',
    );

    const good = await t.slack.interaction(
      submission({
        customText: 'Our OKR review includes both sides.',
        customDimension: 'okrs',
        pausedUntil: '2026-12-07',
        programSide: 'product',
      }),
    );
    expect(good.json).toMatchObject({ response_action: 'update' });
    // Which disciplines make up each side, and that the change applies from the next pulse.
    expect(JSON.stringify(good.json)).toContain(
      '*Product side:* Product, Design, Program / TPM · *Engineering side:* Engineering, Other (from the next pulse).',
    );
    // The next pulse in each reader's own time, with the survey's time as the fallback.
    expect(JSON.stringify(good.json)).toMatch(
      /Next pulse: <!date\^\d+\^\{date_short_pretty\} at \{time\}\|Tue/,
    );
    expect(await getSurvey(t.app.ctx.db, survey.id)).toMatchObject({
      leadershipChannels: [LEADS],
      digestChannels: [EXEC],
      pulseCron: '30 10 * * 2',
      timezone: 'America/New_York',
      questionsPerPulse: 6,
      openHours: 48,
      delivery: 'dm',
      reminderHours: 12,
      anonymityThreshold: 4,
      pausedUntil: '2026-12-07T05:00:00.000Z',
      sides: { design: 'product', program: 'product', other: 'engineering' },
    });
    expect(
      await count(
        sql`SELECT count(*) AS n FROM questions WHERE survey_id IS NOT NULL AND dimension = 'okrs'`,
      ),
    ).toBe(1);
    // The schedule changed without a restart.
    expect(t.app.scheduler.describe()).toContainEqual({
      kind: 'pulse',
      surveyId: survey.id,
      pattern: '30 10 * * 2',
      timezone: 'America/New_York',
    });

    await run('setup', ADMIN);
    blocks = JSON.stringify(setupView().blocks);
    expect(blocks).toContain('"initial_time":"10:30"');
    expect(blocks).toContain('"value":"America/New_York"}');
    expect(blocks).toContain('"initial_date":"2026-12-07"');
    expect(blocks).toContain('"initial_conversations":["C0EXECS"]');
    const program = (
      setupView().blocks as { block_id?: string; element?: { initial_option?: unknown } }[]
    ).find((b) => b.block_id === 'side_program');
    expect(program?.element?.initial_option).toMatchObject({ value: 'product' });
    expect(t.standIn.violations()).toEqual([]);
  });

  it('opens a survey whose schedule needs cron in the advanced mode, with its expression', async () => {
    await runSql(
      t.app.ctx.db,
      sql`UPDATE surveys SET pulse_cron = '0 9 * * 1,4' WHERE id = ${survey.id}`,
    );
    await run('setup', ADMIN);
    expect(blockIds()).toContain('pulse_cron');
    expect(JSON.stringify(setupView().blocks)).toContain('"initial_value":"0 9 * * 1,4"');
  });
});

describe('the App Home', () => {
  async function openHome(user: string) {
    await t.slack.event({
      type: 'app_home_opened',
      user,
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1.2',
    });
    await t.app.idle();
    return JSON.stringify(t.standIn.homeViews.get(user) ?? {});
  }

  it('shows a leader the latest closed week, the largest gap, their open pulse and their discipline, and no setup', async () => {
    await seedWeeks();
    clock.now = new Date('2026-11-20T12:00:00Z');
    const closed = await openHome('U0E1');
    // The week as the digest tells it: the headline (the gap), then the scores.
    expect(closed).toContain('<#C0LEADERS> · the week of 16 Nov, the latest closed week');
    expect(closed).toContain(
      '*Product and Engineering are 53 points apart on tech debt (Product 83, Engineering 30, this week).*',
    );
    expect(closed).toContain('*Alignment index 64*. Scores: Shared goals 68, Tech debt 59.');
    expect(closed).toContain('*Your discipline:* Engineering · counts with the Engineering side');
    expect(closed).not.toContain('home_set_role');
  });

  it('shows the week before while a pulse is open, never the open one', async () => {
    await seedWeeks({ week47Open: true });
    clock.now = new Date('2026-11-18T12:00:00Z'); // the week-47 pulse is still open
    const home = await openHome('U0E1');
    // Week 46 alone: everyone answered 3 on shared goals.
    expect(home).toContain('*Alignment index 50*');
    expect(home).toContain('<#C0LEADERS> · the week of 9 Nov, the latest closed week');
    expect(home).not.toContain('Tech debt *');
    // Whose pulse, and its closing in the reader's own time.
    expect(home).toMatch(
      /<#C0LEADERS> · answered — you can still change your answers · open until <!date\^\d+\^\{date_short_pretty\} at \{time\}\|Thu 19 Nov at 09:00 \(Berlin time\)>/,
    );
    expect(home).toContain('*Your discipline:* Engineering');
    expect(home).not.toContain('Edit setup');
    expect(home).not.toMatch(/Design \*/);
  });

  it('shows an admin the setup with an Edit button and recent delivery problems', async () => {
    await seedWeeks();
    t.standIn.addChannel({ id: 'C0NOBOT', name: 'nobot', members: [], botIsMember: false });
    await runSql(
      t.app.ctx.db,
      sql`INSERT INTO survey_channels (survey_id, team_id, role, channel_id) VALUES (${survey.id}, ${survey.teamId}, 'digest', 'C0NOBOT')`,
    );
    const { postDigest } = await import('../../src/jobs/post-digest.js');
    await postDigest(t.app.ctx, (await getSurvey(t.app.ctx.db, survey.id)) as Survey, clock.now);
    const home = await openHome(ADMIN);
    expect(home).toContain('Edit setup');
    expect(home).toContain(
      '*Pulse:* Mondays at 09:00 Berlin time, 5 questions, open 72 h, in the channel, reminder 24 h before closing',
    );
    expect(home).toContain(
      '*Digest:* Fridays at 16:00 Berlin time · *Anonymity threshold:* 3 people',
    );
    expect(home).toContain(
      'could not post the digest in <#C0NOBOT> (`not_in_channel`). Invite the bot to <#C0NOBOT>',
    );
  });

  it('opens the setup form from "Edit setup" for an admin, and not for anyone else', async () => {
    const click = (user: string) => ({
      ...t.slack.buttonClick({
        user,
        channel: 'D0HOME',
        actionId: 'home_edit_setup',
        value: String(survey.id),
      }),
      container: { type: 'view', view_id: 'V1' },
    });
    await t.slack.interaction(click('U0P1'));
    await t.app.idle();
    expect(t.standIn.openedViews).toEqual([]);
    await t.slack.interaction(click(ADMIN));
    await t.app.idle();
    expect(t.standIn.openedViews.at(-1)?.view).toMatchObject({ callback_id: 'setup_submit' });
    expect(JSON.stringify(t.standIn.openedViews.at(-1)?.view)).toContain(
      '"initial_conversations":["C0LEADERS"]',
    );
  });

  it('sets the discipline once from the menu; a second choice from an old view changes nothing', async () => {
    expect(await openHome('U0D1')).toContain('home_set_role');
    const choose = (value: string) => ({
      ...t.slack.buttonClick({
        user: 'U0D1',
        channel: 'D0HOME',
        actionId: 'home_set_role',
        value: '',
      }),
      container: { type: 'view', view_id: 'V1' },
      actions: [
        {
          type: 'static_select',
          action_id: 'home_set_role',
          block_id: 'b',
          selected_option: { text: { type: 'plain_text', text: value }, value },
          action_ts: '1.2',
        },
      ],
    });
    await t.slack.interaction(choose('program'));
    await t.app.idle();
    const home = JSON.stringify(t.standIn.homeViews.get('U0D1'));
    expect(home).toContain('*Your discipline:* Program / TPM');
    expect(home).not.toContain('home_set_role');
    await t.slack.interaction(choose('design'));
    await t.app.idle();
    expect(JSON.stringify(t.standIn.homeViews.get('U0D1'))).toContain(
      '*Your discipline:* Program / TPM',
    );
  });
});

describe('bad input to every subcommand', () => {
  const long = 'x'.repeat(3000);
  it.each([
    ['score', 'score two', 'is not a number of weeks'],
    ['score', 'score 0', 'between 1 and 52 weeks'],
    ['score', 'score 4 4', 'more than I expected'],
    ['score', `score ${long}`, 'is not a number of weeks'],
    ['trend', 'trend 53', 'between 1 and 52 weeks'],
    ['trend', 'trend teck_debt', 'Did you mean Tech debt (`tech-debt`)?'],
    ['trend', 'trend okrs 4 extra', 'more than I expected'],
    ['trend', `trend ${long}`, "I don't know the dimension"],
    ['gap', 'gap now', 'more than I expected'],
    ['role', 'role', 'Say which discipline you are in'],
    ['role', 'role prodcut', 'Did you mean `product`?'],
    ['role', 'role 🙈', 'is not a discipline'],
    ['role', `role ${long}`, 'is not a discipline'],
    ['forget-me', 'forget-me please', 'more than I expected'],
    ['setup', 'setup everything', 'more than I expected'],
    ['pulse now', 'pulse later', 'type `/alignment pulse now`'],
    ['digest now', 'digest', 'type `/alignment digest now`'],
    ['export', 'export csv', 'more than I expected'],
    ['unknown', 'ｓｃｏｒｅ', "I don't know"],
    ['unknown', long, "I don't know"],
  ])('%s: "%s" gets a clear private answer and changes nothing', async (_name, text, message) => {
    await seedWeeks();
    const totals = () =>
      one(
        t.app.ctx.db,
        sql`SELECT (SELECT count(*) FROM discipline_changes) AS r, (SELECT count(*) FROM answers) AS a, (SELECT count(*) FROM surveys) AS s, (SELECT count(*) FROM pulses) AS p`,
      );
    const before = await totals();
    const answer = await run(text, ADMIN);
    expect(answer).toContain(message);
    expect(answer.length).toBeLessThan(4000);
    expect(await totals()).toEqual(before);
    expect(t.standIn.openedViews).toEqual([]);
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
