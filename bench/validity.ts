import { type FollowUp, followUp } from '../src/domain/agreements.js';
import { CATALOGUE } from '../src/domain/catalogue.js';
import {
  DEFAULT_SIDES,
  DIMENSIONS,
  type Dimension,
  type Discipline,
  type Side,
  sideOf,
} from '../src/domain/dimensions.js';
import {
  type PublishedPulse,
  publishCells,
  scorePublished,
  sideGroup,
} from '../src/domain/publication.js';
import { chooseQuestions, DEFAULT_QUESTIONS_PER_PULSE } from '../src/domain/rotation.js';
import { sayCalls } from '../src/domain/said-calls.js';
import type { Counts, Tally } from '../src/domain/scoring.js';
import {
  callWeek,
  GAP_TREND_WEEKS,
  type SaidCalls,
  SCOPES,
  type TrendAnswer,
} from '../src/domain/trends.js';
import type { Section } from './measure.js';

/**
 * `npm run bench -- validity`: do the app's calls say "rose" when a score rose
 * and stay quiet on noise? A seeded simulation of a 15-leader team (6 product,
 * 6 engineering, 2 design, 1 program), each answering a pulse with probability
 * 0.87, on the default 5-question rotation. An answer is a latent value on the
 * 1–5 scale — the true level of the dimension for the leader's side that
 * week, plus the leader's own stable offset (sd 0.7), the statement's own level
 * (sd 0.3) and noise (sd 0.5) — rounded and kept within 1–5; with 6 leaders a
 * side it gives one week's gap about the spread the first version measured. The
 * true level is a side's (Design with Product, Program with Engineering, the
 * defaults). Each week is published as the app publishes it (threshold 3, by side), and
 * the calls are the app's own (`callWeek`) on the answers it would use, said
 * as the outputs say them (`sayCalls`, with the published cells' numbers).
 */

/** The answer model, on the 1–5 scale (see the comment above). */
const OFFSET_SD = Number(process.env.OFFSET_SD ?? 0.7);
const STATEMENT_SD = 0.3;
const NOISE_SD = Number(process.env.NOISE_SD ?? 0.5);
const SIMULATIONS = Number(process.env.SIMULATIONS ?? 1000);
const TEAM: Discipline[] = [
  ...Array<Discipline>(6).fill('product'),
  ...Array<Discipline>(6).fill('engineering'),
  'design',
  'design',
  'program',
];

/** A small seeded generator (mulberry32) and normal draws (Box–Muller). */
function generator(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

interface Scenario {
  name: string;
  weeks: number;
  /** The true score (0–100) of a dimension for a side in week w (0 = the first). */
  truth: (dimension: Dimension, side: Side, week: number) => number;
}

/** Each leader's side, under the default sides (Design with Product, Program with Engineering). */
const SIDE_OF = TEAM.map((d) => sideOf(d, DEFAULT_SIDES));

/**
 * Simulates one team through a scenario: the answers its last week's calls
 * use, and the dimension the digest would feature.
 */
export function simulateAnswers(
  scenario: Scenario,
  seed: number,
): { answers: TrendAnswer[]; pulses: (PublishedPulse & { weeksAgo: number })[] } {
  const random = generator(seed);
  const offsets = TEAM.map(() => OFFSET_SD * random.normal());
  const levels = new Map(CATALOGUE.map((q) => [q.id, STATEMENT_SD * random.normal()]));
  const history: string[][] = [];
  const answers: TrendAnswer[] = [];
  const pulses: (PublishedPulse & { weeksAgo: number })[] = [];
  for (let week = 0; week < scenario.weeks; week++) {
    const questions = chooseQuestions(CATALOGUE, history, DEFAULT_QUESTIONS_PER_PULSE);
    history.push(questions.map((q) => q.id));
    const given: { leader: number; question: (typeof questions)[number]; value: number }[] = [];
    SIDE_OF.forEach((side, leader) => {
      if (random.uniform() >= 0.87) return;
      for (const question of questions) {
        const latent =
          1 +
          (4 * scenario.truth(question.dimension, side, week)) / 100 +
          (offsets[leader] ?? 0) +
          (levels.get(question.id) ?? 0) +
          NOISE_SD * random.normal();
        given.push({ leader, question, value: Math.min(5, Math.max(1, Math.round(latent))) });
      }
    });
    // Published as the app publishes it: which cells are shown.
    const tallies = new Map<string, Map<Side, Tally>>();
    const people = new Map<string, Map<Side, Set<number>>>();
    for (const g of given) {
      const side = SIDE_OF[g.leader] as Side;
      const bySide = tallies.get(g.question.id) ?? new Map<Side, Tally>();
      tallies.set(g.question.id, bySide);
      const t = bySide.get(side) ?? {
        counts: [0, 0, 0, 0, 0] as Counts,
        respondents: 0,
      };
      const counts = [...t.counts] as [number, number, number, number, number];
      counts[g.value - 1] = (counts[g.value - 1] ?? 0) + 1;
      const who = people.get(g.question.id) ?? new Map<Side, Set<number>>();
      people.set(g.question.id, who);
      const set = who.get(side) ?? new Set<number>();
      set.add(g.leader);
      who.set(side, set);
      bySide.set(side, { counts, respondents: set.size });
    }
    const respondents = new Set(given.map((g) => g.leader)).size;
    const cells = publishCells({ questions, tallies, respondents, invited: TEAM.length }, 3);
    const shown = (questionId: string, group: string) =>
      cells.some((c) => c.questionId === questionId && c.group === group && c.tally !== undefined);
    const largeEnough = (questionId: string, group: string) =>
      cells.some(
        (c) =>
          c.questionId === questionId &&
          c.group === group &&
          (c.tally !== undefined || c.hidden === 'complement'),
      );
    const weeksAgo = scenario.weeks - 1 - week;
    for (const g of given) {
      if (weeksAgo >= GAP_TREND_WEEKS || !shown(g.question.id, 'all')) continue;
      const side = SIDE_OF[g.leader] as Side;
      answers.push({
        leader: `L${g.leader}`,
        side,
        groupLargeEnough: largeEnough(g.question.id, sideGroup(side)),
        statement: g.question.id,
        dimension: g.question.dimension,
        weeksAgo,
        value: (g.value - 1) * 25,
      });
    }
    pulses.push({
      pulseId: week,
      period: `W${week}`,
      respondents,
      invited: TEAM.length,
      threshold: 3,
      unit: 'side',
      cells,
      weeksAgo,
    });
  }
  return { answers, pulses };
}

/** One team through a scenario: its last week's calls, as the outputs say them. */
function simulate(scenario: Scenario, seed: number): SaidCalls {
  const { answers, pulses } = simulateAnswers(scenario, seed);
  return sayCalls(
    callWeek(answers),
    pulses.filter((p) => p.weeksAgo < GAP_TREND_WEEKS),
  );
}

const QUIET = new Set([
  'no_change',
  'not_enough_data',
  'no_clear_gap',
  'aligned',
  'no_clear_change',
]);
const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

function run(scenario: Scenario, seedBase: number): SaidCalls[] {
  return Array.from({ length: SIMULATIONS }, (_, i) => simulate(scenario, seedBase + i));
}

const flat = 60;
export const SCENARIOS = {
  nothing: { name: 'no true change', weeks: 16, truth: () => flat },
  index: {
    name: 'index +15 over 8 weeks',
    weeks: 16,
    truth: (_d, _g, w) => 55 + 15 * Math.max(0, (w - 8) / 7),
  },
  roadmap: {
    name: 'One roadmap 30 → 85 over 12 weeks',
    weeks: 12,
    truth: (d, _g, w) => (d === 'roadmap' ? 30 + (55 * w) / 11 : flat),
  },
  constantGap: {
    name: 'a constant 30-point tech-debt gap',
    weeks: 16,
    truth: (d, side) => (d !== 'tech_debt' ? flat : side === 'product' ? 75 : 45),
  },
  widening: {
    name: 'the tech-debt gap widening 10 → 80 over 12 weeks',
    weeks: 12,
    truth: (d, side, w) => {
      if (d !== 'tech_debt') return flat;
      const gap = 10 + (70 * w) / 11;
      return side === 'product' ? flat + gap / 2 : flat - gap / 2;
    },
  },
} satisfies Record<string, Scenario>;

/**
 * The model checked against the first version's measurement: twice the
 * standard error of one week's Shared goals gap, from published cells.
 */
function weeklyGapSpread(): number {
  const gaps: number[] = [];
  for (let i = 0; i < SIMULATIONS; i++) {
    const last = simulateAnswers(SCENARIOS.nothing, 9_000 + i).pulses.at(-1);
    const side = (group: string) => {
      const cells = (last?.cells ?? []).filter(
        (c) => c.dimension === 'okrs' && c.group === group && c.tally !== undefined,
      );
      const counts = cells.flatMap((c) => c.tally?.counts ?? []);
      const n = cells.reduce((x, c) => x + (c.tally?.counts.reduce((a, b) => a + b, 0) ?? 0), 0);
      const total = cells.reduce(
        (x, c) => x + (c.tally?.counts.reduce((a, k, j) => a + k * j * 25, 0) ?? 0),
        0,
      );
      return counts.length === 0 || n === 0 ? undefined : total / n;
    };
    const p = side(sideGroup('product'));
    const e = side(sideGroup('engineering'));
    if (p !== undefined && e !== undefined) gaps.push(p - e);
  }
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  return 2 * Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1));
}

/** Agreement follow-ups: 4 closed weeks before the agreement, 4 after. */
const FOLLOW_WEEKS = 4;
/** A step at the agreement: the tech-debt truth before it, and after it. */
const stepScenario = (
  name: string,
  before: { product: number; engineering: number },
  after: { product: number; engineering: number },
): Scenario => ({
  name,
  weeks: 2 * FOLLOW_WEEKS,
  truth: (d, side, w) => {
    if (d !== 'tech_debt') return flat;
    const truth = w < FOLLOW_WEEKS ? before : after;
    return truth[side];
  },
});
export const FOLLOW_UP_SCENARIOS = {
  steady: stepScenario(
    'a steady 30-point gap',
    { product: 75, engineering: 45 },
    { product: 75, engineering: 45 },
  ),
  narrows: stepScenario(
    'the gap narrowing 40 → 10 at the agreement',
    { product: 80, engineering: 40 },
    { product: 70, engineering: 60 },
  ),
  rises: stepScenario(
    'the score rising 20 points for both sides',
    { product: 50, engineering: 40 },
    { product: 70, engineering: 60 },
  ),
};

/** One team's follow-up of an agreement on tech debt made between week 4 and week 5. */
function simulateFollowUp(scenario: Scenario, seed: number): FollowUp {
  const { answers, pulses } = simulateAnswers(scenario, seed);
  const figures = (chosen: typeof pulses) => {
    const d = scorePublished(chosen).dimensions.find((x) => x.dimension === 'tech_debt');
    return {
      score: d?.overall.visible === true ? d.overall.score : undefined,
      gap: d?.gap.visible === true ? d.gap.points : undefined,
    };
  };
  const before = pulses.filter((p) => p.weeksAgo >= FOLLOW_WEEKS);
  const after = pulses.filter((p) => p.weeksAgo < FOLLOW_WEEKS);
  const then = figures(before);
  const now = figures(after);
  return followUp({
    since: '',
    weeksBefore: before.length,
    weeksAfter: after.length,
    answers: answers
      .filter((a) => a.dimension === 'tech_debt')
      .map((a) => ({ ...a, after: a.weeksAgo < FOLLOW_WEEKS })),
    cells: { score: { from: then.score, to: now.score }, gap: { from: then.gap, to: now.gap } },
  });
}

export async function validityBenchmark(): Promise<Section> {
  const started = performance.now();
  const nothing = run(SCENARIOS.nothing, 1_000);
  const lines = [
    ...SCOPES.map((s) => (c: SaidCalls) => c.trends[s].call),
    ...DIMENSIONS.map((d) => (c: SaidCalls) => c.gaps[d].call),
    (c: SaidCalls) => c.featured?.call ?? 'not_enough_data',
  ];
  const perLine = lines.map((line) => nothing.filter((c) => !QUIET.has(line(c))).length);
  const digestFalse = nothing.filter((c) => {
    const shown = [
      c.trends.index.call,
      ...DIMENSIONS.map((d) => c.trends[d].call),
      ...(c.featured === undefined ? [] : [c.gaps[c.featured.dimension].call, c.featured.call]),
    ];
    return shown.some((call) => !QUIET.has(call));
  }).length;
  const anyFalse = nothing.filter((c) => lines.some((line) => !QUIET.has(line(c)))).length;
  const index = run(SCENARIOS.index, 2_000).filter((c) => c.trends.index.call === 'rise').length;
  const roadmap = run(SCENARIOS.roadmap, 3_000).filter(
    (c) => c.trends.roadmap.call === 'rise',
  ).length;
  const constant = run(SCENARIOS.constantGap, 4_000);
  const gapHit = constant.filter((c) => c.gaps.tech_debt.call === 'apart').length;
  const falseWidening = constant.filter(
    (c) =>
      c.featured?.dimension === 'tech_debt' &&
      (c.featured.call === 'widening' || c.featured.call === 'narrowing'),
  ).length;
  const widening = run(SCENARIOS.widening, 5_000).filter(
    (c) => c.featured?.dimension === 'tech_debt' && c.featured.call === 'widening',
  ).length;
  const follow = (scenario: Scenario, seedBase: number) =>
    Array.from({ length: SIMULATIONS }, (_, i) => simulateFollowUp(scenario, seedBase + i));
  const steady = follow(FOLLOW_UP_SCENARIOS.steady, 6_000);
  const steadyScore = steady.filter(
    (f) => f.score.move === 'rose' || f.score.move === 'fell',
  ).length;
  const steadyGap = steady.filter(
    (f) => f.gap.move === 'narrowed' || f.gap.move === 'widened',
  ).length;
  const narrowed = follow(FOLLOW_UP_SCENARIOS.narrows, 7_000).filter(
    (f) => f.gap.move === 'narrowed',
  ).length;
  const rose = follow(FOLLOW_UP_SCENARIOS.rises, 8_000).filter(
    (f) => f.score.move === 'rose',
  ).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const n = SIMULATIONS;
  return {
    title: `Validity of the calls (${n} simulated teams a scenario, seeded; ${seconds} s)`,
    rows: [
      [
        'model check: twice the standard error of one week’s gap',
        `${weeklyGapSpread().toFixed(0)} points`,
        'Shared goals, 6 leaders a side; the first version measured 25–28 on its own simulation',
      ],
      [
        'false alarm, worst line, no true change',
        percent(Math.max(...perLine), n),
        `goal ≤ 5%; mean over the ${lines.length} lines ${percent(perLine.reduce((a, b) => a + b, 0) / perLine.length, n)}`,
      ],
      [
        'false alarm per digest, no true change',
        percent(digestFalse, n),
        'goal ≤ 10%; the index, 9 dimensions, the featured gap and its trend',
      ],
      [
        'any false call among all lines of a week',
        percent(anyFalse, n),
        "the index, 9 dimensions, 9 gaps and the featured gap's trend; Holm keeps this at most 10%",
      ],
      ['index +15 over 8 weeks called "rose"', percent(index, n), 'goal ≥ 95%'],
      ['One roadmap 30 → 85 over 12 weeks called "rose"', percent(roadmap, n), 'goal ≥ 90%'],
      [
        'a constant 30-point gap called "apart"',
        percent(gapHit, n),
        'no goal; with 6 leaders a side over 4 weeks',
      ],
      [
        'a constant 30-point gap called widening or narrowing',
        percent(falseWidening, n),
        'goal ≤ 5%',
      ],
      [
        'a gap widening 10 → 80 over 12 weeks called "widening"',
        percent(widening, n),
        'goal ≥ 90%',
      ],
      [
        'agreement follow-up, nothing changed: its score called rose or fell',
        percent(steadyScore, n),
        'goal ≤ 5%; 4 closed weeks before the agreement, 4 after, on tech debt',
      ],
      [
        'agreement follow-up, nothing changed: its gap called narrowed or widened',
        percent(steadyGap, n),
        'goal ≤ 5%; a steady 30-point gap',
      ],
      [
        'agreement follow-up: a gap narrowing 40 → 10 called "narrowed"',
        percent(narrowed, n),
        'no goal; 4 weeks each side, 6 leaders a side',
      ],
      [
        'agreement follow-up: a score rising 20 points called "rose"',
        percent(rose, n),
        'no goal; 4 weeks each side',
      ],
    ],
  };
}
