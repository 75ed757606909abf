import type { Dimension } from './dimensions.js';

export interface Question {
  /** Stable: wording may change, the id (and the history behind it) stays. */
  id: string;
  dimension: Dimension;
  text: string;
  /** Agreeing is unhealthy: scores flip the answer (5 counts as 1). */
  reversed: boolean;
}

/**
 * The built-in statements, each answered from Strongly disagree to Strongly
 * agree. Short and plain: a VP should get each at a glance.
 */
export const CATALOGUE: readonly Question[] = [
  {
    id: 'okrs.same_direction',
    dimension: 'okrs',
    reversed: false,
    text: "Product's and Engineering's goals this quarter point the same way.",
  },
  {
    id: 'okrs.shared_measures',
    dimension: 'okrs',
    reversed: false,
    text: 'Product and Engineering are judged by the same measures of success.',
  },
  {
    id: 'okrs.dates_vs_quality',
    dimension: 'okrs',
    reversed: true,
    text: 'One side is held to dates while the other is held to quality.',
  },

  {
    id: 'roadmap.one_plan',
    dimension: 'roadmap',
    reversed: false,
    text: 'Product and Engineering work from one roadmap we built together.',
  },
  {
    id: 'roadmap.surprise_plans',
    dimension: 'roadmap',
    reversed: true,
    text: 'Lately one side presented a plan the other had never seen.',
  },
  {
    id: 'roadmap.horizon',
    dimension: 'roadmap',
    reversed: false,
    text: 'Our shared roadmap looks at least two quarters ahead.',
  },

  {
    id: 'tech_debt.real_capacity',
    dimension: 'tech_debt',
    reversed: false,
    text: 'Tech debt, security and scaling work get real, agreed capacity.',
  },
  {
    id: 'tech_debt.next_quarter',
    dimension: 'tech_debt',
    reversed: true,
    text: 'Tech debt keeps getting pushed to "next quarter".',
  },
  {
    id: 'tech_debt.agreed_tradeoffs',
    dimension: 'tech_debt',
    reversed: false,
    text: 'When we trade quality for speed, both sides agree to it openly.',
  },

  {
    id: 'priorities.ranked',
    dimension: 'priorities',
    reversed: false,
    text: 'Engineering works from the agreed, force-ranked priorities.',
  },
  {
    id: 'priorities.off_list',
    dimension: 'priorities',
    reversed: true,
    text: 'Engineers often work on things that are not on the agreed list.',
  },

  {
    id: 'customer_value.clear_use',
    dimension: 'customer_value',
    reversed: false,
    text: 'Every big engineering effort has a clear customer use.',
  },
  {
    id: 'customer_value.honest_pitch',
    dimension: 'customer_value',
    reversed: false,
    text: 'What we tell customers matches what we actually built.',
  },

  {
    id: 'public_unity.one_voice',
    dimension: 'public_unity',
    reversed: false,
    text: 'Product and Engineering leaders speak with one voice in exec meetings.',
  },
  {
    id: 'public_unity.blame',
    dimension: 'public_unity',
    reversed: true,
    text: 'In leadership meetings, one side blames the other for misses.',
  },

  {
    id: 'interrupts.decided_together',
    dimension: 'interrupts',
    reversed: false,
    text: 'Urgent asks from sales or execs are decided by Product and Engineering together.',
  },
  {
    id: 'interrupts.straight_to_engineers',
    dimension: 'interrupts',
    reversed: true,
    text: 'Interrupts land directly on individual engineers.',
  },

  {
    id: 'shared_why.context',
    dimension: 'shared_why',
    reversed: false,
    text: 'Product shares the why behind a request, not just the requirements.',
  },
  {
    id: 'shared_why.shape_together',
    dimension: 'shared_why',
    reversed: false,
    text: 'Engineering helps shape the problem and the solution, not only build it.',
  },

  {
    id: 'ownership.clear',
    dimension: 'ownership',
    reversed: false,
    text: 'It is clear who owns the what, the how and the when.',
  },
  {
    id: 'ownership.turf',
    dimension: 'ownership',
    reversed: true,
    text: 'Arguments about whose job something is slow us down.',
  },
];
