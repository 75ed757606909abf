import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import { buildDigest } from '../../src/domain/digest.js';
import {
  DEFAULT_SIDES,
  DIMENSION_LABELS,
  DIMENSIONS,
  type Dimension,
  SIDES,
  type Side,
  sideOf,
} from '../../src/domain/dimensions.js';
import { closedWeeks } from '../../src/reports/published.js';
import { all } from '../support/db.js';
import {
  colourDots,
  foldRisks,
  PHONE_SCREEN,
  phoneHeight,
  readText,
} from '../support/presentation.js';
import {
  ADMIN,
  AGREEMENT_OWNERS,
  AGREEMENT_TEXT,
  AGREEMENT_WEEK,
  type Answer,
  COMMENTS,
  DESIGNERS_ONLY_WEEK,
  EXEC,
  LEADERS,
  LEADERSHIP,
  type QuarterResult,
  runQuarter,
  WEEKS,
} from '../support/quarter.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A quarter through the real app: 12 weekly pulses, opened, reminded and closed
 * by the scheduler, answered through the button and the form. The digest's
 * numbers are checked against values computed here, from the answers alone.
 */

const clock = { now: new Date('2026-10-01T09:00:00Z') };
let t: TestApp;
let quarter: QuarterResult;

const reversed = new Map(CATALOGUE.map((q) => [q.id, q.reversed]));
const dimensionOf = new Map(CATALOGUE.map((q) => [q.id, q.dimension]));
/** The score of a set of answers, computed from scratch: 1 → 0 … 5 → 100, reversed questions flipped. */
const scoreOf = (answers: Answer[]) =>
  answers.reduce(
    (sum, a) => sum + ((reversed.get(a.questionId) ? 6 - a.value : a.value) - 1) * 25,
    0,
  ) / answers.length;

/** The side a leader counts with: Design with Product, Program / TPM with Engineering. */
const sideOfAnswer = (a: Answer): Side => sideOf(a.discipline, DEFAULT_SIDES);
/** Whether both sides had 3 or more people answering tech debt in a week: then both are published. */
const bothSidesShown = (week: number) =>
  SIDES.every(
    (side) =>
      new Set(
        quarter.answers
          .filter(
            (a) =>
              a.week === week &&
              sideOfAnswer(a) === side &&
              dimensionOf.get(a.questionId) === 'tech_debt',
          )
          .map((a) => a.userId),
      ).size >= 3,
  );

/**
 * The Product side's and the Engineering side's tech-debt scores over weeks
 * [from, to), answers pooled over the weeks both sides were published.
 */
const techDebtGap = (from: number, to: number) => {
  const of = (side: Side) =>
    scoreOf(
      quarter.answers.filter(
        (a) =>
          a.week >= from &&
          a.week < to &&
          bothSidesShown(a.week) &&
          sideOfAnswer(a) === side &&
          dimensionOf.get(a.questionId) === 'tech_debt',
      ),
    );
  return { product: of('product'), engineering: of('engineering') };
};

const digests = () =>
  t.standIn.messagesIn(EXEC).filter((m) => m.text.startsWith('Alignment digest'));

describe.each([
  { mode: 'HTTP', socketMode: false },
  { mode: 'Socket Mode', socketMode: true },
])('a quarter of Alignment Pulse over $mode', ({ socketMode }) => {
  beforeAll(async () => {
    clock.now = new Date('2026-10-01T09:00:00Z');
    // Logging at its most verbose: the privacy checks below read every line.
    t = await startTestApp({
      now: () => clock.now,
      schedule: false,
      socketMode,
      env: { ADMIN_USER_IDS: ADMIN, LOG_LEVEL: 'debug' },
    });
    quarter = await runQuarter(t, clock);
  }, 120_000);
  afterAll(async () => {
    await t.stop();
  });

  it('posted twelve pulses, twelve digests and one reminder round a week, all passing Slack’s checks', () => {
    expect(t.standIn.violations()).toEqual([]);
    const pulses = t.standIn
      .messagesIn(LEADERSHIP)
      .filter((m) => m.text.startsWith('The alignment pulse') || m.text.startsWith('Closed'));
    expect(pulses).toHaveLength(WEEKS);
    expect(pulses.every((m) => m.text.startsWith('Closed —'))).toBe(true);
    expect(digests()).toHaveLength(WEEKS);
    // One reminder each week to each person who had not answered that week, and none to the others.
    for (const person of [ADMIN, ...LEADERS.map((l) => l.id)]) {
      const weeksMissed = Array.from({ length: WEEKS }, (_, week) => week).filter(
        (week) => !quarter.answers.some((a) => a.week === week && a.userId === person),
      ).length;
      const dm = t.standIn.dmChannelOf(person);
      const reminders = dm === undefined ? [] : t.standIn.messagesIn(dm);
      expect(reminders.filter((m) => m.text.startsWith('Reminder:'))).toHaveLength(weeksMissed);
    }
  });

  it("gives the last digest's numbers as computed independently from the answers", () => {
    const last = quarter.answers.filter((a) => a.week === WEEKS - 1);
    const blocks = JSON.stringify(digests().at(-1)?.blocks);
    const byDimension = (d: Dimension) => last.filter((a) => dimensionOf.get(a.questionId) === d);
    const asked = DIMENSIONS.filter((d) => byDimension(d).length > 0);
    // Each dimension's score beside its name: in the story when it moved, else in the index line.
    for (const d of asked) {
      const score = Math.round(scoreOf(byDimension(d)));
      expect(blocks).toMatch(
        new RegExp(
          `${DIMENSION_LABELS[d]}( ${score}[,.]| rose \\d+ points over \\d+ weeks, to ${score}[;.])`,
        ),
      );
    }
    const index = asked.reduce((sum, d) => sum + scoreOf(byDimension(d)), 0) / asked.length;
    expect(blocks).toContain(`*Alignment index ${Math.round(index)}*`);
    // The gap is over the last 4 closed weeks, Product's and Engineering's answers pooled.
    const { product, engineering } = techDebtGap(WEEKS - 4, WEEKS);
    expect(blocks).toContain(
      ` to ${Math.round(product - engineering)} points over 12 weeks (Product ${Math.round(product)}, Engineering ${Math.round(engineering)}, last 4 weeks)`,
    );
    const respondents = new Set(last.map((a) => a.userId)).size;
    expect(blocks).toContain(`${respondents} of ${LEADERS.length + 1} answered (`);
  });

  it('says the story in its own words: One roadmap rose, the tech-debt gap widened', () => {
    const blocks = JSON.stringify(digests().at(-1)?.blocks);
    // One roadmap over the last 8 weeks, worked here from the answers: each week's
    // score per statement (its level taken out: roadmap rotates three statements),
    // a straight line through them weighted by answers, its slope times 7 weeks.
    const cells = new Map<string, { week: number; statement: string; values: number[] }>();
    for (const a of quarter.answers) {
      if (dimensionOf.get(a.questionId) !== 'roadmap' || a.week < WEEKS - 8) continue;
      if (a.week === DESIGNERS_ONLY_WEEK) continue; // two people: never published
      const key = `${a.week}|${a.questionId}`;
      const cell = cells.get(key) ?? { week: a.week, statement: a.questionId, values: [] };
      cell.values.push((reversed.get(a.questionId) ? 6 - a.value : a.value) - 1);
      cells.set(key, cell);
    }
    const points = [...cells.values()].map((c) => ({
      statement: c.statement,
      week: c.week,
      n: c.values.length,
      score: (c.values.reduce((x, v) => x + v, 0) / c.values.length) * 25,
    }));
    let sxx = 0;
    let sxy = 0;
    for (const statement of new Set(points.map((p) => p.statement))) {
      const own = points.filter((p) => p.statement === statement);
      const n = own.reduce((x, p) => x + p.n, 0);
      const t = own.reduce((x, p) => x + p.week * p.n, 0) / n;
      const y = own.reduce((x, p) => x + p.score * p.n, 0) / n;
      for (const p of own) {
        sxx += p.n * (p.week - t) ** 2;
        sxy += p.n * (p.week - t) * (p.score - y);
      }
    }
    const rise = Math.round((sxy / sxx) * 7);
    expect(rise).toBeGreaterThanOrEqual(20);
    // The tech-debt gap: the weeks before the last 4, then the last 4.
    const before = techDebtGap(0, WEEKS - 4);
    const after = techDebtGap(WEEKS - 4, WEEKS);
    // The headline, first thing on the phone, says both with these numbers.
    const headline = (digests().at(-1)?.blocks ?? [])[1] as { text?: { text: string } };
    expect(headline.text?.text).toBe(
      `*One roadmap rose ${rise} points over 8 weeks, to 85; the tech debt gap widened from ${Math.round(before.product - before.engineering)} to ${Math.round(after.product - after.engineering)} points over 12 weeks (Product ${Math.round(after.product)}, Engineering ${Math.round(after.engineering)}, last 4 weeks).*`,
    );
    // What to talk about follows from it.
    expect(blocks).toContain('*Next sync: tech debt*, the widest gap.');
    // Taken in at a glance on a phone: about 1.5 screens (measured 1.55 with the
    // chart), nothing folded, no colour that flips on noise, each figure said once.
    const last = digests().at(-1)?.blocks ?? [];
    expect(phoneHeight(last)).toBeLessThanOrEqual(1.6 * PHONE_SCREEN);
    expect(foldRisks(last)).toEqual([]);
    expect(colourDots(last)).toEqual([]);
    const read = readText(last);
    expect(read.split(`${rise} points`)).toHaveLength(2);
    expect(read.match(/no clear change/gi)?.length ?? 0).toBeLessThanOrEqual(2);
    // The chart tells the same story: the index and both sides of the tech-debt gap.
    const chart = (
      (digests().at(-1)?.blocks ?? []) as { type: string; chart?: { series: { name: string }[] } }[]
    ).find((b) => b.type === 'data_visualization');
    expect(chart?.chart?.series.map((x) => x.name)).toEqual([
      'Alignment index',
      'Product side',
      'Engineering side',
    ]);
  });

  it('follows up the agreement recorded after the sixth digest, with numbers worked out here', async () => {
    const blocks = JSON.stringify(digests().at(-1)?.blocks);
    // Before: the 4 closed weeks up to it (weeks 3–6); since: every closed week after it.
    const before = techDebtGap(AGREEMENT_WEEK - 3, AGREEMENT_WEEK + 1);
    const since = techDebtGap(AGREEMENT_WEEK + 1, WEEKS);
    const techDebt = (from: number, to: number) =>
      scoreOf(
        quarter.answers.filter(
          (a) =>
            a.week >= from &&
            a.week < to &&
            a.week !== DESIGNERS_ONLY_WEEK &&
            dimensionOf.get(a.questionId) === 'tech_debt',
        ),
      );
    const gapThen = Math.round(before.product - before.engineering);
    const gapNow = Math.round(since.product - since.engineering);
    expect(gapNow).toBeGreaterThan(gapThen + 10);
    expect(blocks).toContain(
      `*Tech debt* — “${AGREEMENT_TEXT}” · <@${AGREEMENT_OWNERS.product}> and <@${AGREEMENT_OWNERS.engineering}> · review Fri 8 Jan`,
    );
    expect(blocks).toContain(
      `Since 13 Nov (${WEEKS - AGREEMENT_WEEK - 1} weeks): gap ${gapThen} → ${gapNow}, widened; score ${Math.round(techDebt(AGREEMENT_WEEK - 3, AGREEMENT_WEEK + 1))} → ${Math.round(techDebt(AGREEMENT_WEEK + 1, WEEKS))}, no clear change.`,
    );
    // Each owner: one DM when it was recorded, one review on its day (11 Dec), kept going to 8 Jan.
    for (const owner of Object.values(AGREEMENT_OWNERS)) {
      const dm = t.standIn.dmChannelOf(owner);
      const texts = (dm === undefined ? [] : t.standIn.messagesIn(dm)).map((m) => m.text);
      expect(texts.filter((x) => x.startsWith('You own an agreement'))).toHaveLength(1);
      expect(texts.filter((x) => x.startsWith('Time to review'))).toHaveLength(1);
    }
    expect(
      await all(t.app.ctx.db, sql`SELECT status, review_on AS "reviewOn" FROM agreements`),
    ).toEqual([{ status: 'open', reviewOn: '2027-01-08' }]);
    // The review the owners decided on stated the gap then and now, the number it exists for.
    const review = t.standIn
      .messagesIn(t.standIn.dmChannelOf(AGREEMENT_OWNERS.product) ?? '')
      .find((m) => m.text.startsWith('Time to review'));
    expect(review?.text).toMatch(/” Since 13 Nov \(\d+ weeks\): gap \d+ → \d+, widened;/);
    expect(review?.text).not.toContain('not shown');
  });

  it('tells the story: roadmap alignment improves and the tech-debt gap widens', () => {
    const roadmap = (week: number) =>
      scoreOf(
        quarter.answers.filter(
          (a) => a.week === week && dimensionOf.get(a.questionId) === 'roadmap',
        ),
      );
    expect(roadmap(WEEKS - 1)).toBeGreaterThan(roadmap(0) + 30);
    const gap = (week: number) => {
      const { product, engineering } = techDebtGap(week, week + 1);
      return product - engineering;
    };
    expect(gap(WEEKS - 1)).toBeGreaterThan(gap(1) + 20);
  });

  it('publishes both sides of the gap in every week but the designers-only one, and every such digest states it', () => {
    const shown = Array.from({ length: WEEKS }, (_, week) => week).filter(bothSidesShown);
    expect(shown).toHaveLength(WEEKS - 1);
    expect(shown).not.toContain(DESIGNERS_ONLY_WEEK);
    // The chart's two side lines have a point in each of those 11 weeks.
    const chart = (
      (digests().at(-1)?.blocks ?? []) as {
        type: string;
        chart?: { series: { name: string; data: unknown[] }[] };
      }[]
    ).find((b) => b.type === 'data_visualization');
    expect(chart?.chart?.series.map((x) => x.data.length)).toEqual([11, 11, 11]);
    // Every digest of a week with both sides published states the gap, in numbers.
    digests().forEach((digest, week) => {
      const blocks = JSON.stringify(digest.blocks);
      if (week === DESIGNERS_ONLY_WEEK) expect(blocks).not.toMatch(/Product \d+, Engineering \d+/);
      else expect(blocks).toMatch(/Product \d+, Engineering \d+/);
    });
  });

  it('never shows the week only two designers answered, in any output', async () => {
    const designersWeek = digests()[DESIGNERS_ONLY_WEEK];
    expect(designersWeek?.text).toMatch(
      /Only 2 leaders answered; scores show once 3 or more answer\.$/,
    );
    expect(JSON.stringify(designersWeek?.blocks)).not.toMatch(/\d% favorable|Alignment index \d/);
    // The chart draws nothing for that week: every line has a gap there.
    const { weeks, scores } = await closedWeeks(
      t.app.ctx,
      quarter.survey,
      12,
      quarter.lastDigestAt,
    );
    const digest = buildDigest({ weeks, scores, comments: [], threshold: 3 });
    const column = weeks.findIndex((w) => w.period === '2026-W47');
    expect(column).toBeGreaterThanOrEqual(0);
    expect(digest.chart?.lines.map((l) => l.kind)).toEqual(['index', 'product', 'engineering']);
    for (const line of digest.chart?.lines ?? []) expect(line.values[column]).toBeNull();
    // The export leaves the week out entirely.
    await t.slack.command({ user: ADMIN, channel: LEADERSHIP, text: 'export' });
    await t.app.idle();
    const csv =
      [...t.standIn.uploads.values()]
        .filter((u) => u.filename.startsWith('alignment-scores'))
        .at(-1)
        ?.bytes?.toString('utf8') ?? '';
    expect(csv.split('\n').length).toBeGreaterThan(20);
    expect(csv).not.toContain('2026-W47');
    // No group of fewer than 3 ever appears, and no discipline alone: only everyone and the two sides.
    expect(csv).not.toMatch(/,(all|product_side|engineering_side),[12],/);
    expect(
      new Set(
        csv
          .trim()
          .split('\n')
          .slice(1)
          .map((row) => row.split(',')[4]),
      ),
    ).toEqual(new Set(['all', 'product_side', 'engineering_side']));
    expect(t.standIn.violations()).toEqual([]);
  });

  it('logs, at the most verbose level, no comment and no answer beside the person who gave it', () => {
    expect(t.logs.length).toBeGreaterThan(100);
    const comments = Object.values(COMMENTS).flatMap((week) => week.map((c) => c.text));
    const people = [ADMIN, ...LEADERS.map((l) => l.id)];
    for (const line of t.logs) {
      for (const comment of comments) expect(line).not.toContain(comment);
      if (people.some((id) => line.includes(id))) {
        // An answer travels as a selected option's value (1–5) in the form's state.
        expect(line).not.toMatch(/selected_option|"value"\s*:\s*"[1-5]"|state/);
      }
    }
  });
});
