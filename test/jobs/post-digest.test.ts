import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Discipline } from '../../src/domain/dimensions.js';
import { postDigest } from '../../src/jobs/post-digest.js';
import { findOrCreateSurvey, getSurvey, type Survey } from '../../src/storage/surveys.js';
import type { DataVisualizationBlock } from '../../src/views/digest.js';
import { run } from '../support/db.js';
import {
  codeSpans,
  colourDots,
  foldRisks,
  PHONE_SCREEN,
  phoneHeight,
} from '../support/presentation.js';
import { seedPulse as seed } from '../support/seed.js';
import { TEAM_ID } from '../support/slack-stand-in.js';
import { pinnedClock, startTestApp, type TestApp } from '../support/test-app.js';

const EXEC = 'C0EXECS';
const LEADS = 'C0LEADERS';
const people: [string, Discipline][] = [
  ...['P1', 'P2', 'P3', 'P4', 'P5', 'P6'].map((id): [string, Discipline] => [`U0${id}`, 'product']),
  ...['E1', 'E2', 'E3', 'E4', 'E5', 'E6'].map((id): [string, Discipline] => [
    `U0${id}`,
    'engineering',
  ]),
  ['U0D1', 'design'],
  ['U0D2', 'design'],
  ['U0G1', 'program'],
];

const clock = pinnedClock('2026-11-20T15:00:00Z');
let t: TestApp;
let survey: Survey;
beforeEach(async () => {
  // Friday of the week of 16 Nov, at the default digest time (16:00 in Berlin).
  t = await startTestApp({ now: () => clock.now, schedule: false });
  t.standIn.addChannel({ id: EXEC, name: 'execs', members: [] });
  t.standIn.addChannel({ id: LEADS, name: 'leadership', members: [] });
  const created = await findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: LEADS,
    timezone: 'Europe/Berlin',
    createdBy: 'U0ADMIN',
  });
  await run(
    t.app.ctx.db,
    sql`UPDATE survey_channels SET channel_id = ${EXEC} WHERE role = 'digest'`,
  );
  survey = (await getSurvey(t.app.ctx.db, created.id)) as Survey;
});
afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

/**
 * Stores a pulse due at `due`, sent to all fifteen, with each given person's
 * answers and comment, closed (and so published) unless `open`.
 */
async function seedPulse(
  due: string,
  answers: [string, Record<string, number>, string?][],
  { open = false } = {},
) {
  await seed(t.app.ctx, {
    teamId: TEAM_ID,
    surveyId: survey.id,
    due,
    closed: !open,
    invited: people.map(([id]) => id),
    answers: answers.map(([userId, values, comment]) => ({
      person: [userId, people.find(([id]) => id === userId)?.[1] ?? 'other'],
      values,
      ...(comment === undefined ? {} : { comment }),
    })),
  });
}

const product = ['U0P1', 'U0P2', 'U0P3', 'U0P4'];
const engineering = ['U0E1', 'U0E2', 'U0E3', 'U0E4'];

/** Week 46 and week 47 of 2026, hand-computed in the comments of the test below. */
async function seedTwoWeeks() {
  await seedPulse('2026-11-09T08:00:00.000Z', [
    ...product.map((id): [string, Record<string, number>] => [
      id,
      { 'okrs.same_direction': 3, 'tech_debt.next_quarter': 1 },
    ]),
    ...engineering.map((id): [string, Record<string, number>] => [
      id,
      { 'okrs.same_direction': 3, 'tech_debt.next_quarter': 3 },
    ]),
    ['U0D1', { 'okrs.same_direction': 3, 'tech_debt.next_quarter': 3 }],
    ['U0D2', { 'okrs.same_direction': 3, 'tech_debt.next_quarter': 3 }],
    [
      'U0G1',
      { 'okrs.same_direction': 3, 'tech_debt.next_quarter': 3 },
      'An older comment from week 46.',
    ],
  ]);
  await seedPulse('2026-11-16T08:00:00.000Z', [
    ...product.map((id, i): [string, Record<string, number>, string?] => [
      id,
      { 'okrs.same_direction': 4, 'tech_debt.next_quarter': 1, 'roadmap.one_plan': 4 },
      i < 2
        ? `Product comment ${i + 1}: the <!channel> roadmap review helped & focused us.`
        : undefined,
    ]),
    ...engineering.map((id, i): [string, Record<string, number>, string?] => [
      id,
      { 'okrs.same_direction': 4, 'tech_debt.next_quarter': 4, 'roadmap.one_plan': 2 },
      i === 0 ? 'Engineering comment: refactoring keeps slipping.' : undefined,
    ]),
    ['U0D1', { 'okrs.same_direction': 3, 'tech_debt.next_quarter': 3, 'roadmap.one_plan': 3 }],
    ['U0D2', { 'okrs.same_direction': 3, 'tech_debt.next_quarter': 3, 'roadmap.one_plan': 3 }],
    ['U0G1', { 'okrs.same_direction': 5, 'tech_debt.next_quarter': 3, 'roadmap.one_plan': 3 }],
  ]);
}

/** The native chart block of a posted message, if it has one. */
const chartOf = (blocks: unknown) =>
  ((blocks ?? []) as DataVisualizationBlock[]).find((b) => b.type === 'data_visualization');

const digestText = () => {
  const message = t.standIn.messagesIn(EXEC)[0];
  return { text: message?.text ?? '', blocks: JSON.stringify(message?.blocks ?? []) };
};

describe('postDigest', () => {
  it('posts the numbers the answers give, in words a CEO reads, with the chart', async () => {
    await seedTwoWeeks();
    const result = await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    expect(result.posted).toEqual([EXEC]);
    const { text, blocks } = digestText();
    // The top-level text carries the headline for clients that cannot draw the blocks.
    expect(text).toBe(
      'Alignment digest · week of 16 Nov: index 61. Product and Engineering are 43 points apart on tech debt (Product 83, Engineering 40, last 2 weeks).',
    );
    // Over the last 4 closed weeks (46 and 47), reversed, by side: the Product
    // side is the product leaders' eight 100s and the designers' four 50s =
    // 83.3; the Engineering side is the engineers' four 50s and four 25s and the
    // program lead's two 50s = 40: 83 − 40 = 43 apart, past the test on leaders.
    // The headline first, and the only place the gap's numbers are said.
    expect(blocks).toContain(
      '"text":"*Product and Engineering are 43 points apart on tech debt (Product 83, Engineering 40, last 2 weeks).*"',
    );
    expect(blocks.match(/43 points/g)).toHaveLength(1);
    // Index: mean of Shared goals 72.7, Tech debt 59.1 and One roadmap 50.0 = 60.6.
    // Shared goals: eight 4s, two 3s, one 5 = 72.7. Tech debt ("pushed to next
    // quarter", reversed): 4×100, 4×25, 3×50 = 59.1. One number each, and no
    // trend on two weeks: said once, with why.
    expect(blocks).toContain(
      '*Alignment index 61*. Scores: Shared goals 73, One roadmap 50, Tech debt 59. Too early for trends: 2 closed weeks so far, and a trend needs 4. Not asked: Priorities, Customer value, One voice, Interrupts, Shared why, Ownership.',
    );
    expect(blocks).not.toMatch(/favorable|🟢|🟡|🔴/);
    expect(blocks).toContain('11 of 15 answered (73%).');
    expect(blocks).toContain('*Next sync: tech debt*, the widest gap.');
    // Up to three comments of the week, inert (no @channel), none from week 46.
    expect(blocks).toContain('&lt;!channel&gt; roadmap review helped &amp; focused us.');
    expect(blocks).toContain('Engineering comment: refactoring keeps slipping.');
    expect(blocks).not.toContain('An older comment from week 46.');
    // The two designers are never shown on their own.
    expect(blocks).not.toMatch(/Design/);

    // Slack's own chart, no picture: the index and both sides of the featured gap.
    const chart = chartOf(t.standIn.messagesIn(EXEC)[0]?.blocks);
    expect(chart?.title).toBe('Index and the tech debt gap, 12 weeks');
    expect(chart?.chart.axis_config.categories).toHaveLength(12);
    expect(chart?.chart.axis_config.categories.slice(-2)).toEqual(['9 Nov', '16 Nov']);
    expect(chart?.chart.series).toEqual([
      {
        name: 'Alignment index',
        data: [
          { label: '9 Nov', value: 59 },
          { label: '16 Nov', value: 61 },
        ],
      },
      {
        name: 'Product side',
        data: [
          { label: '9 Nov', value: 83 },
          { label: '16 Nov', value: 83 },
        ],
      },
      {
        name: 'Engineering side',
        data: [
          { label: '9 Nov', value: 50 },
          { label: '16 Nov', value: 30 },
        ],
      },
    ]);
    expect(t.standIn.uploads.size).toBe(0);
  });

  it('reads top to bottom as an exec takes it in: the headline first, nothing folds, no colour, no code spans', async () => {
    await seedTwoWeeks();
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const message = t.standIn.messagesIn(EXEC)[0];
    const blocks = (message?.blocks ?? []) as { type: string; text?: { text: string } }[];
    expect(foldRisks(blocks)).toEqual([]);
    // No colour that could flip on noise: a score's words say whether it moved.
    expect(colourDots(blocks)).toEqual([]);
    expect(codeSpans(blocks)).toEqual([]);
    // The order: title, headline, scores, comments, the topic and its button, who
    // answered with the legend (once), the chart.
    const kinds = blocks.map((b) => {
      const text = b.text?.text ?? JSON.stringify(b);
      if (b.type === 'header') return 'title';
      if (b.type === 'data_visualization') return 'chart';
      if (b.type === 'actions') return 'button';
      if (text.startsWith('*Alignment index')) return 'scores';
      if (text.startsWith('*What leaders said')) return 'comments';
      if (text.startsWith('*Next sync')) return 'topic';
      if (text.includes('answered (')) return 'response and legend';
      return 'headline';
    });
    expect(kinds).toEqual([
      'title',
      'headline',
      'scores',
      'comments',
      'topic',
      'button',
      'response and legend',
      'chart',
    ]);
    expect(JSON.stringify(blocks).match(/Scores run 0–100/g)).toHaveLength(1);
    expect(phoneHeight(blocks)).toBeLessThanOrEqual(1.5 * PHONE_SCREEN);
  });

  it('says what rose over 8 weeks and which gap widened, with the numbers of the published cells', async () => {
    // Ten weekly pulses, twelve leaders: One roadmap climbs for everyone; on tech
    // debt Product grows happier and Engineering unhappier. Each leader's own
    // wobble (−0.8 to 0.8) keeps the answers apart.
    const leaders = people.filter(([, d]) => d === 'product' || d === 'engineering');
    const wobble = (i: number, w: number) => (((i * 7 + w * 3) % 5) - 2) * 0.4;
    const clamp = (v: number) => Math.min(5, Math.max(1, Math.round(v)));
    const weeks = 10;
    const given: { week: number; discipline: Discipline; question: string; value: number }[] = [];
    for (let w = 0; w < weeks; w++) {
      const due = new Date(Date.parse('2026-09-14T08:00:00Z') + w * 7 * 86_400_000).toISOString();
      await seedPulse(
        due,
        leaders.map(([id, discipline], i) => {
          const sign = discipline === 'product' ? 1 : -1;
          const values = {
            'roadmap.one_plan': clamp(2 + 0.3 * w + wobble(i, w)),
            'tech_debt.real_capacity': clamp(3 + sign * 0.2 * w + wobble(i + 3, w)),
          };
          for (const [question, value] of Object.entries(values))
            given.push({ week: w, discipline, question, value });
          return [id, values];
        }),
      );
    }
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const { blocks } = digestText();

    // Worked here from the answers alone: each week's mean, then a straight line
    // through the last 8 weeks; the change is its slope times 7 weeks.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const score = (rows: typeof given) => mean(rows.map((r) => (r.value - 1) * 25));
    const recent = Array.from({ length: 8 }, (_, k) => weeks - 8 + k);
    const means = recent.map((w) =>
      score(given.filter((r) => r.week === w && r.question === 'roadmap.one_plan')),
    );
    const tBar = mean(recent);
    const mBar = mean(means);
    const slope =
      recent.reduce((a, w, k) => a + (w - tBar) * ((means[k] ?? 0) - mBar), 0) /
      recent.reduce((a, w) => a + (w - tBar) ** 2, 0);
    const rise = Math.round(slope * 7);
    const roadmapNow = Math.round(means.at(-1) ?? 0);

    // The tech-debt gap: the Product side minus the Engineering side over the 6
    // weeks before the last 4, then over the last 4, as the numbers shown.
    const side = (from: number, to: number, discipline: Discipline) =>
      score(
        given.filter(
          (r) =>
            r.question === 'tech_debt.real_capacity' &&
            r.week >= from &&
            r.week < to &&
            r.discipline === discipline,
        ),
      );
    const before = Math.round(side(0, weeks - 4, 'product') - side(0, weeks - 4, 'engineering'));
    const product = Math.round(side(weeks - 4, weeks, 'product'));
    const engineering = Math.round(side(weeks - 4, weeks, 'engineering'));
    const after = product - engineering;
    expect(after).toBeGreaterThan(before);
    // The headline says both, each once, with the numbers of the published cells.
    expect(blocks).toContain(
      `"text":"*One roadmap rose ${rise} points over 8 weeks, to ${roadmapNow}; the tech debt gap widened from ${before} to ${after} points over ${weeks} weeks (Product ${product}, Engineering ${engineering}, last 4 weeks).*"`,
    );
    expect(blocks.match(new RegExp(`${rise} points`, 'g'))).toHaveLength(1);
    // The rest grouped, one number each.
    expect(blocks).toMatch(/No clear change on the other 1: Tech debt \d+\./);
  });

  it('posts once per week and channel, however often it runs', async () => {
    await seedTwoWeeks();
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const again = await postDigest(t.app.ctx, survey, new Date('2026-11-21T09:00:00Z'));
    expect(again.posted).toEqual([]);
    expect(t.standIn.messagesIn(EXEC)).toHaveLength(1);
  });

  it('posts the chart as a picture when Slack refuses the chart block, and the text alone if that fails too', async () => {
    await seedTwoWeeks();
    t.standIn.refusedBlockTypes.add('data_visualization');
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const posts = t.standIn.callsTo('chat.postMessage');
    expect(posts.map((c) => c.response.error ?? 'ok')).toEqual(['invalid_blocks', 'ok']);
    const message = t.standIn.messagesIn(EXEC)[0];
    expect(chartOf(message?.blocks)).toBeUndefined();
    expect(JSON.stringify(message?.blocks)).toContain('*Alignment index 61*');
    const upload = [...t.standIn.uploads.values()][0];
    expect(upload).toMatchObject({ channel: EXEC, title: 'Index and the tech debt gap, 12 weeks' });
    expect(upload?.bytes?.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(t.logs.some((l) => l.includes('Slack refused the native chart'))).toBe(true);

    // Next week, the upload fails as well: the digest still goes out, and it is logged.
    await seedPulse('2026-11-23T08:00:00.000Z', [
      ...product.map((id): [string, Record<string, number>] => [id, { 'okrs.same_direction': 4 }]),
      ...engineering.map((id): [string, Record<string, number>] => [
        id,
        { 'okrs.same_direction': 4 },
      ]),
    ]);
    t.standIn.inject('files.getUploadURLExternal', { error: 'invalid_arguments' }, 5);
    const result = await postDigest(t.app.ctx, survey, new Date('2026-11-27T15:00:00Z'));
    expect(result.posted).toEqual([EXEC]);
    expect(t.standIn.messagesIn(EXEC)).toHaveLength(2);
    expect(t.logs.some((l) => l.includes('the digest went out without its chart'))).toBe(true);
  });

  it('posts nothing before a pulse has closed, and never a pulse still open', async () => {
    await seedPulse(
      '2026-11-16T08:00:00.000Z',
      people.map(([id]) => [id, { 'okrs.same_direction': 5 }, `Comment from ${id}`]),
      { open: true },
    );
    const result = await postDigest(t.app.ctx, survey, new Date('2026-11-18T15:00:00Z'));
    expect(result).toMatchObject({ digest: undefined, posted: [] });
    expect(t.standIn.messagesIn(EXEC)).toHaveLength(0);
  });

  it('reads sensibly when nobody answered the closed pulse', async () => {
    await seedPulse('2026-11-16T08:00:00.000Z', []);
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    expect(digestText().blocks).toContain('Nobody answered the pulse of the week of 16 Nov.');
    expect(digestText().blocks).toContain('0 of 15 answered (0%).');
    expect(chartOf(t.standIn.messagesIn(EXEC)[0]?.blocks)).toBeUndefined();
    expect(t.standIn.uploads.size).toBe(0);
  });

  it('reads sensibly when too few answered, showing no score', async () => {
    await seedPulse('2026-11-16T08:00:00.000Z', [
      ['U0D1', { 'okrs.same_direction': 2 }, 'Only two of us this week.'],
      ['U0D2', { 'okrs.same_direction': 4 }],
    ]);
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const { blocks } = digestText();
    expect(blocks).toContain(
      'Only 2 leaders answered in the week of 16 Nov. Scores show once 3 or more answer',
    );
    expect(blocks).toContain('2 of 15 answered (13%).');
    expect(blocks).not.toContain('Only two of us this week.');
    expect(blocks).not.toContain('Alignment index');
    expect(blocks).not.toContain('Shared goals');
  });

  it('reads sensibly for the very first pulse', async () => {
    await seedPulse(
      '2026-11-16T08:00:00.000Z',
      people.slice(0, 12).map(([id]) => [id, { 'roadmap.one_plan': 4 }]),
    );
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const { blocks } = digestText();
    expect(blocks).toContain(
      '"text":"*The first week with scores: trends start after 4 closed weeks.*"',
    );
    expect(blocks).toContain('*Alignment index 75*. Scores: One roadmap 75.');
    expect(blocks).toContain(
      '*Perception gap* · largest on roadmap alignment: Product 75, Engineering 75 this week, too few leaders yet to call.',
    );
    expect(blocks).toContain('*Next sync: one roadmap*, the lowest score.');
  });
});
