import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOrCreateSurvey, type Survey } from '../../src/storage/surveys.js';
import { run } from '../support/db.js';
import { foldRisks, readText } from '../support/presentation.js';
import { type Person, seedPulse } from '../support/seed.js';
import { BOT_USER_ID, TEAM_ID } from '../support/slack-stand-in.js';
import { commandAnswer, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A company with thirteen leadership teams, one survey each (one per product
 * area). One product leader sits in all of them (and, a leader counting in one
 * survey a week, answers area 1's); the admin runs them all.
 */
const ADMIN = 'U0ADMIN01';
const LEADER = 'U0LEADALL';
const AREAS = 13;
const channelOf = (n: number) => `C0AREA${String(n).padStart(2, '0')}`;
const teamOf = (n: number): Person[] => [
  ...['A', 'B', 'C'].map((x): Person => [`U0P${n}${x}`, 'product']),
  ...['A', 'B', 'C'].map((x): Person => [`U0E${n}${x}`, 'engineering']),
];
/** Who answers as the seventh, a product leader: the shared leader in area 1, the area's own elsewhere. */
const seventhOf = (n: number): Person => [n === 1 ? LEADER : `U0P${n}D`, 'product'];
/** Area 12 keeps its own threshold of 7: its 7 answers show, area 11's 7 would not at 8. */
const THRESHOLD_OF: Record<number, number> = { 11: 8, 12: 7 };

const clock = { now: new Date('2026-11-17T12:00:00Z') };
let t: TestApp;
const surveys: Survey[] = [];

beforeEach(async () => {
  t = await startTestApp({ now: () => clock.now, schedule: false, env: { ADMIN_USER_IDS: ADMIN } });
  t.standIn.addUser({ id: ADMIN, name: 'cpo', tz: 'Europe/Berlin' });
  t.standIn.addUser({ id: LEADER, name: 'lead', tz: 'Europe/Berlin' });
  surveys.length = 0;
  for (let n = 1; n <= AREAS; n++) {
    const team = teamOf(n);
    const seventh = seventhOf(n)[0];
    for (const [id] of team) t.standIn.addUser({ id, name: id.toLowerCase() });
    if (seventh !== LEADER) t.standIn.addUser({ id: seventh, name: seventh.toLowerCase() });
    t.standIn.addChannel({
      id: channelOf(n),
      name: `area-${n}`,
      members: [ADMIN, ...new Set([LEADER, seventh]), ...team.map(([id]) => id), BOT_USER_ID],
    });
    const survey = await findOrCreateSurvey(t.app.ctx.db, {
      teamId: TEAM_ID,
      channelId: channelOf(n),
      timezone: 'Europe/Berlin',
      createdBy: ADMIN,
    });
    const own = THRESHOLD_OF[n];
    if (own !== undefined)
      await run(
        t.app.ctx.db,
        sql`UPDATE surveys SET anonymity_threshold = ${own} WHERE id = ${survey.id}`,
      );
    surveys.push(survey);
    const invited = [...new Set([LEADER, seventh]), ...team.map(([id]) => id)];
    // Week 46, closed: area n's product leaders answer 4 or 5, engineering 2; area 13 has
    // only two answers, so nothing of it shows.
    const productValue = n % 2 === 0 ? 5 : 4;
    const answers =
      n === AREAS
        ? team.slice(0, 2).map((person) => ({ person, values: { 'tech_debt.real_capacity': 3 } }))
        : [
            { person: seventhOf(n), values: { 'tech_debt.real_capacity': 4 } },
            ...team.map((person) => ({
              person,
              values: { 'tech_debt.real_capacity': person[1] === 'product' ? productValue : 2 },
            })),
          ];
    await seedPulse(t.app.ctx, {
      teamId: TEAM_ID,
      surveyId: survey.id,
      due: '2026-11-09T08:00:00Z',
      invited,
      answers,
      closed: true,
    });
    // Week 47, open in twelve areas; the leader has answered area 1's already.
    if (n < AREAS)
      await seedPulse(t.app.ctx, {
        teamId: TEAM_ID,
        surveyId: survey.id,
        due: '2026-11-16T08:00:00Z',
        invited,
        answers: [
          ...(n === 1
            ? [{ person: [LEADER, 'product'] as Person, values: { 'okrs.same_direction': 4 } }]
            : []),
          { person: teamOf(n)[0] as Person, values: { 'okrs.same_direction': 4 } },
        ],
      });
  }
});
afterEach(async () => {
  expect(t.standIn.violations()).toEqual([]);
  await t.stop();
});

async function home(user: string) {
  await t.slack.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
  await t.app.idle();
  const view = t.standIn.homeViews.get(user) as { blocks: unknown[] } | undefined;
  return view?.blocks ?? [];
}

describe('a dozen surveys', () => {
  it('names the channel of every open pulse in a leader’s App Home, and says what was left out', async () => {
    const blocks = await home(LEADER);
    const text = readText(blocks);
    expect(blocks.length).toBeLessThanOrEqual(100);
    // Twelve open pulses: five with their button, each naming its channel, then the other seven.
    const lines = text.split('\n').filter((l) => l.includes('open until'));
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^<#C0AREA\d\d> · /);
    expect(lines.filter((l) => l.includes('answered — you can still change'))).toHaveLength(1);
    expect(text).toContain('And 7 more open pulses: ');
    for (let n = 1; n < AREAS; n++) expect(text).toContain(`<#${channelOf(n)}>`);
    expect(text).not.toContain(`<#${channelOf(AREAS)}> · waiting`);
    // Whose scores these are, and that the other twelve surveys are not shown here.
    expect(text).toMatch(/\*Latest scores\* · <#C0AREA\d\d> · the week of 9 Nov/);
    expect(text).toMatch(/\*Alignment index \d+\*/);
    expect(text).toContain('12 other surveys ask you too: `/alignment score` in each channel');
    expect(foldRisks(blocks)).toEqual([]);
  });

  it('gives an admin the org view: each survey’s index, trend and largest gap, one line each, its own threshold applied', async () => {
    const blocks = await home(ADMIN);
    const text = readText(blocks);
    expect(blocks.length).toBeLessThanOrEqual(100);
    expect(text).toContain('All surveys');
    const orgLines = text.split('\n').filter((l) => /^\*<#C0AREA\d\d>\*/.test(l));
    expect(orgLines).toHaveLength(AREAS);
    // Area 1: the leader and three product leaders at 4 (75), three engineers at 2 (25):
    // (4 × 75 + 3 × 25) / 7 = 53.6. Area 2: product at 5 (100): (75 + 300 + 75) / 7 = 64.3.
    const line = (n: number) => orgLines.find((l) => l.includes(`<#${channelOf(n)}>`)) ?? '';
    expect(line(1)).toBe(
      '*<#C0AREA01>* · index *54* · not enough data yet · largest gap: tech debt, 50 points, not enough data yet',
    );
    expect(line(2)).toContain('*<#C0AREA02>* · index *64*');
    expect(line(2)).toContain('largest gap: tech debt, 69 points');
    // Area 11 asks for 8 people and had 7: nothing shows. Area 12's 7 meet its 7.
    expect(line(11)).toBe('*<#C0AREA11>* · no scores yet');
    expect(line(12)).toContain('index *64*');
    expect(line(13)).toBe('*<#C0AREA13>* · no scores yet');
    // The setup list shows five and names the rest.
    expect(text).toContain('And 8 more surveys: ');
    for (let n = 1; n <= AREAS; n++)
      expect(text.split(`<#${channelOf(n)}>`).length).toBeGreaterThanOrEqual(3);
    expect(foldRisks(blocks)).toEqual([]);
  });

  it('answers `/alignment score all` for an admin with every survey, and refuses anyone else', async () => {
    const answer = await commandAnswer(t, {
      user: ADMIN,
      channel: channelOf(1),
      text: 'score all',
    });
    expect(answer).toMatchObject({ via: 'ack', response_type: 'ephemeral' });
    const blocks = answer.blocks;
    expect(blocks.length).toBeLessThanOrEqual(50);
    const text = readText(blocks);
    expect(text).toContain('*All 13 surveys* · the latest closed week of each');
    for (let n = 1; n <= AREAS; n++) expect(text).toContain(`*<#${channelOf(n)}>*`);
    expect(text).toContain('Each survey with its own anonymity threshold.');
    expect(foldRisks(blocks)).toEqual([]);

    expect(
      (await commandAnswer(t, { user: LEADER, channel: channelOf(1), text: 'score all' })).text,
    ).toContain('Only admins can see every survey side by side.');
  });
});
