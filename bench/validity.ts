import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
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
  trendTest,
  weekShocks,
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
 *
 * Every scenario runs at four sizes of week-wide shock: every answer of a week
 * gets the same shock (a reorg, a holiday), normal with sd 0, 1.25, 2.5 and
 * 3.75 points on the 0–100 score scale (sd × 4/100 on the 1–5 scale), added
 * before rounding. The shocks come from a generator of their own, so a team's
 * answers without shocks are the same at every size. Every false-call
 * scenario runs at every size, the hit rates at none and the largest; each
 * size in a worker thread of its own.
 */

/** The answer model, on the 1–5 scale (see the comment above). */
const OFFSET_SD = Number(process.env.OFFSET_SD ?? 0.7);
const STATEMENT_SD = 0.3;
const NOISE_SD = Number(process.env.NOISE_SD ?? 0.5);
const SIMULATIONS = Number(process.env.SIMULATIONS ?? 1000);
/** The week-wide shocks' sd, in points on the 0–100 scale. */
export const SHOCKS = [0, 1.25, 2.5, 3.75] as const;
/**
 * The sizes at which the hit rates run too (besides every false-call
 * scenario): none, where their goals are set, and the largest; the two
 * between would add a third to the run's time.
 */
const HITS_AT = new Set<number>([0, 3.75]);
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
  shock = 0,
): { answers: TrendAnswer[]; pulses: (PublishedPulse & { weeksAgo: number })[] } {
  const random = generator(seed);
  const shocks = generator((seed + 0x9e3779b9) >>> 0);
  const offsets = TEAM.map(() => OFFSET_SD * random.normal());
  const levels = new Map(CATALOGUE.map((q) => [q.id, STATEMENT_SD * random.normal()]));
  const history: string[][] = [];
  const answers: TrendAnswer[] = [];
  const pulses: (PublishedPulse & { weeksAgo: number })[] = [];
  for (let week = 0; week < scenario.weeks; week++) {
    const questions = chooseQuestions(CATALOGUE, history, DEFAULT_QUESTIONS_PER_PULSE);
    history.push(questions.map((q) => q.id));
    // The week's shock, the same for every answer of the week, on the 1–5 scale.
    const weekShock = ((shock * 4) / 100) * shocks.normal();
    const given: { leader: number; question: (typeof questions)[number]; value: number }[] = [];
    SIDE_OF.forEach((side, leader) => {
      if (random.uniform() >= 0.87) return;
      for (const question of questions) {
        const latent =
          1 +
          (4 * scenario.truth(question.dimension, side, week)) / 100 +
          (offsets[leader] ?? 0) +
          (levels.get(question.id) ?? 0) +
          weekShock +
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

/**
 * One team through a scenario: its last week's calls, as the outputs say
 * them, which of its trend tests pass at 5% on their own (before Holm and the
 * 5-point rule), and whether the index's would with the error clustered by
 * leader alone (the test before week-wide shocks were allowed for).
 */
function simulate(
  scenario: Scenario,
  seed: number,
  shock: number,
): SaidCalls & { alone: boolean[]; leadersOnly: boolean } {
  const { answers, pulses } = simulateAnswers(scenario, seed, shock);
  const shocks = weekShocks(answers);
  const said = sayCalls(
    callWeek(answers, shocks),
    pulses.filter((p) => p.weeksAgo < GAP_TREND_WEEKS),
  );
  const alone = SCOPES.map((scope) => (trendTest(answers, scope, shocks)?.p ?? 1) < 0.05);
  const leadersOnly = (trendTest(answers, 'index')?.p ?? 1) < 0.05;
  return { ...said, alone, leadersOnly };
}

const QUIET = new Set([
  'no_change',
  'not_enough_data',
  'no_clear_gap',
  'aligned',
  'no_clear_change',
]);
const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

function run(scenario: Scenario, seedBase: number, shock: number) {
  return Array.from({ length: SIMULATIONS }, (_, i) => simulate(scenario, seedBase + i, shock));
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

/**
 * Agreement follow-ups: 4 closed weeks before the agreement, 4 after, the
 * last 8 of 16 weeks simulated. The 16 weeks are what the app has when a week
 * closes: the size of week-wide shocks is measured on all of them, as for the
 * week's trends, and the follow-up's tests read the last 8.
 */
const FOLLOW_WEEKS = 4;
/** A step at the agreement: the tech-debt truth before it, and after it. */
const stepScenario = (
  name: string,
  before: { product: number; engineering: number },
  after: { product: number; engineering: number },
): Scenario => ({
  name,
  weeks: GAP_TREND_WEEKS,
  truth: (d, side, w) => {
    if (d !== 'tech_debt') return flat;
    const truth = w < GAP_TREND_WEEKS - FOLLOW_WEEKS ? before : after;
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

/** One team's follow-up of an agreement on tech debt made 4 closed weeks ago. */
function simulateFollowUp(scenario: Scenario, seed: number, shock: number): FollowUp {
  const { answers, pulses } = simulateAnswers(scenario, seed, shock);
  const figures = (chosen: typeof pulses) => {
    const d = scorePublished(chosen).dimensions.find((x) => x.dimension === 'tech_debt');
    return {
      score: d?.overall.visible === true ? d.overall.score : undefined,
      gap: d?.gap.visible === true ? d.gap.points : undefined,
    };
  };
  const window = 2 * FOLLOW_WEEKS;
  const before = pulses.filter((p) => p.weeksAgo >= FOLLOW_WEEKS && p.weeksAgo < window);
  const after = pulses.filter((p) => p.weeksAgo < FOLLOW_WEEKS);
  const then = figures(before);
  const now = figures(after);
  return followUp({
    since: '',
    shock: weekShocks(answers),
    weeksBefore: before.length,
    weeksAfter: after.length,
    answers: answers
      .filter((a) => a.dimension === 'tech_debt' && a.weeksAgo < window)
      .map((a) => ({ ...a, after: a.weeksAgo < FOLLOW_WEEKS, week: a.weeksAgo })),
    cells: { score: { from: then.score, to: now.score }, gap: { from: then.gap, to: now.gap } },
  });
}

/**
 * What one shock size gives: each figure a count out of SIMULATIONS (the hit
 * rates undefined where not run, `HITS_AT`).
 */
interface Figures {
  leadersOnly: number;
  aloneIndex: number;
  aloneMean: number;
  aloneWorst: number;
  worstLine: number;
  meanLine: number;
  digest: number;
  any: number;
  index: number | undefined;
  roadmap: number | undefined;
  gapApart: number;
  falseWidening: number;
  widening: number | undefined;
  steadyScore: number;
  steadyGap: number;
  narrowed: number | undefined;
  rose: number | undefined;
}

/** Every scenario at one size of week-wide shock. */
function figuresAt(shock: number): Figures {
  const nothing = run(SCENARIOS.nothing, 1_000, shock);
  const lines = [
    ...SCOPES.map((s) => (c: SaidCalls) => c.trends[s].call),
    ...DIMENSIONS.map((d) => (c: SaidCalls) => c.gaps[d].call),
    (c: SaidCalls) => c.featured?.call ?? 'not_enough_data',
  ];
  const perLine = lines.map((line) => nothing.filter((c) => !QUIET.has(line(c))).length);
  const alone = SCOPES.map((_, i) => nothing.filter((c) => c.alone[i]).length);
  const digest = nothing.filter((c) => {
    const shown = [
      c.trends.index.call,
      ...DIMENSIONS.map((d) => c.trends[d].call),
      ...(c.featured === undefined ? [] : [c.gaps[c.featured.dimension].call, c.featured.call]),
    ];
    return shown.some((call) => !QUIET.has(call));
  }).length;
  const any = nothing.filter((c) => lines.some((line) => !QUIET.has(line(c)))).length;
  const constant = run(SCENARIOS.constantGap, 4_000, shock);
  const follow = (scenario: Scenario, seedBase: number) =>
    Array.from({ length: SIMULATIONS }, (_, i) => simulateFollowUp(scenario, seedBase + i, shock));
  const steady = follow(FOLLOW_UP_SCENARIOS.steady, 6_000);
  /** How many of a hit scenario's teams were called, at the sizes it runs at. */
  const hits = (called: () => unknown[]) => (HITS_AT.has(shock) ? called().length : undefined);
  return {
    leadersOnly: nothing.filter((c) => c.leadersOnly).length,
    aloneIndex: alone[0] ?? 0,
    aloneMean: alone.reduce((a, b) => a + b, 0) / alone.length,
    aloneWorst: Math.max(...alone),
    worstLine: Math.max(...perLine),
    meanLine: perLine.reduce((a, b) => a + b, 0) / perLine.length,
    digest,
    any,
    index: hits(() =>
      run(SCENARIOS.index, 2_000, shock).filter((c) => c.trends.index.call === 'rise'),
    ),
    roadmap: hits(() =>
      run(SCENARIOS.roadmap, 3_000, shock).filter((c) => c.trends.roadmap.call === 'rise'),
    ),
    gapApart: constant.filter((c) => c.gaps.tech_debt.call === 'apart').length,
    falseWidening: constant.filter(
      (c) =>
        c.featured?.dimension === 'tech_debt' &&
        (c.featured.call === 'widening' || c.featured.call === 'narrowing'),
    ).length,
    widening: hits(() =>
      run(SCENARIOS.widening, 5_000, shock).filter(
        (c) => c.featured?.dimension === 'tech_debt' && c.featured.call === 'widening',
      ),
    ),
    steadyScore: steady.filter((f) => f.score.move === 'rose' || f.score.move === 'fell').length,
    steadyGap: steady.filter((f) => f.gap.move === 'narrowed' || f.gap.move === 'widened').length,
    narrowed: hits(() =>
      follow(FOLLOW_UP_SCENARIOS.narrows, 7_000).filter((f) => f.gap.move === 'narrowed'),
    ),
    rose: hits(() =>
      follow(FOLLOW_UP_SCENARIOS.rises, 8_000).filter((f) => f.score.move === 'rose'),
    ),
  };
}

/** One shock size's figures, worked out in a worker thread (this module, run as one). */
const inWorker = (shock: number) =>
  new Promise<Figures>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { validityShock: shock } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the validity worker for shock ${shock} stopped (${code})`));
    });
  });

/**
 * Every shock size's figures, in as many worker threads as there are cores:
 * the same figures as one after the other (every team has its own seed), in
 * about half the time on two cores.
 */
async function figuresBySize(): Promise<Figures[]> {
  const figures: Figures[] = [];
  // The sizes with hit rates take longest: they go first, so the cores finish together.
  const order = SHOCKS.map((shock, i) => ({ shock, i })).sort(
    (a, b) => Number(HITS_AT.has(b.shock)) - Number(HITS_AT.has(a.shock)),
  );
  let next = 0;
  const work = async () => {
    for (let job = order[next++]; job !== undefined; job = order[next++])
      figures[job.i] = await inWorker(job.shock);
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), SHOCKS.length) }, work));
  return figures;
}

export async function validityBenchmark(): Promise<Section> {
  const started = performance.now();
  const all = (await figuresBySize()).map((figures, i) => ({
    shock: SHOCKS[i] as number,
    figures,
  }));
  const n = SIMULATIONS;
  /** A measure at every shock size, "1.1% · 1.3% · 1.9% · 2.4%". */
  const figure = (key: keyof Figures) =>
    all
      .map((x) => {
        const count = x.figures[key];
        return count === undefined ? '—' : percent(count, n);
      })
      .join(' · ');
  /**
   * The goal, and whether it is met: at every shock size for a false call
   * (at most), at no shock for a hit rate (at least); when missed, by how much.
   */
  const goal = (key: keyof Figures, bound: { atMost: number } | { atLeast: number }) => {
    const misses = all.flatMap(({ shock, figures }) => {
      const count = figures[key];
      if (count === undefined) return [];
      const rate = (100 * count) / n;
      if ('atMost' in bound)
        return rate > bound.atMost
          ? [`by ${(rate - bound.atMost).toFixed(1)} points at sd ${shock}`]
          : [];
      return shock === 0 && rate < bound.atLeast
        ? [`by ${(bound.atLeast - rate).toFixed(1)} points`]
        : [];
    });
    const stated =
      'atMost' in bound
        ? `goal ≤ ${bound.atMost}% at every shock size`
        : `goal ≥ ${bound.atLeast}% without shocks`;
    return misses.length === 0 ? `${stated}: met` : `${stated}: MISSED ${misses.join(', ')}`;
  };
  const rows: [string, string, string][] = [
    [
      'model check: twice the standard error of one week’s gap',
      `${weeklyGapSpread().toFixed(0)} points`,
      'Shared goals, 6 leaders a side, no shock; the first version measured 25–28 on its own simulation',
    ],
    [
      'the index’s trend test on its own at 5%, no true change',
      figure('aloneIndex'),
      `${goal('aloneIndex', { atMost: 5 })}; before Holm and the 5-point rule: what the test itself does at its nominal 5%`,
    ],
    [
      'the same, with the error clustered by leader alone (the test before this change)',
      figure('leadersOnly'),
      'for comparison: week-wide shocks taken for signal',
    ],
    [
      'a trend test on its own at 5%, mean of the 10 trend lines, no true change',
      figure('aloneMean'),
      `${goal('aloneMean', { atMost: 5 })}; worst line ${all.map((x) => percent(x.figures.aloneWorst, n)).join(' · ')} (the worst of 10 also carries the simulation’s own scatter, ±0.7 points at 1,000 teams)`,
    ],
    [
      'false calls per line, worst of the 20 lines, no true change',
      figure('worstLine'),
      goal('worstLine', { atMost: 5 }),
    ],
    [
      'false calls per line, mean over the 20 lines, no true change',
      figure('meanLine'),
      'the index, 9 dimensions, 9 gaps and the featured gap’s trend',
    ],
    [
      'false calls per digest, no true change',
      figure('digest'),
      `${goal('digest', { atMost: 10 })}; the index, 9 dimensions, the featured gap and its trend`,
    ],
    [
      'any false call among all lines of a week',
      figure('any'),
      "the index, 9 dimensions, 9 gaps and the featured gap's trend; Holm keeps this at most 10%",
    ],
    ['index +15 over 8 weeks called "rose"', figure('index'), goal('index', { atLeast: 95 })],
    [
      'One roadmap 30 → 85 over 12 weeks called "rose"',
      figure('roadmap'),
      goal('roadmap', { atLeast: 90 }),
    ],
    [
      'a constant 30-point gap called "apart"',
      figure('gapApart'),
      'no goal; with 6 leaders a side over 4 weeks',
    ],
    [
      'a constant 30-point gap called widening or narrowing',
      figure('falseWidening'),
      goal('falseWidening', { atMost: 5 }),
    ],
    [
      'a gap widening 10 → 80 over 12 weeks called "widening"',
      figure('widening'),
      goal('widening', { atLeast: 90 }),
    ],
    [
      'agreement follow-up, nothing changed: its score called rose or fell',
      figure('steadyScore'),
      `${goal('steadyScore', { atMost: 5 })}; 4 closed weeks before the agreement, 4 after, on tech debt; shocks measured on the 16 weeks up to now`,
    ],
    [
      'agreement follow-up, nothing changed: its gap called narrowed or widened',
      figure('steadyGap'),
      `${goal('steadyGap', { atMost: 5 })}; a steady 30-point gap`,
    ],
    [
      'agreement follow-up: a gap narrowing 40 → 10 called "narrowed"',
      figure('narrowed'),
      'no goal; 4 weeks each side, 6 leaders a side',
    ],
    [
      'agreement follow-up: a score rising 20 points called "rose"',
      figure('rose'),
      'no goal; 4 weeks each side',
    ],
  ];
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  return {
    title: `Validity of the calls (${n} simulated teams a scenario and shock size, seeded; each figure at week-wide shocks of sd ${SHOCKS.join(' · ')} points, hit rates at ${[...HITS_AT].join(' and ')}; ${seconds} s)`,
    rows,
  };
}

// Run as a worker thread by `figuresBySize`: one shock size's figures.
if (!isMainThread && typeof workerData?.validityShock === 'number')
  parentPort?.postMessage(figuresAt(workerData.validityShock));
