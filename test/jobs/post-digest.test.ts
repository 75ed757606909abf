import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Discipline } from '../../src/domain/dimensions.js';
import { postDigest } from '../../src/jobs/post-digest.js';
import { findOrCreateSurvey, getSurvey, type Survey } from '../../src/storage/surveys.js';
import type { DataVisualizationBlock } from '../../src/views/digest.js';
import { codeSpans, colourRuleBreaks, foldRisks } from '../support/presentation.js';
import { seedPulse as seed } from '../support/seed.js';
import { TEAM_ID } from '../support/slack-stand-in.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

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

let t: TestApp;
let survey: Survey;
beforeEach(async () => {
  t = await startTestApp({ schedule: false });
  t.standIn.addChannel({ id: EXEC, name: 'execs', members: [] });
  t.standIn.addChannel({ id: LEADS, name: 'leadership', members: [] });
  const created = findOrCreateSurvey(t.app.ctx.db, {
    teamId: TEAM_ID,
    channelId: LEADS,
    timezone: 'Europe/Berlin',
    createdBy: 'U0ADMIN',
  });
  t.app.ctx.db.prepare("UPDATE survey_channels SET channel_id = ? WHERE role = 'digest'").run(EXEC);
  survey = getSurvey(t.app.ctx.db, created.id) as Survey;
});
afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

/**
 * Stores a pulse due at `due`, sent to all fifteen, with each given person's
 * answers and comment, closed (and so published) unless `open`.
 */
function seedPulse(
  due: string,
  answers: [string, Record<string, number>, string?][],
  { open = false } = {},
) {
  seed(t.app.ctx, {
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
function seedTwoWeeks() {
  seedPulse('2026-11-09T08:00:00.000Z', [
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
  seedPulse('2026-11-16T08:00:00.000Z', [
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
    seedTwoWeeks();
    const result = await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    expect(result.posted).toEqual([EXEC]);
    const { text, blocks } = digestText();
    // The top-level text carries the headline for clients that cannot draw the blocks.
    expect(text).toBe(
      'Alignment digest · week of 16 Nov: index 61, not enough data yet. Product and Engineering are 43 points apart on tech debt. Talk about tech debt at the next leadership sync.',
    );
    // Index: mean of Shared goals 72.7, Tech debt 59.1 and One roadmap 50.0 = 60.6.
    // Two weeks are never compared: a trend needs four closed weeks.
    expect(blocks).toContain('*Alignment index 61* · not enough data yet');
    // Shared goals: eight 4s, two 3s, one 5 = 72.7, 9 of 11 favorable.
    expect(blocks).toContain(
      '"text":"🟡 *Shared goals*"},{"type":"mrkdwn","text":"*73* · not enough data yet · 82% favorable"}',
    );
    // Tech debt ("pushed to next quarter", reversed): 4×100, 4×25, 3×50 = 59.1.
    expect(blocks).toContain(
      '"text":"🔴 *Tech debt*"},{"type":"mrkdwn","text":"*59* · not enough data yet · 36% favorable"}',
    );
    expect(blocks).toContain(
      '"text":"🔴 *One roadmap*"},{"type":"mrkdwn","text":"*50* · not enough data yet · 36% favorable"}',
    );
    expect(blocks).toContain('Not asked this week: Priorities, Customer value,');
    // Over the last 4 closed weeks (46 and 47), reversed, by side: the Product
    // side is the product leaders' eight 100s and the designers' four 50s =
    // 83.3; the Engineering side is the engineers' four 50s and four 25s and the
    // program lead's two 50s = 40: 43.3 apart, past the test on leaders.
    expect(blocks).toContain(
      '*Perception gap:* Product and Engineering are apart by about 43 points on tech debt handling: Engineering rates it lower than Product (Product 83, Engineering 40, last 4 weeks).',
    );
    expect(blocks).toContain('11 of 15 leaders answered (73%).');
    expect(blocks).toContain(
      '*Suggested topic for the next leadership sync: Tech debt.* Product and Engineering are apart by about 43 points on it.',
    );
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

  it('reads top to bottom as an exec takes it in: nothing folds, one colour rule, no code spans', async () => {
    seedTwoWeeks();
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const message = t.standIn.messagesIn(EXEC)[0];
    const blocks = (message?.blocks ?? []) as { type: string; text?: { text: string } }[];
    expect(foldRisks(blocks)).toEqual([]);
    expect(colourRuleBreaks(blocks)).toEqual([]);
    expect(codeSpans(blocks)).toEqual([]);
    // The order: title, takeaway, index, the dimensions, not asked, the gap, the
    // response, the comments, the topic, the legend (once), the chart.
    const kinds = blocks.map((b) => {
      const text = b.text?.text ?? JSON.stringify(b);
      if (b.type === 'header') return 'title';
      if (b.type === 'data_visualization') return 'chart';
      if (text.includes('"fields"')) return 'dimensions';
      if (text.startsWith('*Alignment index')) return 'index';
      if (text.includes('Not asked this week')) return 'not asked';
      if (text.startsWith('*Perception gap')) return 'gap';
      if (text.includes('leaders answered')) return 'response';
      if (text.startsWith('*What leaders said')) return 'comments';
      if (text.startsWith('*Suggested topic')) return 'topic';
      if (text.includes('Scores run from 0')) return 'legend';
      return 'takeaway';
    });
    expect(kinds).toEqual([
      'title',
      'takeaway',
      'index',
      'dimensions',
      'not asked',
      'gap',
      'response',
      'comments',
      'topic',
      'legend',
      'chart',
    ]);
    expect(JSON.stringify(blocks).match(/🟢 75 and up/g)).toHaveLength(1);
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
      seedPulse(
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
    expect(blocks).toContain(
      `"text":"🟢 *One roadmap*"},{"type":"mrkdwn","text":"*${Math.round(means.at(-1) ?? 0)}* · rose ${Math.round(slope * 7)} points over 8 weeks`,
    );

    // The tech-debt gap: Product minus Engineering over the 6 weeks before the
    // last 4, then over the last 4.
    const gap = (from: number, to: number) => {
      const rows = given.filter(
        (r) => r.question === 'tech_debt.real_capacity' && r.week >= from && r.week < to,
      );
      return (
        score(rows.filter((r) => r.discipline === 'product')) -
        score(rows.filter((r) => r.discipline === 'engineering'))
      );
    };
    const before = Math.round(gap(0, weeks - 4));
    const after = Math.round(gap(weeks - 4, weeks));
    expect(after).toBeGreaterThan(before);
    expect(blocks).toContain(
      `Product and Engineering are apart by about ${after} points on tech debt handling`,
    );
    expect(blocks).toContain(
      `, and the gap widened from ${before} to ${after} points over the last ${weeks} weeks.`,
    );
    // The takeaway names the largest change and what to talk about.
    expect(blocks).toContain(
      `*One roadmap rose ${Math.round(slope * 7)} points over 8 weeks, and the tech debt gap widened to ${after} points. Talk about tech debt at the next leadership sync.*`,
    );
  });

  it('posts once per week and channel, however often it runs', async () => {
    seedTwoWeeks();
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const again = await postDigest(t.app.ctx, survey, new Date('2026-11-21T09:00:00Z'));
    expect(again.posted).toEqual([]);
    expect(t.standIn.messagesIn(EXEC)).toHaveLength(1);
  });

  it('posts the chart as a picture when Slack refuses the chart block, and the text alone if that fails too', async () => {
    seedTwoWeeks();
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
    seedPulse('2026-11-23T08:00:00.000Z', [
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
    seedPulse(
      '2026-11-16T08:00:00.000Z',
      people.map(([id]) => [id, { 'okrs.same_direction': 5 }, `Comment from ${id}`]),
      { open: true },
    );
    const result = await postDigest(t.app.ctx, survey, new Date('2026-11-18T15:00:00Z'));
    expect(result).toMatchObject({ digest: undefined, posted: [] });
    expect(t.standIn.messagesIn(EXEC)).toHaveLength(0);
  });

  it('reads sensibly when nobody answered the closed pulse', async () => {
    seedPulse('2026-11-16T08:00:00.000Z', []);
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    expect(digestText().blocks).toContain('Nobody answered the pulse of the week of 16 Nov.');
    expect(digestText().blocks).toContain('0 of 15 leaders answered (0%).');
    expect(chartOf(t.standIn.messagesIn(EXEC)[0]?.blocks)).toBeUndefined();
    expect(t.standIn.uploads.size).toBe(0);
  });

  it('reads sensibly when too few answered, showing no score', async () => {
    seedPulse('2026-11-16T08:00:00.000Z', [
      ['U0D1', { 'okrs.same_direction': 2 }, 'Only two of us this week.'],
      ['U0D2', { 'okrs.same_direction': 4 }],
    ]);
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const { blocks } = digestText();
    expect(blocks).toContain(
      'Only 2 leaders answered in the week of 16 Nov. Scores show once 3 or more answer',
    );
    expect(blocks).toContain('2 of 15 leaders answered (13%).');
    expect(blocks).not.toContain('Only two of us this week.');
    expect(blocks).not.toContain('Alignment index');
    expect(blocks).not.toContain('Shared goals');
  });

  it('reads sensibly for the very first pulse', async () => {
    seedPulse(
      '2026-11-16T08:00:00.000Z',
      people.slice(0, 12).map(([id]) => [id, { 'roadmap.one_plan': 4 }]),
    );
    await postDigest(t.app.ctx, survey, new Date('2026-11-20T15:00:00Z'));
    const { blocks } = digestText();
    expect(blocks).toContain(
      '*The first week with scores: trends start after 4 closed weeks. Talk about one roadmap at the next leadership sync.*',
    );
    expect(blocks).toContain('"text":"*Alignment index 75*"');
    expect(blocks).toContain(
      '*Perception gap:* Product and Engineering rate roadmap alignment the same (Product 75, Engineering 75, last 4 weeks).',
    );
    expect(blocks).toContain(
      '*Suggested topic for the next leadership sync: One roadmap.* It has the lowest score this week.',
    );
  });
});
